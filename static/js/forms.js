// A form sent back with errors: put the person where they must act. The first field
// in error takes the focus (a phone scrolls to it), and each line of the summary at the
// top of the form focuses its field when followed.
(function () {
  "use strict";
  function focusField(field) {
    field.focus({ preventScroll: true });
    field.scrollIntoView({ block: "center" });
  }
  var first = document.querySelector("main [aria-invalid='true']");
  if (first) { focusField(first); }
  document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (field) {
        event.preventDefault();
        focusField(field);
      }
    });
  });
}());
