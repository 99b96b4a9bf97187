// Global search (UI-2): keyboard and closing for the drop-down that htmx fills.
(function () {
  "use strict";

  function parts() {
    var form = document.querySelector("form.globalsearch");
    if (!form) return null;
    return { form: form, input: form.querySelector("input[type=search]"), results: form.querySelector(".globalsearch-results") };
  }
  function close(p) { if (p && p.results) p.results.innerHTML = ""; }
  function links(p) { return Array.prototype.slice.call(p.results.querySelectorAll("a")); }

  document.addEventListener("keydown", function (event) {
    var p = parts();
    if (!p || !p.form.contains(event.target)) return;
    if (event.key === "Escape") {
      close(p);
      p.input.focus();
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    var all = links(p);
    if (!all.length) return;
    var at = all.indexOf(document.activeElement);
    var next = event.key === "ArrowDown" ? at + 1 : at - 1;
    event.preventDefault();
    if (next < 0) { p.input.focus(); return; }
    all[Math.min(next, all.length - 1)].focus();
  });

  document.addEventListener("click", function (event) {
    var p = parts();
    if (p && !p.form.contains(event.target)) close(p);
  });

  // A late answer must not reopen the drop-down after the box was emptied.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var p = parts();
    if (p && event.detail.target === p.results && p.input.value.trim().length < 2) {
      event.detail.shouldSwap = false;
      close(p);
    }
  });
})();
