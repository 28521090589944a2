// The « Print » buttons (no inline handlers under the site's CSP), and a poster that
// keeps to one sheet of paper.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // A poster's sizes are in points and millimetres, so the screen lays it out as the
  // paper will. When its words are longer than one sheet holds (a long title, a long
  // address, two languages), every size is lowered a little at a time until they fit,
  // but never below six tenths: better a smaller poster than a second page.
  var SMALLEST = 0.6;
  var STEP = 0.94;
  // Page breaks fall before blocks that may not be split: keep a little room.
  var ROOM = 0.98;

  function used(sheet) {
    var probe = document.createElement("div");
    probe.style.position = "absolute";
    probe.style.visibility = "hidden";
    probe.style.blockSize = sheet.getAttribute("data-page-height");
    sheet.appendChild(probe);
    var page = probe.getBoundingClientRect().height;
    sheet.removeChild(probe);
    var words = document.createRange();
    words.selectNodeContents(sheet);
    return words.getBoundingClientRect().height / page;
  }

  function fit(sheet) {
    var scale = 1;
    sheet.style.removeProperty("--fit");
    while (used(sheet) > ROOM && scale > SMALLEST) {
      scale = Math.max(SMALLEST, scale * STEP);
      sheet.style.setProperty("--fit", scale.toFixed(3));
    }
    sheet.setAttribute("data-fit", scale.toFixed(3));
  }

  function fitAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".sheet[data-page-height]"), fit);
  }

  if (document.fonts && document.fonts.ready) {
    document.fonts.ready.then(fitAll);
  } else {
    window.addEventListener("load", fitAll);
  }
}());
