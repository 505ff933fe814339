/* Security keys (WebAuthn) on the staff pages: enrol a key, or sign in with one.
 *
 * The page holds a <div data-webauthn="create|get"> with the URLs of its two JSON endpoints,
 * the translated messages and Django's CSRF token (the CSRF cookie is HttpOnly, so the token is
 * read from the hidden input). Without JavaScript the page shows its explanation instead of
 * the button. No libraries, no inline script (the staff CSP forbids it).
 */
(function () {
  "use strict";

  function toBuffer(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) {
      base64 += "=";
    }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptor(d) {
    return Object.assign({}, d, { id: toBuffer(d.id) });
  }

  /* The server's JSON options, with the binary fields the browser API wants. */
  function publicKeyOptions(mode, json) {
    var options = Object.assign({}, json, { challenge: toBuffer(json.challenge) });
    if (mode === "create") {
      options.user = Object.assign({}, json.user, { id: toBuffer(json.user.id) });
      options.excludeCredentials = (json.excludeCredentials || []).map(descriptor);
    } else {
      options.allowCredentials = (json.allowCredentials || []).map(descriptor);
    }
    return options;
  }

  /* The browser's answer as JSON, in the shape py_webauthn reads. */
  function credentialJSON(credential) {
    var response = credential.response;
    var out = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults
        ? credential.getClientExtensionResults() : {},
      response: { clientDataJSON: toBase64url(response.clientDataJSON) }
    };
    if (credential.authenticatorAttachment) {
      out.authenticatorAttachment = credential.authenticatorAttachment;
    }
    if (response.attestationObject) {
      out.response.attestationObject = toBase64url(response.attestationObject);
      if (response.getTransports) {
        out.response.transports = response.getTransports();
      }
    } else {
      out.response.authenticatorData = toBase64url(response.authenticatorData);
      out.response.signature = toBase64url(response.signature);
      if (response.userHandle) {
        out.response.userHandle = toBase64url(response.userHandle);
      }
    }
    return out;
  }

  function ServerError(message) {
    this.name = "ServerError";
    this.message = message;
  }

  function postJSON(url, data, csrfToken) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Accept": "application/json",
        "Content-Type": "application/json",
        "X-CSRFToken": csrfToken
      },
      body: JSON.stringify(data)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (payload) {
        if (!response.ok) {
          throw new ServerError(payload.error || "");
        }
        return payload;
      });
    });
  }

  function setUp(box) {
    var mode = box.getAttribute("data-webauthn");
    var button = box.querySelector("[data-webauthn-start]");
    var noJs = box.querySelector("[data-webauthn-nojs]");
    var status = box.querySelector("[data-webauthn-status]");
    var error = box.querySelector("[data-webauthn-error]");
    var csrf = box.querySelector("input[name=csrfmiddlewaretoken]");
    var message = function (name) { return box.getAttribute("data-msg-" + name) || ""; };

    if (!window.PublicKeyCredential || !navigator.credentials || !window.fetch) {
      noJs.textContent = message("unsupported");
      return;
    }
    noJs.hidden = true;
    button.hidden = false;

    function fail(text) {
      status.textContent = "";
      error.textContent = text;
      button.disabled = false;
    }

    button.addEventListener("click", function () {
      button.disabled = true;
      error.textContent = "";
      status.textContent = message("working");
      var token = csrf ? csrf.value : "";
      postJSON(box.getAttribute("data-options-url"), {}, token)
        .then(function (json) {
          var publicKey = publicKeyOptions(mode, json);
          return mode === "create"
            ? navigator.credentials.create({ publicKey: publicKey })
            : navigator.credentials.get({ publicKey: publicKey });
        })
        .then(function (credential) {
          return postJSON(box.getAttribute("data-verify-url"), {
            credential: credentialJSON(credential),
            next: box.getAttribute("data-next")
          }, token);
        })
        .then(function (result) {
          var target = result.redirect || "";
          // Only a path on this site: the server sends one, this makes sure of it.
          if (target.charAt(0) !== "/" || target.charAt(1) === "/" || target.charAt(1) === "\\") {
            target = "/staff/";
          }
          status.textContent = message("done");
          window.location.assign(target);
        })
        .catch(function (e) {
          if (e && e.name === "ServerError") {
            fail(e.message || message("failed"));
          } else if (e && (e.name === "NotAllowedError" || e.name === "AbortError")) {
            fail(message("cancelled"));
          } else if (e && e.name === "InvalidStateError") {
            fail(message("registered"));
          } else {
            fail(message("failed"));
          }
        });
    });
  }

  function start() {
    var boxes = document.querySelectorAll("[data-webauthn]");
    for (var i = 0; i < boxes.length; i++) {
      setUp(boxes[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
