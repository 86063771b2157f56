/* Speak-up channel: conditional follow-up questions, print and copy of the key receipt.
   Loaded as a static file (no inline script under our CSP). */
(function () {
  "use strict";
  function refresh() {
    document.querySelectorAll("[data-show-if]").forEach(function (input) {
      var source = document.querySelector('[name="' + input.dataset.showIf + '"]');
      var wrap = input.closest(".field");
      if (!source || !wrap) return;
      var show = source.value === input.dataset.showEquals;
      wrap.classList.toggle("su-hidden", !show);
    });
  }
  document.addEventListener("change", refresh);
  document.addEventListener("DOMContentLoaded", refresh);
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
    var copy = event.target.closest("[data-copy-target]");
    if (copy && navigator.clipboard) {
      var el = document.getElementById(copy.dataset.copyTarget);
      if (el) navigator.clipboard.writeText(el.textContent.trim());
    }
  });
})();
