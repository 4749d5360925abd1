// Site behaviour: theme toggle (persisted), header height, menu drawer. Everything works without it.
(function () {
  "use strict";
  var root = document.documentElement;

  function currentTheme() {
    var explicit = root.getAttribute("data-theme");
    if (explicit) return explicit;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  // « Thème sombre » is a toggle button: its name stays, aria-pressed says whether the dark theme is on.
  var toggle = document.querySelector(".theme-toggle");
  if (toggle) {
    var sync = function () { toggle.setAttribute("aria-pressed", currentTheme() === "dark" ? "true" : "false"); };
    toggle.hidden = false;
    sync();
    toggle.addEventListener("click", function () {
      var next = currentTheme() === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem("atelier-theme", next); } catch (e) { /* not persisted */ }
      sync();
    });
  }

  // The header's real height (it grows with the text size) -> --header-height, which places anchors and
  // the sticky columns below it. Measured by a ResizeObserver, after layout: no forced layout at load.
  // Set only when it differs from the stylesheet's fallback (3.5rem): a custom property changed on the root
  // restyles every element of the page.
  var header = document.querySelector(".site-header");
  if (header && "ResizeObserver" in window) {
    var known = null;
    new ResizeObserver(function (entries) {
      var box = entries[0].borderBoxSize && entries[0].borderBoxSize[0];
      var height = Math.ceil(box ? box.blockSize : header.getBoundingClientRect().height);
      if (known === null) known = Math.ceil(3.5 * parseFloat(getComputedStyle(root).fontSize));
      if (height === known) return;
      known = height;
      root.style.setProperty("--header-height", height + "px");  // CSSOM: allowed by the CSP
    }).observe(header);
  }

  // Menu drawer (below 1152 px): over the reading position, holding the search field, « Sur cette page »
  // and the course contents (moved in while it is open, put back when it closes); focus stays inside;
  // Escape, a tap outside or following a link closes it.
  var menu = document.querySelector(".menu-toggle");
  var sidebar = document.getElementById("sommaire");
  if (!menu || !sidebar) return;
  var wide = window.matchMedia("(min-width: 72.01rem)");
  var drawer = document.createElement("div");
  drawer.className = "drawer";
  drawer.id = "tiroir";
  drawer.hidden = true;
  drawer.setAttribute("role", "dialog");
  drawer.setAttribute("aria-modal", "true");
  drawer.setAttribute("aria-labelledby", "tiroir-titre");
  drawer.innerHTML = '<div class="drawer-panel"><div class="drawer-head"><p class="drawer-title" id="tiroir-titre">Menu</p>' +
    '<button type="button" class="drawer-close icon-button" aria-label="Fermer" title="Fermer le menu">' +
    '<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18" ' +
    'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg></button></div></div>';
  var panel = drawer.firstChild;
  var closer = panel.querySelector(".drawer-close");
  document.body.appendChild(drawer);
  menu.setAttribute("aria-controls", "tiroir");
  menu.hidden = false;

  var moved = [];  // [element, placeholder] while the drawer is open
  var outside = [];
  function moveIn(element) {
    if (!element) return;
    var mark = document.createComment("");
    element.parentNode.insertBefore(mark, element);
    panel.appendChild(element);
    moved.push([element, mark]);
  }
  function focusable() {
    return Array.prototype.filter.call(
      panel.querySelectorAll("a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])"),
      function (el) { return !el.disabled && el.getClientRects().length > 0; });
  }
  function open() {
    moveIn(document.querySelector(".header-search"));
    moveIn(document.querySelector(".page-toc"));
    moveIn(sidebar);
    outside = Array.prototype.filter.call(document.body.children, function (el) { return el !== drawer && !el.inert; });
    outside.forEach(function (el) { el.inert = true; });
    drawer.hidden = false;
    root.classList.add("drawer-open");
    menu.setAttribute("aria-expanded", "true");
    var current = panel.querySelector(".page-toc a.is-active") || panel.querySelector(".sidebar a[aria-current='page']");
    if (current) {
      var top = current.getBoundingClientRect().top - panel.getBoundingClientRect().top;
      panel.scrollTop = Math.max(0, top - panel.clientHeight / 3);
    }
    closer.focus({ preventScroll: true });
  }
  function close(followingLink) {
    if (drawer.hidden) return;
    drawer.hidden = true;
    moved.forEach(function (pair) { pair[1].parentNode.replaceChild(pair[0], pair[1]); });
    moved = [];
    outside.forEach(function (el) { el.inert = false; });
    outside = [];
    root.classList.remove("drawer-open");
    menu.setAttribute("aria-expanded", "false");
    if (!followingLink) menu.focus({ preventScroll: true });
  }
  menu.addEventListener("click", function () { if (drawer.hidden) open(); else close(false); });
  closer.addEventListener("click", function () { close(false); });
  drawer.addEventListener("click", function (event) {
    if (event.target === drawer) close(false);  // the dimmed page around the panel
    else if (event.target.closest && event.target.closest("a[href]")) close(true);
  });
  drawer.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      close(false);
    } else if (event.key === "Tab") {
      var list = focusable();
      if (!list.length) return;
      var first = list[0], last = list[list.length - 1];
      if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
      else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
    }
  });
  var widen = function (event) { if (event.matches) close(true); };
  if (wide.addEventListener) wide.addEventListener("change", widen);
})();

