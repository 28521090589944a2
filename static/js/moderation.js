// Choosing a reason template writes its text into the reason box, where the
// moderator can still change it. Without JavaScript the server uses the template
// when the box is left empty.
(function () {
  "use strict";
  var source = document.getElementById("reason-templates");
  if (!source) { return; }
  var texts = {};
  Array.prototype.forEach.call(source.content.querySelectorAll("[data-key]"), function (p) {
    texts[p.getAttribute("data-key")] = p.textContent;
  });
  var known = Object.keys(texts).map(function (k) { return texts[k]; });
  Array.prototype.forEach.call(document.querySelectorAll("select[name$='template']"), function (select) {
    var box = select.form && select.form.querySelector("textarea[name$='reason']");
    if (!box) { return; }
    select.addEventListener("change", function () {
      var current = box.value.trim();
      if (current === "" || known.indexOf(current) !== -1) {
        box.value = texts[select.value] || "";
      }
    });
  });
}());
