/* The phone's native share sheet (Web Share API) for a share's tracked link.
   The button stays hidden where navigator.share does not exist (most desktop browsers), so
   nobody sees a button that cannot work. Static file: the CSP allows no inline script. */
(function () {
  "use strict";
  function init() {
    var buttons = document.querySelectorAll("[data-web-share]");
    if (!navigator.share) { return; }
    buttons.forEach(function (button) {
      var data = {
        title: button.getAttribute("data-share-title") || document.title,
        text: button.getAttribute("data-share-text") || "",
        url: button.getAttribute("data-share-url")
      };
      if (navigator.canShare && !navigator.canShare(data)) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.share(data).catch(function () { /* the person closed the sheet */ });
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
