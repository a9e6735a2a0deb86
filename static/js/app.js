// Small progressive enhancements; every page works without them.
document.documentElement.classList.add("js-on");

// The language picker submits itself on change (its button shows only without JavaScript).
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) {
    event.target.form.requestSubmit();
  }
});
