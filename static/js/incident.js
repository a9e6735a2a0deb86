// The quick incident form: a start/stop button for the duration. Start puts
// the current time into "Start time", Stop into "End time" and clears a tapped minutes chip.
// Nothing is kept in browser storage.
(function () {
  "use strict";
  function hhmm(d) {
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-stopwatch]");
    var form = document.getElementById("incident-form");
    if (!button || !form) return;
    button.hidden = false;
    var running = false;
    button.addEventListener("click", function () {
      var now = new Date();
      if (!running) {
        form.elements.start.value = hhmm(now);
        form.elements.end.value = "";
        button.textContent = button.dataset.stopLabel;
        button.setAttribute("aria-pressed", "true");
      } else {
        form.elements.end.value = hhmm(now);
        form.querySelectorAll("input[name=minutes_pick]").forEach(function (r) { r.checked = false; });
        form.elements.minutes.value = "";
        button.textContent = button.dataset.startLabel;
        button.setAttribute("aria-pressed", "false");
      }
      running = !running;
    });
  });
})();
