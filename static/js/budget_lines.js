// The FPH proposal form: the amount asked is the total of the budget lines, added up
// as they are typed (the server adds them up too when the amount is left empty).
(function () {
  "use strict";
  var box = document.querySelector("[data-lines-total]");
  if (!box) { return; }
  var total = box.querySelector("input");
  var group = box.getAttribute("data-group") || " ";
  var decimal = box.getAttribute("data-decimal") || ",";
  var lines = document.querySelectorAll(".line input[inputmode=decimal]");
  function cents(text) {
    var cleaned = text.replace(/[\s\u00a0\u202f\u20ac]/g, "").replace(",", ".");
    if (!/^\d+(\.\d{0,2})?$/.test(cleaned)) { return null; }
    return Math.round(parseFloat(cleaned) * 100);
  }
  function write(amount) {
    var whole = String(Math.floor(amount / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, group);
    var rest = amount % 100;
    return rest ? whole + decimal + String(rest).padStart(2, "0") : whole;
  }
  function update() {
    var sum = 0, any = false;
    lines.forEach(function (input) {
      var value = cents(input.value);
      if (value !== null) { sum += value; any = true; }
    });
    if (any) { total.value = write(sum); }
  }
  lines.forEach(function (input) { input.addEventListener("input", update); });
}());
