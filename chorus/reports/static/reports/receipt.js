/* Anonymous report key page: "Print this receipt" (no inline script under our CSP). */
document.addEventListener("click", function (event) {
  "use strict";
  if (event.target.closest("[data-print]")) window.print();
});
