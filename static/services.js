// Tjänster: tabs on the service page (Förbrukning och trender). Without this
// script every tab panel simply shows. No inline scripts (CSP).
(function () {
  "use strict";

  function select(tabs, tab, focus) {
    tabs.querySelectorAll("[role=tab]").forEach(function (t) {
      var on = t === tab;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
      var panel = document.getElementById(t.getAttribute("aria-controls"));
      if (panel) panel.hidden = !on;
    });
    if (focus) tab.focus();
  }

  function init(root) {
    (root || document).querySelectorAll("[data-tabs]:not(.tabs-ready)").forEach(function (tabs) {
      var list = Array.prototype.slice.call(tabs.querySelectorAll("[role=tab]"));
      if (!list.length) return;
      tabs.classList.add("tabs-ready");
      select(tabs, list.find(function (t) { return t.getAttribute("aria-selected") === "true"; }) || list[0], false);
      tabs.addEventListener("click", function (event) {
        var tab = event.target.closest("[role=tab]");
        if (tab) select(tabs, tab, false);
      });
      tabs.addEventListener("keydown", function (event) {
        var index = list.indexOf(document.activeElement);
        if (index < 0) return;
        var next = null;
        if (event.key === "ArrowRight") next = list[(index + 1) % list.length];
        if (event.key === "ArrowLeft") next = list[(index - 1 + list.length) % list.length];
        if (event.key === "Home") next = list[0];
        if (event.key === "End") next = list[list.length - 1];
        if (next) { event.preventDefault(); select(tabs, next, true); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
