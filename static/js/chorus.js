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
