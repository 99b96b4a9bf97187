// Tekniska meddelanden (/staff/notices): the organisations' list shows only
// when "Valda organisationer" is chosen, and Skicka asks before sending.
(function () {
  "use strict";

  function sync(form) {
    var chosen = form.querySelector('input[name="audience"][value="chosen"]');
    var list = form.querySelector('[data-show-when="chosen"]');
    if (chosen && list) list.hidden = !chosen.checked;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("notice-form");
    if (!form) return;
    sync(form);
    form.addEventListener("change", function (event) {
      if (event.target.name === "audience") sync(form);
    });
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || button.value !== "send") return;
      var count = document.querySelector("#notice-preview strong");
      var question = count
        ? "Skicka meddelandet till " + count.textContent + "?"
        : "Skicka meddelandet nu?";
      if (!window.confirm(question)) event.preventDefault();
    });
  });
})();
