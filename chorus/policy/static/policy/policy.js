// Policy pages: print button. Everything else works without JavaScript (HTMX does the lint).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
