// Light progressive enhancement: confirmations, auto-submitting filters. Pages work without it.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  // One click acts once: disable the button while the page loads.
  for (const button of form.querySelectorAll("button[type=submit], button:not([type])")) {
    setTimeout(() => { button.disabled = true; }, 0);
  }
});
document.addEventListener("change", (event) => {
  const form = event.target.closest("form#queue-filters");
  if (form) form.requestSubmit();
});
