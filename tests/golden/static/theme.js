// Applies the saved colour theme before the first paint (kept tiny: it is the only blocking script).
// The "js" class lets the stylesheet lay out the page as site.js will leave it (no layout shift).
(function () {
  document.documentElement.classList.add("js");
  try {
    var saved = localStorage.getItem("atelier-theme");
    if (saved === "dark" || saved === "light") {
      document.documentElement.setAttribute("data-theme", saved);
    }
  } catch (e) {
    // Storage can be disabled (private mode, file://): the OS preference then applies.
  }
})();
