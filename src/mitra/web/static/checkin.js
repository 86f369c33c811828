// The check-in form's running total: a convenience only. The form works without this script,
// and the server computes the total that is saved. It also shows the craving slider's number
// as it moves, and when a pulse is typed in beats a minute it picks the matching pulse answer,
// so what the buttons show agrees with what will be scored.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-checkin]");
  if (!form) {
    return;
  }
  const status = document.getElementById("running-total");
  const items = Array.from(form.querySelectorAll("[data-item]"));
  const maxTotal = form.dataset.maxTotal;
  const bpmField = form.querySelector("input[data-bpm-ranges]");

  // "0::80;1:81:100;2:101:120;4:121:" -> [{score, min, max}], open ends as +-Infinity.
  const bpmRanges = bpmField
    ? bpmField.dataset.bpmRanges.split(";").map((part) => {
        const [score, min, max] = part.split(":");
        return {
          score: score,
          min: min === "" ? -Infinity : Number(min),
          max: max === "" ? Infinity : Number(max),
        };
      })
    : [];

  function scoreForBpm(text) {
    const bpm = Number(text);
    if (text.trim() === "" || !Number.isFinite(bpm) || bpm <= 0 || bpm > 250) {
      return null;
    }
    const whole = Math.floor(bpm + 0.5); // whole beats, half up, as the server rounds
    const found = bpmRanges.find((r) => whole >= r.min && whole <= r.max);
    return found ? found.score : null;
  }

  function update() {
    let total = 0;
    let answered = 0;
    for (const item of items) {
      const slider = item.querySelector("input[type=range]");
      if (slider) {
        const shown = item.querySelector("output[data-value-of]");
        if (shown) {
          shown.textContent = slider.value;
        }
        total += Number(slider.value);
        answered += 1;
        continue;
      }
      const chosen = item.querySelector("input[type=radio]:checked");
      if (chosen) {
        total += Number(chosen.value);
        answered += 1;
      }
    }
    if (!status) {
      return; // a one-item form (the craving line) shows its value beside the slider
    }
    const left = items.length - answered;
    status.textContent =
      `Total so far: ${total} of ${maxTotal}` +
      (left ? ` (${left} of ${items.length} still to answer)` : " (all answered)");
  }

  if (bpmField) {
    bpmField.addEventListener("input", () => {
      const score = scoreForBpm(bpmField.value);
      if (score === null) {
        return;
      }
      const fieldset = bpmField.closest("[data-item]");
      const match = fieldset.querySelector(`input[type=radio][value="${score}"]`);
      if (match) {
        match.checked = true;
      }
      update();
    });
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  if (status) {
    status.hidden = false;
  }
  update();
});
