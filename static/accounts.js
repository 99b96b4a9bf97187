// Konton: keep the tree and the account list in step with the dialogs.
// The dialogs answer with HX-Trigger events (see blueprints/accounts/actions.py);
// Kunduppgifter and Kontaktuppgifter refresh themselves declaratively, the
// tree nodes and the list are refreshed here because their URLs depend on
// what the user has opened, sorted or filtered.
(function () {
  "use strict";

  function value(event) {
    var d = event.detail || {};
    return d.value !== undefined ? d.value : d;
  }

  // Reload one tree node in place, open if it was open (or when asked).
  function refreshNode(id, forceOpen) {
    var node = document.querySelector('[data-tree-node="' + id + '"]');
    if (!node || !window.htmx) return;
    var branch = node.querySelector(":scope > details");
    var url = node.getAttribute("data-node-url");
    if (forceOpen || (branch && branch.open)) url += (url.indexOf("?") < 0 ? "?" : "&") + "open=1";
    window.htmx.ajax("GET", url, { target: node, swap: "outerHTML" });
  }

  document.addEventListener("accountChanged", function (event) {
    refreshNode(value(event), false);
  });

  document.addEventListener("accountCreated", function (event) {
    var created = value(event) || {};
    if (created.parent) refreshNode(created.parent, true);
    var list = document.querySelector("[data-refresh-list] .listview");
    if (list && window.htmx) {
      window.htmx.ajax("GET", window.location.pathname + window.location.search, {
        target: list,
        swap: "outerHTML",
      });
    }
  });
})();
