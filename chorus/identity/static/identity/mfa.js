/* Passkeys (WebAuthn) for Chorus: registration and sign-in with navigator.credentials.
   No inline script (CSP): a container with data-webauthn="register|authenticate",
   data-options-url and data-complete-url, a [data-webauthn-start] button, an optional
   [data-webauthn-name] input and a [data-webauthn-error] paragraph. The server sends the
   options as JSON (base64url for binary values) and gets the credential back the same way. */
(function () {
  "use strict";

  function b64urlToBuffer(value) {
    var base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var raw = atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes.buffer;
  }

  function bufferToB64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var text = "";
    for (var i = 0; i < bytes.length; i++) { text += String.fromCharCode(bytes[i]); }
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function creationOptions(json) {
    json.challenge = b64urlToBuffer(json.challenge);
    json.user.id = b64urlToBuffer(json.user.id);
    (json.excludeCredentials || []).forEach(function (c) { c.id = b64urlToBuffer(c.id); });
    return json;
  }

  function requestOptions(json) {
    json.challenge = b64urlToBuffer(json.challenge);
    (json.allowCredentials || []).forEach(function (c) { c.id = b64urlToBuffer(c.id); });
    return json;
  }

  function credentialJSON(cred) {
    var r = cred.response;
    var out = {
      id: cred.id,
      rawId: bufferToB64url(cred.rawId),
      type: cred.type,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      authenticatorAttachment: cred.authenticatorAttachment || null,
      response: { clientDataJSON: bufferToB64url(r.clientDataJSON) }
    };
    if (r.attestationObject) {
      out.response.attestationObject = bufferToB64url(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = bufferToB64url(r.authenticatorData);
      out.response.signature = bufferToB64url(r.signature);
      out.response.userHandle = r.userHandle ? bufferToB64url(r.userHandle) : null;
    }
    return out;
  }

  function post(url, token, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.error || "The server refused the request."); }
        return data;
      });
    });
  }

  function setup(box) {
    var mode = box.getAttribute("data-webauthn");
    var button = box.querySelector("[data-webauthn-start]");
    var error = box.querySelector("[data-webauthn-error]");
    var nameInput = box.querySelector("[data-webauthn-name]");
    var tokenInput = box.querySelector("input[name=csrfmiddlewaretoken]");
    var token = tokenInput ? tokenInput.value : "";
    if (!button) { return; }
    if (!window.PublicKeyCredential || !navigator.credentials) {
      button.disabled = true;
      error.textContent = "This browser cannot use passkeys. Use an authenticator app instead.";
      error.hidden = false;
      return;
    }
    button.addEventListener("click", function () {
      error.hidden = true;
      button.disabled = true;
      post(box.getAttribute("data-options-url"), token)
        .then(function (options) {
          if (mode === "register") {
            return navigator.credentials.create({ publicKey: creationOptions(options) });
          }
          return navigator.credentials.get({ publicKey: requestOptions(options) });
        })
        .then(function (cred) {
          if (!cred) { throw new Error("No passkey was chosen."); }
          return post(box.getAttribute("data-complete-url"), token, {
            credential: credentialJSON(cred),
            name: nameInput ? nameInput.value : ""
          });
        })
        .then(function (data) { window.location.assign(data.redirect || "/"); })
        .catch(function (err) {
          var message = err && err.name === "NotAllowedError"
            ? "The passkey request was cancelled or timed out. Try again."
            : (err && err.message) || "Something went wrong. Try again.";
          error.textContent = message;
          error.hidden = false;
          button.disabled = false;
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-webauthn]"), setup);
  });
})();
