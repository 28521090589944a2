// « Use my position »: shown only where the browser can locate; fills the hidden
// latitude and longitude. Without it, the place written in words is enough.
(function () {
  "use strict";
  var box = document.getElementById("position");
  if (!box || !("geolocation" in navigator)) { return; }
  box.hidden = false;
  var button = box.querySelector("[data-locate]");
  var status = box.querySelector("[data-locate-status]");
  var form = box.closest("form") || document.querySelector("[data-pick-form]");
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (where) {
      form.elements.latitude.value = where.coords.latitude.toFixed(6);
      form.elements.longitude.value = where.coords.longitude.toFixed(6);
      status.textContent = status.getAttribute("data-done");
    }, function () {
      status.textContent = status.getAttribute("data-failed");
    }, { timeout: 10000, maximumAge: 60000 });
  });
}());
