// mitra's only script: small conveniences. Every page works without it.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // After a refused form, move focus to the list of problems so it is read out first.
  const summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }

  // The phone menu ("More") is a <details> element and opens without this script; here it
  // also closes on Escape and on a tap elsewhere, as people expect a menu to.
  const more = document.querySelector(".nav-more details");
  if (more) {
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && more.open) {
        more.open = false;
        more.querySelector("summary").focus();
      }
    });
    document.addEventListener("click", (event) => {
      if (more.open && !more.contains(event.target)) {
        more.open = false;
      }
    });
  }

  // On first-run set-up, suggest the browser's own time zone instead of UTC.
  const setup = document.querySelector("form[data-detect-timezone]");
  const zoneField = setup && setup.querySelector("select[name=timezone]");
  // (The server's own default is the computer's zone, often UTC on a fresh system.)
  if (zoneField && ["", "UTC", "Etc/UTC"].includes(zoneField.value)) {
    try {
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      // Only a zone the list offers: the server accepts nothing else.
      const offered = Array.from(zoneField.options).some((option) => option.value === zone);
      if (zone && offered) {
        zoneField.value = zone;
      }
    } catch (_) {
      // An old browser without Intl time zones: the field keeps UTC.
    }
  }

  // A table wider than the screen scrolls sideways inside its box; its "scroll" hint shows
  // only while that is so (the hint is hidden by default and on a screen where it fits).
  const wraps = Array.from(document.querySelectorAll(".table-scroll, .table-wrap"));
  const markOverflow = () => {
    for (const wrap of wraps) {
      const hint = wrap.previousElementSibling;
      if (hint && hint.classList.contains("scroll-hint")) {
        hint.hidden = wrap.scrollWidth <= wrap.clientWidth + 1;
      }
    }
  };
  if (wraps.length) {
    markOverflow();
    window.addEventListener("resize", markOverflow);
    // A table inside a closed <details> has no width until it opens ("toggle" does not
    // bubble, so listen while it travels down).
    document.addEventListener("toggle", markOverflow, true);
  }
});