// Reading comfort: copy buttons, scroll-spy, footnotes in place, reading position and progress.
(function () {
  "use strict";
  var STORE = "atelier-lecture:";
  var MIN_READ_SECONDS = 30;          // « ✓ lu » never comes sooner, however short the chapter
  var WORDS_PER_SECOND = 1000 / 60;   // nor before its words could be skimmed at 1,000 a minute

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function readProgress(url) {
    var store = storage();
    if (!store) return null;
    try { return JSON.parse(store.getItem(STORE + url) || "null"); } catch (e) { return null; }
  }

  // Wide code, tables and formulas scroll sideways: make those regions reachable with the keyboard.
  // Off-screen blocks are not laid out (content-visibility in site.css) and reading their widths would force
  // it: each block is reachable until a ResizeObserver, once the browser has laid it out, finds it fits.
  // Every width is read before any attribute is written: a write between two reads forces a new layout.
  var laidOut = function (el) {
    var probe = el.firstElementChild || el;
    return !probe.checkVisibility || probe.checkVisibility({ contentVisibilityAuto: true });
  };
  var scrollable = function (elements) {
    elements.filter(laidOut).map(function (el) { return [el, el.scrollWidth > el.clientWidth + 1]; })
      .forEach(function (pair) {
        if (pair[1]) pair[0].setAttribute("tabindex", "0");
        else if (pair[0].getAttribute("tabindex") === "0") pair[0].removeAttribute("tabindex");
      });
  };
  var wide = Array.prototype.slice.call(document.querySelectorAll("pre, main table, .math, .att-table-wrap"));
  if ("ResizeObserver" in window) {
    wide.forEach(function (el) { if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0"); });
    var sizes = new ResizeObserver(function (entries) { scrollable(entries.map(function (e) { return e.target; })); });
    wide.forEach(function (el) { sizes.observe(el); });
  } else {
    scrollable(wide);
  }

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
    headings.forEach(function (h) { observer.observe(h); });  // its first report, after layout, marks one
    window.addEventListener("scroll", function () { window.requestAnimationFrame(mark); }, { passive: true });
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
    // « ✓ lu » is earned by reading, not by jumping to the end: the end reached, most sections seen (their
    // heading came on screen) and a minimum time spent on the page while it was visible.
    var sections = Array.prototype.slice.call(article.querySelectorAll("h2[id], h3[id]"));
    var seen = {};
    ((saved && saved.seen) || []).forEach(function (id) { seen[id] = true; });
    var readTime = (saved && saved.time) || 0;  // seconds, over every visit
    var since = Date.now();
    var words = 0;
    var tick = function () {
      var now = Date.now();
      if (document.visibilityState !== "hidden") readTime += Math.min(now - since, 120000) / 1000;  // idle: 2 min
      since = now;
    };
    if ("IntersectionObserver" in window) {
      var seer = new IntersectionObserver(function (entries) {
        entries.forEach(function (e) {
          if (e.isIntersecting) { seen[e.target.id] = true; seer.unobserve(e.target); }
        });
      });
      sections.forEach(function (h) { if (!seen[h.id]) seer.observe(h); });
    }
    var save = function () {
      tick();
      var rect = article.getBoundingClientRect();
      var total = Math.max(1, article.offsetHeight - window.innerHeight * 0.5);
      var ratio = Math.round(Math.min(1, Math.max(0, -rect.top / total)) * 100) / 100;
      var anchor = null;
      var below = (parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop) || 64) + 16;
      sections.forEach(function (h) { if (h.getBoundingClientRect().top < below) anchor = h.id; });
      var ids = sections.filter(function (h) { return seen[h.id]; }).map(function (h) { return h.id; });
      var part = sections.length ? ids.length / sections.length : ratio;
      if (!words) words = (article.textContent.match(/\S+/g) || []).length;
      var minimum = Math.max(MIN_READ_SECONDS, words / WORDS_PER_SECOND);
      var previous = readProgress(pageUrl) || {};
      var done = previous.done === true || (ratio >= 0.9 && part >= 0.8 && readTime >= minimum);
      try {
        store.setItem(STORE + pageUrl, JSON.stringify({
          ratio: ratio, anchor: anchor, max: Math.max(previous.max || 0, ratio),
          part: Math.round(part * 100) / 100, seen: ids, time: Math.round(readTime), done: done
        }));
      } catch (e) { /* storage full or disabled: nothing saved */ }
    };
    var pending = null;
    window.addEventListener("scroll", function () {
      clearTimeout(pending);
      pending = setTimeout(save, 250);
    }, { passive: true });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") save(); else since = Date.now();
    });
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
    if (!progress) return;
    var done = progress.done === true;
    // The share of sections seen (older records only have the furthest position); 100 % is « ✓ lu ».
    var percent = Math.min(99, Math.round((typeof progress.part === "number" ? progress.part : progress.max || 0) * 100));
    if (!done && !percent) return;
    var marker = document.createElement("span");
    marker.className = "progress-marker" + (done ? " is-done" : "");
    marker.textContent = done ? "✓ lu" : percent + "\u202f%";
    marker.setAttribute("aria-label", done ? "chapitre lu" : "lu à " + percent + "\u202f%");
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
