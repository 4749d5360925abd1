// Site behaviour: theme toggle (persisted), mobile menu. Everything works without it.
(function () {
  "use strict";
  var root = document.documentElement;

  function currentTheme() {
    var explicit = root.getAttribute("data-theme");
    if (explicit) return explicit;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  var toggle = document.querySelector(".theme-toggle");
  if (toggle) {
    var label = toggle.querySelector(".theme-toggle-label");
    var sync = function () {
      var dark = currentTheme() === "dark";
      toggle.setAttribute("aria-pressed", dark ? "true" : "false");
      if (label) label.textContent = dark ? "Thème clair" : "Thème sombre";
    };
    toggle.hidden = false;
    sync();
    toggle.addEventListener("click", function () {
      var next = currentTheme() === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem("atelier-theme", next); } catch (e) { /* not persisted */ }
      sync();
    });
  }

  var menu = document.querySelector(".menu-toggle");
  var sidebar = document.getElementById("sommaire");
  if (menu && sidebar) {
    menu.hidden = false;
    document.body.classList.add("has-menu-toggle");
    menu.addEventListener("click", function () {
      var open = menu.getAttribute("aria-expanded") !== "true";
      menu.setAttribute("aria-expanded", open ? "true" : "false");
      sidebar.classList.toggle("is-open", open);
    });
  }
})();
