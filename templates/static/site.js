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
    menu.addEventListener("click", function () {
      var open = menu.getAttribute("aria-expanded") !== "true";
      menu.setAttribute("aria-expanded", open ? "true" : "false");
      sidebar.classList.toggle("is-open", open);
    });
  }
})();

// Reading comfort: copy buttons, scroll-spy, footnotes in place, reading position and progress.
(function () {
  "use strict";
  var STORE = "atelier-lecture:";

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function readProgress(url) {
    var store = storage();
    if (!store) return null;
    try { return JSON.parse(store.getItem(STORE + url) || "null"); } catch (e) { return null; }
  }

  // Wide code, tables and formulas scroll sideways: make those regions reachable with the keyboard.
  var scrollables = function () {
    document.querySelectorAll("pre, main table, .math, .att-table-wrap").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1) el.setAttribute("tabindex", "0");
      else if (el.getAttribute("tabindex") === "0") el.removeAttribute("tabindex");
    });
  };
  scrollables();
  var resizing = null;
  window.addEventListener("resize", function () { clearTimeout(resizing); resizing = setTimeout(scrollables, 200); });

  // « Copier » on every code block, with « Copié ! » feedback announced to screen readers.
  document.querySelectorAll("div.code").forEach(function (block) {
    var code = block.querySelector("code");
    if (!code) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copier";
    button.setAttribute("aria-label", "Copier le code");
    var live = document.createElement("span");
    live.className = "visually-hidden";
    live.setAttribute("role", "status");
    button.addEventListener("click", function () {
      var text = code.textContent;
      var done = function () {
        button.textContent = "Copié\u202f!";
        live.textContent = "Code copié dans le presse-papiers";
        setTimeout(function () { button.textContent = "Copier"; live.textContent = ""; }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { button.textContent = "Échec de la copie"; });
      } else {
        var area = document.createElement("textarea");
        area.value = text;
        area.setAttribute("readonly", "");
        area.className = "visually-hidden";
        document.body.appendChild(area);
        area.select();
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
        document.body.removeChild(area);
        if (ok) done(); else button.textContent = "Copie impossible";
      }
    });
    block.appendChild(button);
    block.appendChild(live);
  });

  // Scroll-spy: the « Sur cette page » entry of the section being read.
  var tocLinks = Array.prototype.slice.call(document.querySelectorAll(".page-toc a[href^='#']"));
  if (tocLinks.length && "IntersectionObserver" in window) {
    var byId = {};
    tocLinks.forEach(function (a) { byId[decodeURIComponent(a.hash.slice(1))] = a; });
    var headings = Object.keys(byId).map(function (id) { return document.getElementById(id); })
      .filter(Boolean);
    var visible = {};
    var mark = function () {
      var current = null;
      headings.forEach(function (h) {
        if (h.getBoundingClientRect().top < window.innerHeight * 0.3) current = h;
      });
      current = current || headings[0];
      tocLinks.forEach(function (a) { a.removeAttribute("aria-current"); a.classList.remove("is-active"); });
      if (current && byId[current.id]) {
        byId[current.id].setAttribute("aria-current", "location");
        byId[current.id].classList.add("is-active");
      }
    };
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) { visible[e.target.id] = e.isIntersecting; });
      mark();
    }, { rootMargin: "0px 0px -60% 0px" });
    headings.forEach(function (h) { observer.observe(h); });
    window.addEventListener("scroll", function () { window.requestAnimationFrame(mark); }, { passive: true });
    mark();
  }

  // A tooltip shown while its anchor is hovered or focused, kept inside the viewport, closed by Escape.
  function attachTooltip(anchor, tip) {
    anchor.setAttribute("aria-describedby", tip.id);
    var show = function () {
      tip.hidden = false;
      tip.style.left = "0px";  // CSSOM, allowed by the CSP (only style attributes in markup are not)
      var over = tip.getBoundingClientRect().right - (document.documentElement.clientWidth - 8);
      if (over > 0) tip.style.left = (-over) + "px";
    };
    var hide = function () { tip.hidden = true; };
    anchor.addEventListener("mouseenter", show);
    anchor.addEventListener("focus", show);
    anchor.addEventListener("mouseleave", hide);
    anchor.addEventListener("blur", hide);
    anchor.addEventListener("keydown", function (e) { if (e.key === "Escape") hide(); });
  }

  // Footnotes readable in place: hovering or focusing a call shows the note beside it.
  document.querySelectorAll(".footnote-ref a[href^='#fn']").forEach(function (ref, i) {
    var note = document.getElementById(decodeURIComponent(ref.hash.slice(1)));
    if (!note) return;
    var tip = document.createElement("span");
    tip.className = "footnote-popover";
    tip.id = "note-apercu-" + (i + 1);
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    note.childNodes.forEach(function (child) {
      var copy = child.cloneNode(true);
      if (copy.querySelectorAll) copy.querySelectorAll(".footnote-backref").forEach(function (b) { b.remove(); });
      tip.appendChild(copy);
    });
    ref.parentNode.appendChild(tip);
    attachTooltip(ref, tip);
  });

  // Glossary terms: the definition in place. Hovering or focusing a term shows it (the term's description for
  // screen readers); on a touch screen the first tap shows it (aria-expanded), a second tap on the term or the
  // link inside the bubble goes to the glossary. Escape, a tap elsewhere or leaving the term closes it.
  var lastPointer = "mouse";
  document.addEventListener("pointerdown", function (e) { lastPointer = e.pointerType || "mouse"; }, true);
  var openTerms = [];
  document.querySelectorAll("a.terme[data-definition]").forEach(function (link, i) {
    var wrap = document.createElement("span");
    wrap.className = "terme-wrap";
    link.parentNode.insertBefore(wrap, link);
    wrap.appendChild(link);
    var bubble = document.createElement("span");
    bubble.className = "footnote-popover terme-popover";
    bubble.id = "definition-" + (i + 1) + "-bulle";
    bubble.hidden = true;
    var text = document.createElement("span");
    text.id = "definition-" + (i + 1);
    text.setAttribute("role", "tooltip");
    text.textContent = link.getAttribute("data-definition");
    var more = document.createElement("a");
    more.className = "terme-popover-lien";
    more.href = link.href;
    more.textContent = "Voir dans le glossaire";
    bubble.appendChild(text);
    bubble.appendChild(document.createTextNode(" "));
    bubble.appendChild(more);
    wrap.appendChild(bubble);
    link.setAttribute("aria-describedby", text.id);
    link.setAttribute("aria-controls", bubble.id);
    link.setAttribute("aria-expanded", "false");
    var tapped = false, hovered = false, escaping = false;
    var term = { close: function () { hide(true); }, wrap: wrap };
    function show() {
      if (escaping) return;
      bubble.hidden = false;
      link.setAttribute("aria-expanded", "true");
      bubble.style.left = "0px";  // CSSOM, allowed by the CSP (only style attributes in markup are not)
      var over = bubble.getBoundingClientRect().right - (document.documentElement.clientWidth - 8);
      if (over > 0) bubble.style.left = (-over) + "px";
      // Below the term, or above it when it would end off screen (a phone): its link must stay reachable.
      bubble.classList.remove("is-above");
      var box = bubble.getBoundingClientRect(), anchor = link.getBoundingClientRect();
      if (box.bottom > window.innerHeight - 8 && anchor.top - box.height > 72) bubble.classList.add("is-above");
      if (openTerms.indexOf(term) < 0) openTerms.push(term);
    }
    function hide(force) {
      if (!force && (tapped || hovered || wrap.contains(document.activeElement))) return;
      tapped = false;
      bubble.hidden = true;
      link.setAttribute("aria-expanded", "false");
      openTerms = openTerms.filter(function (t) { return t !== term; });
    }
    wrap.addEventListener("mouseenter", function () { if (lastPointer === "mouse") { hovered = true; show(); } });
    wrap.addEventListener("mouseleave", function () { hovered = false; hide(false); });
    link.addEventListener("focus", show);
    wrap.addEventListener("focusout", function (e) {
      if (!e.relatedTarget || !wrap.contains(e.relatedTarget)) hide(false);
    });
    wrap.addEventListener("keydown", function (e) {
      if (e.key !== "Escape" || bubble.hidden) return;
      escaping = true;
      hide(true);
      link.focus();  // from the link inside the bubble: back to the term, without opening it again
      escaping = false;
    });
    link.addEventListener("click", function (e) {
      var touch = (e.pointerType || lastPointer) === "touch" || (e.pointerType || lastPointer) === "pen";
      if (!touch || tapped) return;  // a mouse click, Enter, or the second tap: the glossary
      e.preventDefault();
      openTerms.slice().forEach(function (t) { if (t !== term) t.close(); });
      tapped = true;
      show();
    });
  });
  document.addEventListener("pointerdown", function (e) {
    openTerms.slice().forEach(function (t) { if (!t.wrap.contains(e.target)) t.close(); });
  });

  // Reading position per chapter, kept in localStorage only (no cookie, nothing sent anywhere).
  var body = document.body;
  var pageUrl = body.getAttribute("data-page-url");
  var article = document.querySelector("article.chapter");
  var store = storage();
  if (article && store && pageUrl) {
    var saved = readProgress(pageUrl);
    var save = function () {
      var rect = article.getBoundingClientRect();
      var total = Math.max(1, article.offsetHeight - window.innerHeight * 0.5);
      var ratio = Math.min(1, Math.max(0, -rect.top / total));
      var anchor = null;
      article.querySelectorAll("h2[id], h3[id]").forEach(function (h) {
        if (h.getBoundingClientRect().top < 80) anchor = h.id;
      });
      var previous = readProgress(pageUrl) || { max: 0 };
      try {
        store.setItem(STORE + pageUrl, JSON.stringify({
          ratio: Math.round(ratio * 100) / 100, anchor: anchor,
          max: Math.max(previous.max || 0, Math.round(ratio * 100) / 100)
        }));
      } catch (e) { /* storage full or disabled: nothing saved */ }
    };
    var pending = null;
    window.addEventListener("scroll", function () {
      clearTimeout(pending);
      pending = setTimeout(save, 250);
    }, { passive: true });
    if (saved && saved.ratio > 0.03 && saved.ratio < 0.97 && !window.location.hash) {
      var resume = document.createElement("p");
      resume.className = "resume-reading";
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = "Reprendre la lecture";
      var where = saved.anchor && document.getElementById(saved.anchor);
      var label = where ? where.textContent.replace(/#$/, "").trim() : Math.round(saved.ratio * 100) + " %";
      button.setAttribute("aria-label", "Reprendre la lecture à « " + label + " »");
      var detail = document.createElement("span");
      detail.className = "resume-detail";
      detail.textContent = " (" + label + ")";
      button.addEventListener("click", function () {
        if (where) where.scrollIntoView();
        else window.scrollTo(0, article.offsetTop + saved.ratio * article.offsetHeight);
        resume.remove();
      });
      resume.appendChild(button);
      resume.appendChild(detail);
      var header = article.querySelector(".chapter-header");
      header.parentNode.insertBefore(resume, header.nextSibling);
    }
  }

  // Per-chapter progress marker in the sidebar.
  document.querySelectorAll(".sidebar-list > li > a").forEach(function (link) {
    var url = link.getAttribute("href").split("/").pop();
    var progress = readProgress(url);
    if (!progress || !progress.max) return;
    var percent = Math.round(progress.max * 100);
    var marker = document.createElement("span");
    marker.className = "progress-marker" + (percent >= 90 ? " is-done" : "");
    marker.textContent = percent >= 90 ? "✓ lu" : percent + " %";
    marker.setAttribute("aria-label", percent >= 90 ? "chapitre lu" : "lu à " + percent + " %");
    link.appendChild(document.createTextNode(" "));
    link.appendChild(marker);
  });
})();

