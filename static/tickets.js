// Ärenden: live SLA countdowns and a size check of chosen attachments
// before they are sent (the server checks again, by content).
(function () {
  "use strict";

  function span(ms) {
    var minutes = Math.max(0, Math.floor(ms / 60000));
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    if (days) return days + " d " + hours + " h";
    if (hours) return hours + " h " + mins + " min";
    return mins + " min";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-sla-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-sla-due"));
      if (isNaN(due)) return;
      var left = el.querySelector(".sla-left");
      if (!left) return;
      var rest = due - now;
      el.classList.remove("sla-running", "sla-soon", "sla-overdue");
      var short = el.hasAttribute("data-sla-short");
      if (rest < 0) {
        el.classList.add("sla-overdue");
        left.textContent = short ? "\u2212" + span(-rest) : "Överskriden med " + span(-rest);
      } else {
        el.classList.add(rest <= 2 * 3600 * 1000 ? "sla-soon" : "sla-running");
        left.textContent = short ? span(rest) : span(rest) + " kvar";
      }
    });
  }
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSettle", tick);
  window.setInterval(tick, 30000);

  // Files over the limit are refused here already, with the same words as the server.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) return;
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    var error = input.parentNode.querySelector("[data-file-error]");
    var big = [];
    Array.prototype.forEach.call(input.files || [], function (file) {
      if (file.size > limit) big.push(file.name);
    });
    if (error) {
      error.hidden = big.length === 0;
      error.textContent = big.length
        ? "För stor fil: " + big.join(", ") + ". Största tillåtna storlek är " + Math.round(limit / 1048576) + " MB."
        : "";
    }
    input.setCustomValidity(big.length ? "För stor fil" : "");
  });
})();

// A form whose chosen files are over the limit is not sent (captured before
// htmx sees the submit); the message next to the field says why.
document.addEventListener("submit", function (event) {
  "use strict";
  var form = event.target;
  var bad = Array.prototype.filter.call(
    form.querySelectorAll("input[type=file][data-max-bytes]"),
    function (input) {
      var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
      return Array.prototype.some.call(input.files || [], function (f) { return f.size > limit; });
    }
  );
  if (bad.length) {
    event.preventDefault();
    event.stopPropagation();
    bad[0].focus();
  }
}, true);
