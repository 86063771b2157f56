// The consent sentence names the account being linked. While the person types the handle,
// swap in the same wording the server records ("my Mastodon account @a@b"), or the neutral
// form ("the Mastodon account I enter above") while the field is empty.
(function () {
  "use strict";
  function bind(span) {
    var input = document.getElementById(span.dataset.handleInput);
    if (!input) { return; }
    function update() {
      var handle = input.value.trim().replace(/\s+/g, " ");
      span.textContent = handle ? span.dataset.with.replace("{handle}", handle)
                                : span.dataset.without;
    }
    input.addEventListener("input", update);
    update();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-consent-account]").forEach(bind);
  });
})();
