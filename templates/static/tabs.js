// Tabsets (::: {.panel-tabset}). The page holds each panel under its own heading, so that without
// JavaScript the panels read in order; this turns them into ARIA tabs (WAI-ARIA Authoring Practices,
// "Tabs with automatic activation"): one tab stop, Left/Right arrows, Home/End. Tabsets of the same
// group="…" switch together and the choice is remembered.
(function () {
  "use strict";
  var STORE = "atelier-onglets-";
  var sets = [];

  function remember(group, label) {
    try { localStorage.setItem(STORE + group, label); } catch (e) { /* storage off: no memory */ }
  }
  function remembered(group) {
    try { return localStorage.getItem(STORE + group); } catch (e) { return null; }
  }
  function label(heading) {
    var copy = heading.cloneNode(true);
    copy.querySelectorAll(".ancre, .numero").forEach(function (el) { el.remove(); });
    return copy.textContent.trim();
  }

  function setUp(box, n) {
    var panels = Array.prototype.filter.call(box.children, function (el) {
      return el.classList.contains("tab-panel");
    });
    if (!panels.length) { return; }
    var list = document.createElement("div");
    list.className = "tablist";
    list.setAttribute("role", "tablist");
    var set = { box: box, group: box.getAttribute("data-group") || "", tabs: [], panels: panels, labels: [] };
    panels.forEach(function (panel, i) {
      var heading = panel.firstElementChild;
      var text = heading && /^H[1-6]$/.test(heading.tagName) ? label(heading) : "Onglet " + (i + 1);
      var tab = document.createElement("button");
      tab.type = "button";
      tab.className = "tab";
      tab.setAttribute("role", "tab");
      tab.id = "onglet-" + n + "-" + i;
      tab.textContent = text;
      if (!panel.id) { panel.id = "panneau-" + n + "-" + i; }
      tab.setAttribute("aria-controls", panel.id);
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      panel.tabIndex = 0;
      // The tab now shows the heading; kept for screen readers' heading navigation and for links to it.
      if (heading && /^H[1-6]$/.test(heading.tagName)) { heading.classList.add("visually-hidden"); }
      tab.addEventListener("click", function () { choose(set, i, false, true); });
      list.appendChild(tab);
      set.tabs.push(tab);
      set.labels.push(text);
    });
    list.addEventListener("keydown", function (event) {
      var current = set.tabs.indexOf(document.activeElement);
      if (current < 0) { return; }
      var last = set.tabs.length - 1;
      var next = { ArrowRight: current === last ? 0 : current + 1, ArrowLeft: current === 0 ? last : current - 1,
                   Home: 0, End: last }[event.key];
      if (next === undefined) { return; }
      event.preventDefault();
      choose(set, next, true, true);
    });
    box.insertBefore(list, panels[0]);
    box.classList.add("is-tabbed");
    sets.push(set);
    var saved = set.group ? remembered(set.group) : null;
    choose(set, Math.max(0, set.labels.indexOf(saved)), false, false);
  }

  function choose(set, index, focus, byReader) {
    set.tabs.forEach(function (tab, i) {
      var selected = i === index;
      tab.setAttribute("aria-selected", selected ? "true" : "false");
      tab.tabIndex = selected ? 0 : -1;
      set.panels[i].hidden = !selected;
    });
    if (focus) { set.tabs[index].focus(); }
    if (byReader && set.group) {
      var text = set.labels[index];
      remember(set.group, text);
      sets.forEach(function (other) {
        var j = other.labels.indexOf(text);
        if (other !== set && other.group === set.group && j >= 0) { choose(other, j, false, false); }
      });
    }
  }

  // A link to something inside a hidden panel (contents, search result, cross-reference) opens its tab.
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) { return; }
    sets.forEach(function (set) {
      set.panels.forEach(function (panel, i) {
        if (panel.contains(target) && panel.hidden) {
          choose(set, i, false, false);
          target.scrollIntoView();
        }
      });
    });
  }

  document.querySelectorAll(".panel-tabset").forEach(setUp);
  reveal();
  window.addEventListener("hashchange", reveal);
})();
