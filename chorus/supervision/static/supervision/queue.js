// Keyboard for the supervision queue: j/k move between items, a/d/r choose accept, dismiss
// or relabel on the current item and put the cursor in its reason field (Enter submits).
(function () {
  "use strict";
  var items = [];
  var current = 0;

  function select(index) {
    if (!items.length) return;
    current = Math.max(0, Math.min(items.length - 1, index));
    items.forEach(function (el, i) { el.setAttribute("aria-current", i === current ? "true" : "false"); });
    items[current].scrollIntoView({ block: "nearest" });
    items[current].focus({ preventScroll: true });
  }

  function decide(key) {
    var item = items[current];
    if (!item) return;
    var radio = item.querySelector('input[name="decision"][data-key="' + key + '"]');
    if (!radio) return;
    radio.checked = true;
    var relabel = item.querySelector("[data-sv-relabel]");
    if (relabel) relabel.open = key === "r";
    var reason = item.querySelector("[data-sv-reason]");
    if (reason) reason.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    items = Array.prototype.slice.call(document.querySelectorAll("[data-sv-item]"));
    var start = items.findIndex(function (el) { return "#" + el.id === window.location.hash; });
    select(start >= 0 ? start : 0);
    document.addEventListener("keydown", function (event) {
      var tag = (event.target.tagName || "").toLowerCase();
      if (tag === "input" && event.target.type === "text" || tag === "textarea" || tag === "select") {
        if (event.key === "Escape") { event.target.blur(); items[current] && items[current].focus(); }
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "j") { select(current + 1); event.preventDefault(); }
      else if (event.key === "k") { select(current - 1); event.preventDefault(); }
      else if (event.key === "a" || event.key === "d" || event.key === "r") { decide(event.key); event.preventDefault(); }
    });
  });
})();
