// « Partager… » opens the phone's own share sheet (Web Share API) where the browser has
// one; elsewhere the button stays hidden and the plain links do the work.
(function () {
  "use strict";
  if (typeof navigator.share !== "function") { return; }
  Array.prototype.forEach.call(document.querySelectorAll("[data-share-item]"), function (item) {
    var button = item.querySelector("[data-share]");
    if (!button) { return; }
    item.hidden = false;
    button.addEventListener("click", function () {
      navigator.share({ title: button.getAttribute("data-share-title"),
                        url: button.getAttribute("data-share-url") })
        .catch(function () { /* closed by the person, or refused: nothing to do */ });
    });
  });
}());
