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

  // --- Autosave -------------------------------------------------------------------------------
  let url = form.dataset.autosaveUrl;
  const status = document.getElementById("autosave-status");
  const conflictBox = document.getElementById("conflict");
  const sessionBox = document.getElementById("session-ended");
  const revision = form.querySelector('input[name="revision"]');
  let dirty = false;
  let saving = false;
  let paused = false; // a conflict waits for the user's choice
  let typingTimer = null;
  let submitting = false;

  function markDirty() {
    if (!url) return;
    dirty = true;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(save, 2000); // ~2 s after typing stops
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

  async function save() {
    if (!url || !dirty || saving || paused || submitting) return;
    saving = true;
    dirty = false;
    let retry = false;
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
        dirty = true;
        sessionBox.classList.remove("d-none");
        status.textContent = form.dataset.failedMessage;
        retry = await refreshToken(); // signed in again elsewhere: save at once
      } else if (response.status === 409) {
        const data = await response.json();
        dirty = true;
        paused = true;
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
      } else if (response.ok) {
        const data = await response.json();
        revision.value = data.revision;
        sessionBox.classList.add("d-none");
        status.textContent = `${data.message} ${data.saved_at}`;
        showErrors(data.errors);
        adopt(data);
      } else {
        dirty = true;
        status.textContent = form.dataset.failedMessage;
      }
    } catch {
      dirty = true; // offline: try again on the next tick
      status.textContent = form.dataset.failedMessage;
    } finally {
      saving = false;
      if (retry) save();
    }
  }

  if (url) {
    form.addEventListener("input", markDirty);
    form.addEventListener("change", markDirty);
    setInterval(save, 10000); // every 10 s while dirty
    form.addEventListener("submit", () => {
      submitting = true;
    });
    window.addEventListener("beforeunload", (event) => {
      if (dirty || saving) {
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
