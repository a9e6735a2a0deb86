// Warns before the idle session ends and offers to stay signed in.
// The server says how many seconds are left (data-session-left on <body>, and the
// X-Session-Seconds-Left header of every htmx response, e.g. autosave).
(() => {
  const body = document.body;
  const dialog = document.getElementById("session-warning");
  if (!dialog || !body.dataset.sessionLeft) return;
  const warning = Number(body.dataset.sessionWarning || 120);
  let warnTimer = null;
  let endTimer = null;

  function csrfToken() {
    try {
      return JSON.parse(body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch {
      return "";
    }
  }

  function schedule(secondsLeft) {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    if (dialog.open) dialog.close();
    warnTimer = setTimeout(() => dialog.showModal(), Math.max(0, secondsLeft - warning) * 1000);
    // At the end the server has signed the user out: reloading shows the sign-in page.
    endTimer = setTimeout(() => window.location.reload(), (secondsLeft + 1) * 1000);
  }

  dialog.querySelector("[data-session-keep-alive]").addEventListener("click", async () => {
    const response = await fetch(body.dataset.keepAliveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
    });
    if (response.ok) {
      schedule((await response.json()).seconds_left);
    } else {
      window.location.reload();
    }
  });

  document.body.addEventListener("htmx:afterRequest", (event) => {
    const left = event.detail.xhr && event.detail.xhr.getResponseHeader("X-Session-Seconds-Left");
    if (left) schedule(Number(left));
  });

  schedule(Number(body.dataset.sessionLeft));
})();
