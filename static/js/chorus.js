// Small progressive enhancements; everything works without JavaScript too.
document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-toggle-nav]");
  if (toggle) {
    const nav = document.getElementById(toggle.getAttribute("aria-controls"));
    const open = nav.classList.toggle("is-open");
    toggle.setAttribute("aria-expanded", String(open));
  }
  const copy = event.target.closest("[data-copy-target]");
  if (copy) {
    const target = document.getElementById(copy.dataset.copyTarget);
    if (target && navigator.clipboard) {
      navigator.clipboard.writeText(target.value ?? target.textContent.trim());
      copy.textContent = "Copied";
    }
  }
});

// Close the "Manage" menu when clicking elsewhere or pressing Escape.
document.addEventListener("click", (event) => {
  document.querySelectorAll("details[data-navmenu][open]").forEach((menu) => {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  });
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    document.querySelectorAll("details[data-navmenu][open]").forEach((menu) => menu.removeAttribute("open"));
  }
});

// A table wider than its box scrolls inside it; make that region reachable by keyboard
// (axe: scrollable-region-focusable) and name it after the table's caption or heading.
function markScrollableTables() {
  document.querySelectorAll(".table-wrap, .table").forEach((box) => {
    if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      if (!box.hasAttribute("role") && box.tagName !== "TABLE") {
        box.setAttribute("role", "region");
        const caption = box.querySelector("caption");
        const heading = box.closest("section, .card")?.querySelector("h2, h3");
        box.setAttribute("aria-label", (caption || heading)?.textContent.trim() || "Table");
      }
    }
  });
}
document.addEventListener("DOMContentLoaded", markScrollableTables);
window.addEventListener("resize", markScrollableTables);
