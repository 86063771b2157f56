/* Starts Swagger UI on /api/v1/docs from the JSON settings in the page (no inline script). */
(function () {
  "use strict";
  var body = document.body.dataset;
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  config.dom_id = "#swagger-ui";
  config.presets = [window.SwaggerUIBundle.presets.apis];
  if (body.apiCsrf && body.csrfToken) {
    // Session-authenticated "Try it out" requests need Django's CSRF header.
    config.requestInterceptor = function (req) {
      req.headers["X-CSRFToken"] = body.csrfToken;
      return req;
    };
  }
  window.SwaggerUIBundle(config);
})();
