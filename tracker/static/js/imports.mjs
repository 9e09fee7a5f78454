// The import runs within the request: while it does, say so, and stop a second click starting another.
const form = document.querySelector("[data-import-form]");
const message = document.getElementById("importing-message");
if (form && message) {
  form.addEventListener("submit", (event) => {
    if (event.submitter && event.submitter.hasAttribute("data-import-button")) {
      message.textContent = "Importing your plan. This can take up to half a minute: stay on this page.";
      event.submitter.setAttribute("aria-disabled", "true");
      event.submitter.classList.add("govuk-button--disabled");
      form.addEventListener("submit", (again) => again.preventDefault());
    }
  });
}
