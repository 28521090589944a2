// Security keys and passkeys (WebAuthn). A form marked data-webauthn="register" (the
// account's security page) or "login" (the second step of login) asks the server for a
// challenge (data-options), lets the browser talk to the key, then sends the answer in
// the form's hidden "credential" field and follows the page the server names.
// Without WebAuthn in the browser, the forms stay hidden.
(function () {
  "use strict";
  var supported = Boolean(window.PublicKeyCredential && navigator.credentials &&
                          window.fetch && window.URLSearchParams);
  if (!supported) { return; }

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    var binary = window.atob(base64 + "===".slice((base64.length + 3) % 4));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) { return null; }
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i += 1) { binary += String.fromCharCode(bytes[i]); }
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return { type: item.type, id: toBytes(item.id), transports: item.transports };
    });
  }

  function creationOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    options.excludeCredentials = descriptors(options.excludeCredentials);
    return { publicKey: options };
  }

  function requestOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.allowCredentials = descriptors(options.allowCredentials);
    return { publicKey: options };
  }

  function common(credential, response) {
    return {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: response,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults()
    };
  }

  function registration(credential) {
    var answer = credential.response;
    return common(credential, {
      clientDataJSON: toText(answer.clientDataJSON),
      attestationObject: toText(answer.attestationObject),
      transports: answer.getTransports ? answer.getTransports() : []
    });
  }

  function assertion(credential) {
    var answer = credential.response;
    return common(credential, {
      clientDataJSON: toText(answer.clientDataJSON),
      authenticatorData: toText(answer.authenticatorData),
      signature: toText(answer.signature),
      userHandle: toText(answer.userHandle)
    });
  }

  function post(url, body) {
    return window.fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.error || ""); }
        return data;
      });
    });
  }

  function tokenOnly(form) {
    var body = new URLSearchParams();
    var token = form.querySelector("input[name$='csrf_token']");
    if (token) { body.append(token.name, token.value); }
    return body;
  }

  function run(form) {
    var status = form.querySelector("[data-webauthn-status]");
    var button = form.querySelector("button[type='submit']");
    var registering = form.getAttribute("data-webauthn") === "register";
    status.textContent = form.getAttribute("data-wait");
    button.disabled = true;
    post(form.getAttribute("data-options"), tokenOnly(form)).then(function (options) {
      return registering ? navigator.credentials.create(creationOptions(options))
        : navigator.credentials.get(requestOptions(options));
    }).then(function (credential) {
      var json = registering ? registration(credential) : assertion(credential);
      form.querySelector("input[name='credential']").value = JSON.stringify(json);
      return post(form.getAttribute("action"), new URLSearchParams(new FormData(form)));
    }).then(function (data) {
      window.location.assign(data.next);
    }).catch(function (error) {
      status.textContent = (error && error.message && error.name === "Error")
        ? error.message : form.getAttribute("data-failed");
      button.disabled = false;
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-webauthn-section]"),
    function (section) { section.hidden = false; });
  Array.prototype.forEach.call(document.querySelectorAll("[data-webauthn-missing]"),
    function (note) { note.hidden = true; });
  Array.prototype.forEach.call(document.querySelectorAll("form[data-webauthn]"),
    function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        if (!form.checkValidity()) { form.reportValidity(); return; }  // the key's name
        run(form);
      });
    });
}());
