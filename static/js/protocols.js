// The protocol edit page: rows added and removed without a reload, autosave to the server
// (never to browser storage: a child's data stays off the device), conflict and session notices.
(() => {
  const form = document.getElementById("protocol-form");
  if (!form) return;

  // --- Rows -----------------------------------------------------------------------------------
  const renumber = (section) => {
    let n = 0;
    section.querySelectorAll("[data-rows] [data-row]").forEach((row) => {
      if (!row.hidden) {
        n += 1;
        const label = row.querySelector("[data-row-number]");
        if (label) label.textContent = n;
      }
    });
  };
  const prepareRow = (row) => {
    const remove = row.querySelector("[data-row-remove]");
    if (remove) remove.hidden = false;
    const del = row.querySelector(".row-delete");
    if (del) del.hidden = true;
  };
  document.querySelectorAll("[data-formset]").forEach((section) => {
    const prefix = section.dataset.formset;
    const total = section.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
    const template = section.querySelector("template[data-row-template]");
    const add = section.querySelector("[data-row-add]");
    section.querySelectorAll("[data-row]").forEach(prepareRow);
    if (add && template && total) {
      add.hidden = false;
      add.addEventListener("click", () => {
        const index = Number(total.value);
        const html = template.innerHTML.replaceAll("__prefix__", String(index));
        const holder = document.createElement("div");
        holder.innerHTML = html;
        const row = holder.firstElementChild;
        section.querySelector("[data-rows]").appendChild(row);
        total.value = String(index + 1);
        prepareRow(row);
        renumber(section);
        const first = row.querySelector("input:not([type=hidden]):not([type=checkbox]), select, textarea");
        if (first) first.focus();
        markDirty();
      });
    }
    section.addEventListener("click", (event) => {
      const button = event.target.closest("[data-row-remove]");
      if (!button) return;
      const row = button.closest("[data-row]");
      const del = row.querySelector('input[name$="-DELETE"]');
      if (del) del.checked = true;
      row.hidden = true;
      renumber(section);
      if (add) add.focus();
      markDirty();
    });
  });

  // --- Saving --------------------------------------------------------------------------------
  // One request at a time: an autosave, or the button the user pressed once the autosave in
  // flight has answered (so the button posts the newest revision and never conflicts with this
  // page's own autosave). A pressed button waits while the text cannot be saved (session ended,
  // server unreachable) and goes ahead once it can: nothing typed is lost.
  let url = form.dataset.autosaveUrl;
  const status = document.getElementById("autosave-status");
  const conflictBox = document.getElementById("conflict");
  const sessionBox = document.getElementById("session-ended");
  const revision = form.querySelector('input[name="revision"]');
  let dirty = false; // typed since the last successful save
  let saving = false;
  let paused = false; // a conflict waits for the user's choice
  let leaving = false; // the form's own button is posting: no "Leave site?" prompt
  let pressed = null; // the Save/Submit button waiting for the autosave
  let typingTimer = null;
  let retryTimer = null;
  let waiting = false; // a retry after a failed save is scheduled
  let failures = 0; // server unreachable or 5xx in a row: wait longer each time

  function markDirty() {
    if (!url) return;
    dirty = true;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => {
      if (!waiting) save(); // ~2 s after typing stops, unless backing off after a failure
    }, 2000);
  }

  // The first autosave of a window creates the protocol (or finds it made in another tab):
  // continue on the protocol's own URLs.
  function adopt(data) {
    if (!data.autosave_url || url === data.autosave_url) return;
    url = data.autosave_url;
    form.dataset.autosaveUrl = url;
    form.action = data.edit_url;
    const submit = form.querySelector('button[value="submit"]');
    if (submit) submit.setAttribute("formaction", data.submit_url);
    window.history.replaceState(null, "", data.edit_url);
  }

  const csrf = () => form.querySelector('input[name="csrfmiddlewaretoken"]');

  // After logging in again in another tab the CSRF token has changed: read the new one.
  async function refreshToken() {
    try {
      const response = await fetch(window.location.pathname, { credentials: "same-origin" });
      if (!response.ok || response.redirected) return false;
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = doc.querySelector('#protocol-form input[name="csrfmiddlewaretoken"]');
      if (!fresh) return false;
      csrf().value = fresh.value;
      return true;
    } catch {
      return false;
    }
  }

  function showErrors(errors) {
    form.querySelectorAll(".autosave-error").forEach((el) => el.remove());
    Object.entries(errors || {}).forEach(([name, messages]) => {
      const field = form.querySelector(`[name="${CSS.escape(name)}"]`);
      if (!field || field.classList.contains("is-invalid")) return;
      const div = document.createElement("div");
      div.className = "invalid-feedback d-block autosave-error";
      div.textContent = messages.join(" ");
      field.insertAdjacentElement("afterend", div);
    });
  }

  // Not saved (session ended, server unreachable or failing): the text stays, try again later —
  // at once after a new sign-in, else every 10 s, backing off to a minute while the server fails.
  function notSaved({ backOff }) {
    dirty = true;
    status.textContent = form.dataset.failedMessage;
    failures = backOff ? failures + 1 : 0;
    const delay = backOff ? Math.min(60000, 2000 * 2 ** (failures - 1)) : 10000;
    clearTimeout(retryTimer);
    waiting = true;
    retryTimer = setTimeout(save, delay);
  }

  function showConflict(data) {
    dirty = true;
    paused = true;
    pressed = null; // the user decides first
    status.textContent = "";
    adopt(data);
    conflictBox.innerHTML = data.conflict_html;
    conflictBox.querySelector("[data-conflict-keep]").addEventListener("click", (event) => {
      // The user chose to keep their text: save it on top of the version they have seen.
      revision.value = event.currentTarget.dataset.revision;
      conflictBox.innerHTML = "";
      paused = false;
      dirty = true;
      save();
    });
    conflictBox.scrollIntoView({ block: "start" });
  }

  // The pressed button goes ahead: the browser posts the form (and leaves the page). In a task
  // of its own: a submission requested from inside a submit event is ignored by the browser.
  let releasing = false;
  function release() {
    const button = pressed;
    pressed = null;
    leaving = true;
    setTimeout(() => {
      releasing = true;
      try {
        form.requestSubmit(button); // its submit event runs now, let through below
      } finally {
        releasing = false;
      }
    }, 0);
  }

  async function save() {
    if (!url || saving || paused || leaving) return;
    if (!dirty) {
      if (pressed) release();
      return;
    }
    clearTimeout(retryTimer);
    waiting = false;
    saving = true;
    dirty = false;
    let again = false;
    let ok = false;
    const body = new FormData(form);
    body.set("action", "autosave");
    try {
      const response = await fetch(url, {
        method: "POST",
        body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRFToken": csrf().value, Accept: "application/json" },
      });
      if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
        // The session ended (or the token changed): keep the text and keep trying.
        sessionBox.classList.remove("d-none");
        notSaved({ backOff: false });
        again = await refreshToken(); // signed in again elsewhere: save at once
      } else if (response.status === 409) {
        showConflict(await response.json());
      } else if (response.ok) {
        const data = await response.json();
        revision.value = data.revision;
        ok = true;
        failures = 0;
        sessionBox.classList.add("d-none");
        status.textContent = `${data.message} ${data.saved_at}`;
        showErrors(data.errors);
        adopt(data);
      } else if (response.status === 400) {
        // Refused as it stands (e.g. under review now): say why; a pressed button lets the
        // server's page explain it.
        dirty = true;
        status.textContent = (await response.json()).error || form.dataset.failedMessage;
        if (pressed) release();
      } else {
        notSaved({ backOff: response.status >= 500 });
      }
    } catch {
      notSaved({ backOff: true }); // offline or the server is away
    } finally {
      saving = false;
      // A button waiting for this autosave goes on now (saving what was typed meanwhile).
      if (again || (ok && pressed)) save();
    }
  }

  if (url) {
    form.addEventListener("input", markDirty);
    form.addEventListener("change", markDirty);
    setInterval(() => {
      if (!waiting) save();
    }, 10000); // every 10 s while dirty, unless a retry is scheduled
    form.addEventListener("submit", (event) => {
      if (releasing) return; // released by this script: the browser posts it
      event.preventDefault();
      if (leaving) return; // already posting: a second click posts nothing more
      if (paused) {
        // A conflict is shown and the user saves anyway: the server answers with the panel.
        pressed = event.submitter;
        release();
        return;
      }
      pressed = event.submitter || form.querySelector('button[value="save"]');
      // The last action's "Saved." no longer applies: the next page says how this one went.
      document.querySelectorAll("main > .messages").forEach((el) => el.remove());
      status.textContent = form.dataset.savingMessage;
      clearTimeout(typingTimer);
      save(); // the user asked: try now, whatever retry was scheduled
    });
    // Back on this tab (e.g. after signing in again in another one): retry now, not later.
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && waiting) save();
    });
    window.addEventListener("beforeunload", (event) => {
      if ((dirty || saving) && !leaving) {
        event.preventDefault();
        event.returnValue = form.dataset.unsavedMessage;
        return form.dataset.unsavedMessage;
      }
      return undefined;
    });
  }
  // The conflict panel rendered by the server (a refused explicit save) works the same way.
  const keep = conflictBox && conflictBox.querySelector("[data-conflict-keep]");
  if (keep) {
    keep.addEventListener("click", (event) => {
      revision.value = event.currentTarget.dataset.revision;
      conflictBox.innerHTML = "";
      form.requestSubmit(form.querySelector('button[value="save"]'));
    });
  }
})();
