// Bulk actions on Tjänster (blueprints/services/bulk.py). The selection is
// kept in sessionStorage per list, so ticks survive paging, sorting and
// filtering: {ids: [...], all: false, q: ""}. "Markera alla N träffar" makes
// it the list's filter instead (all: true, q: the list's query string); the
// server evaluates that filter again under the user's scope when it runs.
(function () {
  "use strict";

  function storageKey(name) { return "bulk:" + name; }
  function load(name) {
    try {
      var s = JSON.parse(window.sessionStorage.getItem(storageKey(name)) || "null");
      if (s && Array.isArray(s.ids)) return s;
    } catch (e) { /* a broken value starts afresh */ }
    return { ids: [], all: false, q: "" };
  }
  function save(name, s) {
    window.sessionStorage.setItem(storageKey(name), JSON.stringify(s));
  }
  function withoutPage(q) {
    return (q || "").split("&").filter(function (p) {
      return p && p.indexOf("page=") !== 0 && p.indexOf("per_page=") !== 0 && p.indexOf("sort=") !== 0;
    }).sort().join("&");
  }

  function bar(list) { return list ? list.querySelector("[data-bulk-runs]") : null; }

  function render(list) {
    var runs = bar(list);
    if (!runs) return;
    var name = runs.dataset.list;
    var s = load(name);
    var boxes = list.querySelectorAll('input[name="ids"]');
    // The filter changed since "Markera alla träffar": that selection no longer holds.
    if (s.all && withoutPage(s.q) !== withoutPage(runs.dataset.query)) {
      s = { ids: [], all: false, q: "" };
      save(name, s);
    }
    var chosen = {};
    s.ids.forEach(function (id) { chosen[id] = true; });
    var onPage = 0;
    boxes.forEach(function (b) {
      b.checked = s.all || !!chosen[b.value];
      if (b.checked) onPage += 1;
    });
    // An uncounted page (a group filter) has no total yet: more than a page.
    var total = runs.dataset.total === "" ? Infinity : Number(runs.dataset.total);
    var n = s.all ? total : s.ids.length;
    var form = list.querySelector("form[data-bulk]");
    var counter = form && form.querySelector("[data-bulk-count]");
    if (counter) {
      counter.textContent = s.all ? runs.dataset.allText : n + " " + (counter.dataset.selectedText || "markerade");
    }
    if (form) {
      form.classList.toggle("has-selection", n > 0);
      form.querySelectorAll("[data-bulk-action]").forEach(function (b) { b.disabled = n === 0; });
    }
    runs.querySelectorAll("[data-bulk-run]").forEach(function (b) { b.disabled = n === 0; });
    var all = list.querySelector("[data-select-all]");
    if (all) all.checked = boxes.length > 0 && onPage === boxes.length;
    var everyOnPage = boxes.length > 0 && onPage === boxes.length;
    runs.querySelector("[data-bulk-all]").hidden =
      s.all || !everyOnPage || total <= boxes.length;
    runs.querySelector("[data-bulk-none]").hidden = n === 0;
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    var list = target.closest(".listview");
    var runs = bar(list);
    if (!runs || !target.matches('[data-select-all], input[name="ids"]')) return;
    var name = runs.dataset.list;
    var s = load(name);
    if (s.all) {  // unticking one row leaves "all matches": the page's ticks stay
      s = { ids: [], all: false, q: "" };
    }
    var boxes = target.matches("[data-select-all]") ? list.querySelectorAll('input[name="ids"]') : [target];
    boxes.forEach(function (b) {
      var i = s.ids.indexOf(b.value);
      if (b.checked && i < 0) s.ids.push(b.value);
      if (!b.checked && i >= 0) s.ids.splice(i, 1);
    });
    save(name, s);
    render(list);
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-bulk-all], [data-bulk-none], [data-bulk-run]");
    if (!button) return;
    var list = button.closest(".listview");
    var runs = bar(list);
    if (!runs) return;
    event.preventDefault();
    var name = runs.dataset.list;
    var s = load(name);
    if (button.matches("[data-bulk-all]")) {
      save(name, { ids: [], all: true, q: runs.dataset.query });
    } else if (button.matches("[data-bulk-none]")) {
      save(name, { ids: [], all: false, q: "" });
    } else {
      window.htmx.ajax("POST", runs.dataset.url, {
        target: "#dialog",
        swap: "innerHTML",
        values: {
          action: button.dataset.bulkRun,
          ids: s.all ? "" : s.ids.join(","),
          all: s.all ? "1" : "",
          q: s.all ? s.q : ""
        }
      });
      return;
    }
    render(list);
  });

  // "Exportera markerade" exports the whole selection, not only this page's
  // ticks: the ids of other pages go along as hidden fields; with every
  // match chosen, no ids at all (the export of the list's filter).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var list = form.closest(".listview");
    var runs = bar(list);
    if (!runs || !form.matches("form[data-bulk]")) return;
    form.querySelectorAll("[data-bulk-extra]").forEach(function (i) { i.remove(); });
    var s = load(runs.dataset.list);
    var boxes = list.querySelectorAll('input[name="ids"]');
    if (s.all) {
      boxes.forEach(function (b) { b.disabled = true; });
      window.setTimeout(function () { boxes.forEach(function (b) { b.disabled = false; }); }, 0);
      return;
    }
    var onPage = {};
    boxes.forEach(function (b) { onPage[b.value] = true; });
    s.ids.forEach(function (id) {
      if (onPage[id]) return;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "ids";
      input.value = id;
      input.setAttribute("data-bulk-extra", "");
      form.appendChild(input);
    });
  }, true);

  function renderAll() {
    document.querySelectorAll(".listview").forEach(render);
    // The result page of a run: the selection it was made from is used up.
    var done = document.querySelector("[data-bulk-finished]");
    if (done) window.sessionStorage.removeItem(storageKey(done.dataset.bulkFinished));
  }
  document.addEventListener("DOMContentLoaded", renderAll);
  document.addEventListener("htmx:afterSettle", renderAll);
}());
