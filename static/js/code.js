// A printed letter's QR code opens /fph/N/code#c=ABCD-EFGH-JK: the code rides in the
// fragment, which the browser never sends to the server, so no log can keep it.
// Put it in the form, then take it out of the address bar and the history.
(function () {
  "use strict";
  var match = /^#c=([A-Za-z0-9-]{1,20})$/.exec(window.location.hash);
  if (!match) { return; }
  var input = document.querySelector("input[name='code']");
  if (input && !input.value) { input.value = match[1]; }
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
}());
