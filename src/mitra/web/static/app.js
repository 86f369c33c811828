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
  const zoneField = setup && setup.querySelector("input[name=timezone]");
  // (The server's own default is the computer's zone, often UTC on a fresh system.)
  if (zoneField && ["", "UTC", "Etc/UTC"].includes(zoneField.value)) {
    try {
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone) {
        zoneField.value = zone;
      }
    } catch (_) {
      // An old browser without Intl time zones: the field keeps UTC.
    }
  }
});
