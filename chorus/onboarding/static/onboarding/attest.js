// The attestation page: the "Record my acknowledgment" button unlocks once the reader has
// reached the end of the policy. The page tells the server (which keeps the time as evidence)
// and only then enables the button. Without this script, or if the report fails, the reader
// ticks "I read the whole policy, to the end" instead: the server accepts either, never none.
(function () {
  "use strict";
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"]; }
    catch (e) { return ""; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var gate = document.querySelector("[data-read-gate]");
    var end = document.querySelector("[data-read-end]");
    var button = document.querySelector("[data-attest-submit]");
    if (!gate || !end || !button || !("IntersectionObserver" in window)) { return; }
    var fallback = gate.querySelector("[data-read-fallback]");
    var box = fallback.querySelector("input");
    var hint = gate.querySelector("[data-read-hint]");
    if (box.checked) { return; }  // came back after an error with the box already ticked
    fallback.hidden = true;
    box.disabled = true;
    hint.hidden = false;
    button.disabled = true;
    button.setAttribute("aria-describedby", "read-hint");
    hint.id = "read-hint";
    function useFallback() {
      fallback.hidden = false;
      box.disabled = false;
      hint.textContent = "We could not record that you reached the end. Tick the box instead.";
      button.disabled = false;
    }
    var observer = new IntersectionObserver(function (entries) {
      if (!entries.some(function (e) { return e.isIntersecting; })) { return; }
      observer.disconnect();
      fetch(gate.dataset.readUrl, {
        method: "POST", credentials: "same-origin",
        headers: {"X-CSRFToken": csrfToken()},
      }).then(function (response) {
        if (!response.ok) { useFallback(); return; }
        hint.textContent = "You reached the end of the policy. You can record your acknowledgment.";
        button.disabled = false;
        gate.dataset.read = "yes";
      }).catch(useFallback);
    });
    observer.observe(end);
  });
})();
