// Teleportal front-end glue. No inline scripts anywhere: the CSP forbids them.
(function () {
  "use strict";

  // Every htmx request carries the CSRF token (Flask-WTF reads X-CSRFToken).
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) event.detail.headers["X-CSRFToken"] = meta.content;
  });

  // List view: "select all" and the bulk-action bar.
  function bulkForm(list) {
    return list ? list.querySelector("form[data-bulk]") : null;
  }
  function refreshBulk(list) {
    var form = bulkForm(list);
    if (!form) return;
    var boxes = list.querySelectorAll('input[name="ids"]');
    var n = 0;
    boxes.forEach(function (b) { if (b.checked) n += 1; });
    var counter = form.querySelector("[data-bulk-count]");
    if (counter) counter.textContent = n + " " + (counter.dataset.selectedText || "markerade");
    form.classList.toggle("has-selection", n > 0);  // phones: it sticks to the bottom
    form.querySelectorAll("[data-bulk-action]").forEach(function (button) { button.disabled = n === 0; });
    var all = list.querySelector("[data-select-all]");
    if (all) all.checked = n > 0 && n === boxes.length;
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    var list = target.closest(".listview");
    if (!list) return;
    if (target.matches("[data-select-all]")) {
      list.querySelectorAll('input[name="ids"]').forEach(function (b) { b.checked = target.checked; });
    }
    if (target.matches('[data-select-all], input[name="ids"]')) refreshBulk(list);
  });

  // Phones: the Filter button opens the column headings (sorting, filters).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-list-filters]");
    if (!button) return;
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.closest(".listview").classList.toggle("filters-open", open);
  });

  // Dialogs (UI-5): content swapped into <dialog id="dialog"> opens it; an
  // empty swap or the closeDialog event (HX-Trigger) closes it.
  function dialogEl() { return document.getElementById("dialog"); }
  function closeDialog() {
    var d = dialogEl();
    if (!d) return;
    if (d.open) d.close();
    placeToasts();
    d.innerHTML = "";
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    var d = dialogEl();
    if (!d || event.detail.target !== d) return;
    if (d.innerHTML.trim() === "") { closeDialog(); return; }
    if (!d.open) d.showModal();
    placeToasts();
    var first = d.querySelector("[aria-invalid=true]") ||
      d.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  });
  document.addEventListener("closeDialog", closeDialog);

  // Keyboard in the dialog (issue 20 item 3): Tab and Shift+Tab go round
  // inside it, and when it closes (×, Avbryt, Escape, after saving) the focus
  // goes back to what opened it, or to the page's heading where that is gone.
  var opener = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var d = dialogEl();
    if (!d || d.open || event.detail.target !== d) return;
    opener = document.activeElement && document.activeElement !== document.body
      ? document.activeElement : event.detail.elt;
  });
  function focusables(root) {
    return Array.prototype.filter.call(
      root.querySelectorAll('a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), ' +
        'select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])'),
      function (el) { return el.offsetParent !== null || el === document.activeElement; });
  }
  document.addEventListener("keydown", function (event) {
    var d = dialogEl();
    if (event.key !== "Tab" || !d || !d.open) return;
    var items = focusables(d);
    if (!items.length) return;
    var first = items[0];
    var last = items[items.length - 1];
    if (event.shiftKey && (document.activeElement === first || !d.contains(document.activeElement))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !d.contains(document.activeElement))) {
      event.preventDefault();
      first.focus();
    }
  });
  function returnFocus() {
    var target = opener;
    opener = null;
    if (!target || !target.isConnected) {
      // the opener was redrawn (a list or panel refreshed): its namesake, else the heading
      target = null;
      var heading = document.querySelector("main h1");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        target = heading;
      }
    }
    if (target) target.focus();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var d = dialogEl();
    if (d) d.addEventListener("close", function () { window.setTimeout(returnFocus, 0); });
  });

  // Lists (UI-4) announce their new state after an htmx swap (sorting, a
  // filter, a page, rows per page) in a polite live region that lives
  // outside the list, and the keyboard focus stays on the control that was
  // used (the same place in the redrawn list).
  var listFocus = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var list = event.detail.target;
    listFocus = null;
    if (!list || !list.classList || !list.classList.contains("listview")) return;
    var active = document.activeElement;
    if (active && list.contains(active)) {
      // inside a column's filter: back to that column's funnel (the
      // popover is closed in the redrawn list)
      var filter = active.closest("details.col-filter");
      listFocus = filter
        ? { id: list.id, filter: Array.prototype.indexOf.call(list.querySelectorAll("details.col-filter"), filter) }
        : { id: list.id, index: focusables(list).indexOf(active) };
    }
  });
  function listStatus() {
    var region = document.getElementById("list-status");
    if (!region) {
      region = document.createElement("div");
      region.id = "list-status";
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    return region;
  }
  document.addEventListener("DOMContentLoaded", listStatus);
  document.addEventListener("htmx:afterSettle", function (event) {
    var elt = event.target;
    // The list swapped whole, or its counted pager arriving after an
    // uncounted page (ListView._part): either way the count is announced.
    var pager = elt && elt.classList && elt.classList.contains("pager");
    var list = elt && elt.classList && elt.classList.contains("listview") ? elt
      : pager ? elt.closest(".listview")
      : (listFocus && document.getElementById(listFocus.id));
    if (!list || !list.isConnected || !list.classList.contains("listview")) return;
    var count = list.querySelector(".pager .count");
    var empty = list.querySelector("tr.empty");
    var sorted = list.querySelector("th[aria-sort]");
    // The sentences come from the page, in its language (partials/_listview.html).
    function said(name, fallback, value) {
      return (list.getAttribute(name) || fallback).replace("{}", value);
    }
    var text = said("data-announce", "Listan är uppdaterad: {}", empty ? empty.textContent.trim()
      : (count ? count.textContent.trim() : ""));
    if (sorted) {
      var column = sorted.textContent.replace(/[↑↓]/g, "").trim();
      text += sorted.getAttribute("aria-sort") === "descending"
        ? said("data-announce-desc", ", sorterad på {} fallande", column)
        : said("data-announce-asc", ", sorterad på {} stigande", column);
    }
    listStatus().textContent = text + ".";
    if (listFocus && listFocus.id === list.id) {
      var target = null;
      if (listFocus.filter >= 0) {
        var funnel = list.querySelectorAll("details.col-filter")[listFocus.filter];
        target = funnel && funnel.querySelector("summary");
      } else if (listFocus.index >= 0) {
        var items = focusables(list);
        target = items[Math.min(listFocus.index, items.length - 1)];
      }
      if (target) target.focus();
    }
    listFocus = null;
  });
  document.addEventListener("click", function (event) {
    var closer = event.target.closest("[data-close-dialog]");
    if (closer && closer.closest("#dialog")) {
      event.preventDefault();
      closeDialog();
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target !== dialogEl()) return;
    // Show server error pages for dialogs instead of failing silently.
    if (event.detail.xhr.status >= 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
    // the swap replaces the dialog's content: keep the toasts out of it
    var region = toastRegion();
    if (region && region.parentNode === event.detail.target) document.body.appendChild(region);
  });

  // Close an open filter popover when clicking elsewhere or pressing Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.col-filter[open], details.usermenu[open], details.more-menu[open]").forEach(function (d) {
      if (!d.contains(event.target)) d.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.col-filter[open], details.usermenu[open], details.more-menu[open]").forEach(function (d) {
      // Mer: focus back on its summary when it was inside (keyboard use)
      if (d.classList.contains("more-menu") && d.contains(document.activeElement)) {
        d.querySelector("summary").focus();
      }
      d.removeAttribute("open");
    });
  });

  // Feedback after every action: the showMessage event (HX-Trigger, see
  // web/dialogs.py) and success flashes become a toast in the polite live
  // region, so screen readers announce it; it goes after a while or on ×.
  // While a modal dialog is open everything outside it is inert and a live
  // region there is not announced, so the region moves into the open dialog
  // and back out when the dialog closes.
  var TOAST_MS = 6000;
  var toasts = null;
  function toastRegion() {
    toasts = toasts || document.getElementById("toasts");
    return toasts;
  }
  function placeToasts() {
    var region = toastRegion();
    var d = dialogEl();
    if (!region || !d) return;
    var home = d.open ? d : document.body;
    if (region.parentNode !== home) home.appendChild(region);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var d = dialogEl();
    if (d) d.addEventListener("close", placeToasts);  // Escape closes it too
  });
  function showToast(text) {
    var region = toastRegion();
    if (!region || !text) return;
    var toast = document.createElement("div");
    toast.className = "toast";
    var body = document.createElement("span");
    body.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("aria-label", "Stäng meddelandet");
    close.textContent = "×";
    close.addEventListener("click", function () { toast.remove(); });
    toast.appendChild(body);
    toast.appendChild(close);
    region.appendChild(toast);
    window.setTimeout(function () { toast.remove(); }, TOAST_MS);
  }
  document.addEventListener("showMessage", function (event) {
    var detail = event.detail;
    var text = typeof detail === "string" ? detail : (detail && (detail.value || detail.text));
    // after the answer's other events, so a dialog that closes is closed
    window.setTimeout(function () { placeToasts(); showToast(text); }, 0);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".flash[data-toast]").forEach(function (flash) {
      var text = flash.textContent.trim();
      flash.remove();
      // after load, so the live region announces it
      window.setTimeout(function () { showToast(text); }, 50);
    });
  });

  // Busy forms: the button that sent a form shows a spinner (.is-busy) until
  // the answer comes. htmx disables a dialog's fields meanwhile
  // (hx-disabled-elt); a plain form's submit buttons are disabled here, once
  // the browser has taken the form's values (a disabled button would not
  // send its own name), so a second click sends nothing.
  var busyButtons = new WeakMap();
  var heldButtons = new WeakMap();
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var cause = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    var button = cause && cause.submitter ? cause.submitter : null;
    if (!button && elt.matches("button")) button = elt;
    if (button) {
      button.classList.add("is-busy");
      busyButtons.set(elt, button);
    }
    // other htmx forms that post (not the dialogs, which say hx-disabled-elt)
    if (elt.matches("form[hx-post]") && !elt.closest("[hx-disabled-elt]")) {
      var held = Array.prototype.filter.call(
        elt.querySelectorAll("[type=submit]"), function (b) { return !b.disabled; });
      held.forEach(function (b) { b.disabled = true; });
      heldButtons.set(elt, held);
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var button = busyButtons.get(event.detail.elt);
    if (button) button.classList.remove("is-busy");
    (heldButtons.get(event.detail.elt) || []).forEach(function (b) { b.disabled = false; });
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.hasAttribute("hx-post") || form.method !== "post") return;
    if (form.classList.contains("is-submitting")) {
      event.preventDefault();
      return;
    }
    form.classList.add("is-submitting");
    var button = event.submitter || form.querySelector("[type=submit]");
    if (button) button.classList.add("is-busy");
    window.setTimeout(function () {
      form.querySelectorAll("[type=submit]:not([disabled])").forEach(function (b) {
        b.disabled = true;
        b.setAttribute("data-busy-disabled", "");
      });
    }, 0);
  });
  // Back to a page from the browser's cache: its forms can be sent again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form.is-submitting").forEach(function (form) {
      form.classList.remove("is-submitting");
    });
    document.querySelectorAll("[data-busy-disabled]").forEach(function (b) {
      b.disabled = false;
      b.removeAttribute("data-busy-disabled");
    });
    document.querySelectorAll(".is-busy").forEach(function (b) { b.classList.remove("is-busy"); });
  });

  // The main menu behind the Meny button (narrow screens, static/app.css):
  // opens and closes on the button, closes on Escape or a click elsewhere.
  function menuButton() { return document.querySelector(".menu-button"); }
  function setMenu(open) {
    var button = menuButton();
    if (button) button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  document.addEventListener("click", function (event) {
    var button = menuButton();
    if (!button) return;
    if (button.contains(event.target)) {
      setMenu(button.getAttribute("aria-expanded") !== "true");
    } else if (!event.target.closest(".mainmenu")) {
      setMenu(false);
    }
  });
  document.addEventListener("keydown", function (event) {
    var button = menuButton();
    if (event.key !== "Escape" || !button || button.getAttribute("aria-expanded") !== "true") return;
    var inMenu = event.target.closest && event.target.closest(".mainnav");
    setMenu(false);
    if (inMenu) button.focus();
  });
  // Where the width would fit the menu but a long name (operator, user, a
  // language) does not, the menu goes behind the button too (.compact).
  function fitTopbar() {
    var bar = document.querySelector(".topbar");
    var menu = bar && bar.querySelector(".mainmenu");
    if (!menu) return;
    bar.classList.remove("compact");
    if (window.getComputedStyle(menu).position === "absolute") return;  // collapsed by width
    var last = menu.lastElementChild;
    var overflows = menu.scrollWidth > menu.clientWidth + 1 ||
      (last && last.getBoundingClientRect().right > bar.getBoundingClientRect().right);
    bar.classList.toggle("compact", overflows);
  }
  document.addEventListener("DOMContentLoaded", fitTopbar);
  window.addEventListener("resize", fitTopbar);
})();
