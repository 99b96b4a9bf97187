// Genvägar (GRP-5) and Sparade filter: no inline script (strict CSP).
(function () {
  "use strict";
  // The star saves the page as it is now: a list filtered or sorted in place
  // by htmx has pushed its state to the address bar after the page (and the
  // star's link) was rendered, so the dialog is asked for the current address.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-shortcut-star")) return;
    var target = new URL(event.detail.path, window.location.origin);
    target.searchParams.set("url", window.location.pathname + window.location.search);
    event.detail.path = target.pathname + target.search;
  });
  // Without htmx (or opened in a new tab) the link carries the current address too.
  document.addEventListener("click", function (event) {
    var star = event.target.closest && event.target.closest("[data-shortcut-star]");
    if (!star) return;
    var target = new URL(star.getAttribute("href"), window.location.origin);
    target.searchParams.set("url", window.location.pathname + window.location.search);
    star.setAttribute("href", target.pathname + target.search);
  }, true);
  // Saved: the star of the page it saved shows so (see base.html).
  document.addEventListener("shortcutSaved", function (event) {
    var star = document.querySelector("[data-shortcut-star]");
    var saved = event.detail && event.detail.value;
    if (!star || saved !== window.location.pathname + window.location.search) return;
    star.classList.add("saved");
    // The label in the user's language comes with the event (blueprints/shortcuts.py).
    var label = (event.detail && event.detail.label) || "Sparad som genväg – spara igen";
    star.setAttribute("title", label);
    star.setAttribute("aria-label", label);
    star.firstElementChild.textContent = "\u2605";
  });
  // A Sparade filter menu closes when one clicks elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.saved-filters[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
})();
