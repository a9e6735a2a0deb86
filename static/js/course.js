// Course pages: the score grid's error cells and the final test's timer. No inline script.
(() => {
  // A rejected score (400) comes back with the cell and its error: show it instead of dropping it.
  document.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // The score grid: Enter and ↓ move down the task's column, ↑ up; Tab
  // moves across the row as usual. Leaving a cell fires its "change", which saves it (htmx).
  document.addEventListener("keydown", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("score-input")) return;
    const down = event.key === "Enter" || event.key === "ArrowDown";
    const up = event.key === "ArrowUp";
    if (!down && !up) return;
    const cell = input.closest("td");
    const row = cell && cell.parentElement;
    const next = row && (down ? row.nextElementSibling : row.previousElementSibling);
    event.preventDefault();
    const target = next && next.cells[cell.cellIndex];
    const field = target && target.querySelector("input.score-input");
    if (field) {
      field.focus();
      field.select();
    } else if (event.key === "Enter") {
      input.blur(); // the last row: Enter still saves the cell
      input.focus();
    }
  });

  // The timer counts down from the server's deadline; at zero the attempt is submitted with
  // what was saved (the server enforces the deadline whatever this clock says).
  const timer = document.querySelector("[data-deadline]");
  if (timer) {
    const deadline = Date.parse(timer.dataset.deadline);
    const skew = Date.parse(timer.dataset.now) - Date.now();
    const out = timer.querySelector(".timer-value");
    const tick = () => {
      const left = Math.max(0, Math.floor((deadline - (Date.now() + skew)) / 1000));
      const m = Math.floor(left / 60);
      const s = String(left % 60).padStart(2, "0");
      out.textContent = `${m}:${s}`;
      if (left === 0) {
        clearInterval(handle);
        const form = document.getElementById("submit-form");
        if (form) form.requestSubmit();
      }
    };
    const handle = setInterval(tick, 1000);
    tick();
  }

  // The navigator follows each saved answer without a reload.
  const markNavigator = (form, data) => {
    const position = data.get("position");
    const link = document.querySelector(`#navigator a[data-position="${position}"]`);
    if (!link) return;
    const answered = data.getAll("choice").length > 0;
    link.classList.toggle("answered", answered);
    link.classList.toggle("btn-success", answered);
    link.classList.toggle("unanswered", !answered);
    link.classList.toggle("btn-outline-secondary", !answered);
    const hidden = link.querySelector(".visually-hidden");
    const nav = document.getElementById("navigator");
    if (hidden && nav) {
      hidden.textContent = ` (${answered ? nav.dataset.answered : nav.dataset.unanswered})`;
    }
  };

  // Answers save as soon as they are chosen, so a lost page or connection loses nothing.
  const answerForm = document.getElementById("answer-form");
  if (answerForm) {
    answerForm.addEventListener("change", () => {
      const data = new FormData(answerForm);
      fetch(answerForm.action, {
        method: "POST",
        body: data,
        headers: { "HX-Request": "true" },
        credentials: "same-origin",
      }).then((r) => {
        const status = document.getElementById("answer-status");
        if (r.ok) {
          if (status) status.textContent = status.dataset.saved;
          markNavigator(answerForm, data);
        } else {
          window.location.reload();
        }
      });
    });
  }
})();
