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

  // A sentence in the page's language: the template puts it in an attribute
  // with {} where the value goes (Swedish when the attribute is missing).
  function said(el, attribute, swedish, value) {
    return (el.getAttribute(attribute) || swedish).replace("{}", value);
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
        left.textContent = short ? "\u2212" + span(-rest) : said(el, "data-sla-overdue", "Överskriden med {}", span(-rest));
      } else {
        el.classList.add(rest <= 2 * 3600 * 1000 ? "sla-soon" : "sla-running");
        left.textContent = short ? span(rest) : said(el, "data-sla-left", "{} kvar", span(rest));
      }
    });
  }
  // An error goes once it is put right: a value typed or chosen removes the
  // message, the red frame and aria-invalid, and the summary above the form
  // goes with the last one. The service picker is put right by a chosen
  // service or an emptied search box. (The server checks again on submit.)
  function putRight(field) {
    var controls = field.querySelectorAll("input, select, textarea");
    if (field.classList.contains("service-pick")) {
      var search = field.querySelector("input[type=search]");
      return !!field.querySelector("input[name=service]:checked:not([value=''])") ||
        (!!search && search.value.trim() === "");
    }
    return Array.prototype.some.call(controls, function (el) {
      if (el.type === "radio" || el.type === "checkbox") return el.checked && el.value !== "";
      if (el.type === "file") return !!(el.files && el.files.length);
      if (el.type === "hidden") return false;
      return el.value.trim() !== "";
    });
  }

  function settle(field) {
    field.classList.remove("has-error");
    field.querySelectorAll(".field-error:not([data-file-error])").forEach(function (p) { p.remove(); });
    field.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var form = field.closest("form");
    if (form && !form.querySelector(".has-error")) {
      var summary = form.querySelector("[data-error-summary]");
      if (summary) summary.remove();
    }
  }

  function recheckAround(event) {
    var field = event.target.closest && event.target.closest(".has-error");
    if (field && putRight(field)) settle(field);
  }
  document.addEventListener("input", recheckAround);
  document.addEventListener("change", recheckAround);
  // The picker selects a single match by itself, without a change event.
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll(".service-pick.has-error").forEach(function (field) {
      if (putRight(field)) settle(field);
    });
  });

  // The back office's reply button says what it does: Skicka a reply to the
  // customer, Spara anteckning for an internal note.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[name=kind]")) return;
    var button = input.form && input.form.querySelector("[data-kind-labels]");
    if (!button) return;
    var labels = JSON.parse(button.getAttribute("data-kind-labels"));
    if (labels[input.value]) button.textContent = labels[input.value];
  });

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
        ? (input.getAttribute("data-too-big") || "För stor fil: {files}. Största tillåtna storlek är {mb} MB.")
          .replace("{files}", big.join(", ")).replace("{mb}", Math.round(limit / 1048576))
        : "";
    }
    input.setCustomValidity(big.length ? (input.getAttribute("data-too-big-short") || "För stor fil") : "");
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