// Self-check quizzes: the answer is checked in the page (nothing is sent anywhere); the feedback is
// announced by the quiz's live region. Without JavaScript, « Voir la réponse » (<details>) still works.
(function () {
  "use strict";
  var NNBSP = "\u202f";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[\s\u00a0\u202f]+/g, "").replace(/,/g, ".").replace(/[.!]+$/, "");
  }

  document.querySelectorAll(".quiz[data-reponse]").forEach(function (quiz) {
    var button = quiz.querySelector(".quiz-check");
    var feedback = quiz.querySelector(".quiz-feedback");
    var solution = quiz.querySelector(".quiz-solution");
    var field = quiz.querySelector(".quiz-text");
    var expected;
    try { expected = JSON.parse(quiz.getAttribute("data-reponse")); } catch (e) { return; }
    if (!button || !feedback || !Array.isArray(expected)) return;
    var pending = null;

    function say(text, state) {
      // Emptied first so that the same message is announced again after a new attempt.
      feedback.textContent = "";
      feedback.className = "quiz-feedback" + (state ? " is-" + state : "");
      clearTimeout(pending);
      pending = setTimeout(function () { feedback.textContent = text; }, 60);
    }

    function check() {
      var right;
      if (field) {
        var answer = fold(field.value);
        if (!answer) { say("Écrivez d’abord votre réponse.", ""); field.focus(); return; }
        right = expected.some(function (a) { return fold(String(a)) === answer; });
      } else {
        var chosen = Array.prototype.slice.call(quiz.querySelectorAll("input:checked"))
          .map(function (input) { return Number(input.value); });
        if (!chosen.length) { say("Choisissez d’abord une réponse.", ""); return; }
        right = chosen.length === expected.length && expected.every(function (n) { return chosen.indexOf(n) >= 0; });
      }
      if (right) {
        say("Bonne réponse" + NNBSP + "! L’explication est affichée ci-dessous.", "right");
        if (solution) solution.open = true;
      } else if (!field && expected.length > 1) {
        say("Pas tout à fait… Il y a " + expected.length + " bonnes réponses\u00a0: réessayez, ou ouvrez «" + NNBSP + "Voir la réponse" + NNBSP + "».", "wrong");
      } else {
        say("Pas tout à fait… Réessayez, ou ouvrez «" + NNBSP + "Voir la réponse" + NNBSP + "».", "wrong");
      }
    }

    button.hidden = false;
    button.addEventListener("click", check);
    if (field) {
      field.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); check(); }
      });
    }
  });
})();

// Printing: answers and folded callouts are printed open (CSS ::details-content does it where supported),
// then put back as they were.
(function () {
  "use strict";
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (d) {
      d.open = true;
      return true;
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();
