// The application form: a print button (shown only when this script runs) and a form that
// is filled in to be printed, never sent. A file, not inline handlers, so the site's
// Content-Security-Policy (script-src 'self') holds.
(function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("form[data-no-submit]").forEach(function (form) {
    form.addEventListener("submit", function (event) { event.preventDefault(); });
  });
})();
