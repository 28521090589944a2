// The kiosk: the tablet comes back to the animator by itself, and keeps nothing of a voter.
(function () {
  "use strict";
  var body = document.body;
  var back = body.getAttribute("data-kiosk-back");
  var timeout = parseInt(body.getAttribute("data-kiosk-timeout") || "120", 10) * 1000;

  function giveBack() {
    var button = document.querySelector("[data-giveback]");
    if (button) { button.click(); } else if (back) { window.location.replace(back); }
  }

  // Before giving the tablet back, warn the resident and let them keep it (WCAG 2.2.1).
  var warning = document.querySelector("[data-kiosk-warning]");
  var notice = warning ? parseInt(warning.getAttribute("data-kiosk-warning"), 10) * 1000 : 0;
  var timers = [];
  function arm() {
    timers.forEach(window.clearTimeout);
    if (warning) { warning.hidden = true; }
    timers = [window.setTimeout(giveBack, timeout)];
    if (warning && document.querySelector("[data-giveback]")) {
      timers.push(window.setTimeout(function () { warning.hidden = false; }, timeout - notice));
    }
  }
  arm();
  ["pointerdown", "keydown", "touchstart", "input"].forEach(function (name) {
    document.addEventListener(name, arm, { passive: true });
  });

  // The thank-you screen returns to the animator after a few seconds.
  var thanks = document.querySelector("[data-kiosk-return]");
  if (thanks && back) {
    window.setTimeout(function () { window.location.replace(back); },
      parseInt(thanks.getAttribute("data-kiosk-return"), 10) * 1000);
  }

  // No way back to a previous voter's screens, and no form data kept by the browser.
  window.history.replaceState(null, "", back || window.location.href);
  window.history.pushState(null, "", back || window.location.href);
  window.addEventListener("popstate", function () { window.history.go(1); });
  window.addEventListener("pageshow", function (event) {
    // A kiosk screen brought back from the browser's cache goes back to the animator.
    if (event.persisted && back) { window.location.replace(back); }
  });

  // Knapsack: a running total of the chosen projects.
  var output = document.querySelector("[data-total]");
  if (output) {
    // Written as the server writes amounts in this language (same signs, same place
    // for the euro sign), not as the browser's own locale data would.
    var pattern = output.getAttribute("data-pattern") || "{} €";
    var group = output.getAttribute("data-group") || " ";
    var decimal = output.getAttribute("data-decimal") || ",";
    var format = {
      format: function (euros) {
        var cents = Math.round(euros * 100);
        var whole = String(Math.floor(cents / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, group);
        var rest = String(cents % 100).padStart(2, "0");
        return pattern.replace("{}", whole + decimal + rest);
      }
    };
    var envelope = parseInt(output.getAttribute("data-envelope"), 10);
    var update = function () {
      var cents = 0;
      document.querySelectorAll("input[data-cost]:checked").forEach(function (box) {
        cents += parseInt(box.getAttribute("data-cost"), 10);
      });
      output.textContent = format.format(cents / 100);
      output.classList.toggle("over", cents > envelope);
    };
    document.addEventListener("change", update);
  }
}());
