// Search: an overlay over every page (opened by any .search-open element, the "/" key, or the header's search
// field), and the page recherche.html, which stays for readers without JavaScript. Both query the Pagefind
// index built with the site, loaded on the first search only.
//
// French queries: an elided article or pronoun is dropped only where it really is one: « l’attention »,
// « d'un », « qu’on » (with ' or ’), and « lattention » typed without its apostrophe only when the word as
// typed finds nothing; « décodeur », « données », « quadratique » are never cut. A result is shown only if
// a word it highlights matches a word of the query (Pagefind also returns loose prefix matches: « xyzzy »
// would otherwise show a page highlighting « X »).
(function () {
  "use strict";
  var script = document.currentScript;
  var siteRoot = new URL("../", script ? script.src : document.baseURI);
  var NNBSP = "\u202f";
  var ELIDED = "(?:c|d|j|l|m|n|s|t|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)";
  var ELISION = new RegExp("(^|[\\s(«\"])" + ELIDED + "['’](?=\\S)", "gi");
  // Typed without the apostrophe: tried only when the word as typed finds nothing.
  var GLUED = new RegExp("^(?:l|d|j|n|s|c|m|t|qu|jusqu|lorsqu|puisqu)(?=[aeiouyhàâäéèêëîïôöûü][^\\s]{3,}$)", "i");
  var MAX_RESULTS = 12;

  var loading = null;
  function engine() {
    if (!loading) {
      loading = import(new URL("pagefind/pagefind.js", siteRoot).href).then(async function (module) {
        await module.options({ baseUrl: siteRoot.pathname, excerptLength: 24 });
        await module.init();
        return module;
      });
    }
    return loading;
  }

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function normalise(query) {
    return query.replace(ELISION, "$1").replace(/[\s\u00a0\u202f]+/g, " ").trim();
  }

  // Words that say nothing of what is searched: they never make a result relevant on their own.
  var STOP = ["a", "au", "aux", "c", "ce", "d", "dans", "de", "des", "du", "en", "est", "et", "j", "l", "la", "le",
    "les", "m", "n", "ou", "par", "pour", "qu", "que", "qui", "s", "sur", "t", "un", "une"];

  function words(query) {
    var all = fold(query).split(/[^a-z0-9]+/).filter(function (w) { return w.length > 0; });
    var content = all.filter(function (w) { return STOP.indexOf(w) < 0; });
    return content.length ? content : all;
  }

  // A section whose title holds every word of the query comes first (« modèle de langage »: the section
  // titled « Qu’est-ce qu’un grand modèle de langage ? »).
  function titled(title, terms) {
    var pieces = fold(title || "").split(/[^a-z0-9]+/);
    return terms.every(function (t) { return pieces.some(function (p) { return p && matches(p, t); }); });
  }

  // A highlighted word matches a query word when they share a long enough beginning: « données » for
  // « donnees », « transformers » for « Transformer », « attentions » for « attention », not « X » for « xyzzy ».
  function matches(mark, term) {
    var a = fold(mark).replace(/[^a-z0-9]/g, ""), n = 0;
    while (n < a.length && n < term.length && a[n] === term[n]) n++;
    var need = Math.min(term.length, Math.max(3, Math.ceil(term.length * 0.6)));
    return n >= need && n >= Math.min(a.length, need);
  }

  function marksOf(html) {
    var found = [], re = /<mark>([^<]*)<\/mark>/g, m;
    while ((m = re.exec(html || ""))) found.push(m[1]);
    return found;
  }

  function relevant(html, terms) {
    return marksOf(html).some(function (mark) {
      return mark.split(/[\s’'\u200a-]+/).some(function (piece) {
        return terms.some(function (t) { return matches(piece, t); });
      });
    });
  }

  function weight(sub) {
    var w = (sub.weighted_locations || []).reduce(function (s, l) { return s + (l.balanced_score || 0); }, 0);
    return w || (sub.locations || []).length;
  }

  // The pages (and their sections, best first) whose highlighted words match the query.
  async function lookUp(pagefind, query) {
    var terms = words(query);
    if (!terms.length) return [];
    var search = await pagefind.search(query);
    var data = await Promise.all(search.results.slice(0, 20).map(function (r) { return r.data(); }));
    return data.map(function (page) {
      var subs = (page.sub_results || []).filter(function (s) { return relevant(s.excerpt, terms); })
        .map(function (s, i) { return { sub: s, order: i, titled: titled(s.title, terms), size: words(s.title || "").filter(function (w) { return /[a-z]/.test(w); }).length }; })
        .sort(function (a, b) {
          return b.titled - a.titled || (a.titled && a.size - b.size) || weight(b.sub) - weight(a.sub) || a.order - b.order;
        });
      return { page: page, subs: subs.map(function (x) { return x.sub; }), rank: subs.length && subs[0].titled,
        ok: subs.length > 0 || relevant(page.excerpt, terms) };
    }).filter(function (r) { return r.ok; })
      .map(function (r, i) { r.order = i; return r; })
      .sort(function (a, b) { return b.rank - a.rank || a.order - b.order; })
      .slice(0, MAX_RESULTS);
  }

  // Damerau-Levenshtein distance, given up beyond ``max``.
  function distance(a, b, max) {
    if (Math.abs(a.length - b.length) > max) return max + 1;
    var prev2 = null, prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
        cur.push(d);
        if (d < best) best = d;
      }
      if (best > max) return max + 1;
      prev2 = prev;
      prev = cur;
    }
    return prev[b.length];
  }

  // The course's words, most frequent first (built with the index), read only when a query finds nothing.
  var vocabulary = null;
  function words5() {
    if (!vocabulary) {
      vocabulary = fetch(new URL("pagefind/atelier-mots.json", siteRoot).href)
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (list) { return list.map(function (w) { return { word: w, folded: fold(w) }; }); })
        .catch(function () { return []; });
    }
    return vocabulary;
  }

  // A misspelt word (« atention », « hugginface ») becomes the most frequent word of the course one letter
  // away (two from 8 letters on); words of less than 5 letters are left alone.
  async function corrected(query) {
    var known = await words5(), changed = false;
    var fixed = query.split(" ").map(function (w) {
      var f = fold(w);
      if (f.length < 5 || known.some(function (k) { return k.folded === f; })) return w;
      var max = f.length >= 8 ? 2 : 1, best = null, bestD = max + 1;
      known.forEach(function (k) {
        if (bestD === 1 && best) return;
        var d = distance(f, k.folded, max);
        if (d < bestD) { bestD = d; best = k.word; }
      });
      if (best) { changed = true; return best; }
      return w;
    });
    return changed ? fixed.join(" ") : "";
  }

  // {results, instead}: ``instead`` is the query actually searched when it is not the one typed.
  async function find(pagefind, raw) {
    var query = normalise(raw);
    var found = await lookUp(pagefind, query);
    if (found.length) return { results: found, instead: "" };
    var parts = query.split(" "), changed = false;
    parts = parts.map(function (w) {
      var bare = w.replace(GLUED, "");
      if (bare !== w) changed = true;
      return bare;
    });
    if (changed) {
      found = await lookUp(pagefind, parts.join(" "));
      if (found.length) return { results: found, instead: "" };
    }
    var fixed = await corrected(query);
    if (fixed) {
      found = await lookUp(pagefind, fixed);
      if (found.length) return { results: found, instead: fixed };
    }
    return { results: [], instead: "" };
  }

  // The indexed copy separates elisions with a hair space (« l’ attention »): show text as the page has it.
  function asWritten(text) { return text.replace(/\u200a/g, ""); }

  function appendExcerpt(parent, html) {
    var cleaned = asWritten(html).replace(/’ (?=<mark>|\p{L})/gu, "’");
    var doc = new DOMParser().parseFromString("<p>" + cleaned + "</p>", "text/html");
    doc.body.firstChild.childNodes.forEach(function (node) {
      if (node.nodeType === 3) parent.appendChild(document.createTextNode(node.textContent));
      else if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        parent.appendChild(mark);
      }
    });
  }

  function resultItem(found) {
    var data = found.page;
    var item = document.createElement("li");
    item.className = "search-result";
    var title = document.createElement("a");
    title.href = data.url;
    title.className = "search-result-title";
    title.textContent = asWritten((data.meta && data.meta.title) || data.url);
    item.appendChild(title);
    var subs = found.subs.filter(function (s) { return s.url !== data.url; }).slice(0, 3);
    if (!subs.length) {  // else the first section's excerpt says the same
      var excerpt = document.createElement("p");
      appendExcerpt(excerpt, data.excerpt || "");
      item.appendChild(excerpt);
    }
    if (subs.length) {
      var sublist = document.createElement("ul");
      subs.forEach(function (sub) {
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.href = sub.url;
        link.className = "search-result-section";
        link.textContent = asWritten(sub.title);
        li.appendChild(link);
        var text = document.createElement("span");
        text.className = "search-sub-excerpt";
        text.appendChild(document.createTextNode(" — "));
        var said = asWritten(sub.excerpt || ""), heading = asWritten(sub.title || "") + " ";
        appendExcerpt(text, said.indexOf(heading) === 0 ? said.slice(heading.length) : said);  // title once
        li.appendChild(text);
        sublist.appendChild(li);
      });
      item.appendChild(sublist);
    }
    return item;
  }

  function quoted(text) { return "«" + NNBSP + text + NNBSP + "»"; }

  // Wires one search field to its status line and result list; returns run(query).
  function searcher(input, status, list, onQuery) {
    var latest = 0;
    var timer = null;
    function say(text) { status.textContent = text; }
    async function run(raw) {
      var ticket = ++latest;
      list.setAttribute("aria-busy", "true");
      var shown = raw.trim();
      var pagefind;
      try {
        pagefind = await engine();
      } catch (e) {
        list.replaceChildren();
        list.removeAttribute("aria-busy");
        say(window.location.protocol === "file:"
          ? "Ouvert depuis un fichier, le site ne peut pas charger son index de recherche" + NNBSP
            + ": lancez " + quoted("python build.py serve") + "."
          : "L’index de recherche n’a pas pu être chargé.");
        return;
      }
      var answer = normalise(raw) ? await find(pagefind, raw) : { results: [], instead: "" };
      if (ticket !== latest) return;
      var found = answer.results;
      list.replaceChildren();
      found.forEach(function (f) { list.appendChild(resultItem(f)); });
      list.removeAttribute("aria-busy");
      list.setAttribute("data-query", raw);
      var n = found.length;
      var count = n + (n > 1 ? " résultats" : " résultat");
      if (!shown) say("Saisissez un mot à chercher.");
      else if (n === 0) say("Aucun résultat pour " + quoted(shown) + ".");
      else if (answer.instead) say("Aucun résultat pour " + quoted(shown) + NNBSP + "; " + count + " pour "
        + quoted(answer.instead) + ".");
      else say(count + " pour " + quoted(shown) + ".");
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (onQuery) onQuery(input.value);
        run(input.value);
      }, 120);
    });
    return run;
  }

  // The page recherche.html (?q= in its address).
  var page = document.querySelector(".search-page");
  if (page) {
    var pageInput = document.getElementById("recherche");
    var runPage = searcher(pageInput, page.querySelector(".search-status"), page.querySelector(".search-results"),
      function (q) {
        var url = new URL(window.location.href);
        url.searchParams.set("q", q);
        history.replaceState(null, "", url);
      });
    page.querySelector(".search-form").addEventListener("submit", function (event) {
      event.preventDefault();
      runPage(pageInput.value);
    });
    var initial = new URL(window.location.href).searchParams.get("q") || "";
    pageInput.value = initial;
    page.querySelector(".search-status").textContent = "Saisissez un mot à chercher.";
    if (initial) runPage(initial);
    else engine().catch(function () { runPage(""); });  // say at once when the index cannot load (file://)
  }

  // The overlay: a modal <dialog> (focus kept inside, Escape closes), built on first use.
  var dialog = null, field = null, runOverlay = null, opener = null, quietFocus = false, closedAt = 0;

  // Chromium gives focus back to the element focused before the dialog opened, during close() and before
  // the close event: when that is the header's field, it must not open the overlay again.
  function shut() {
    closedAt = Date.now();
    dialog.close();
  }

  function build() {
    dialog = document.createElement("dialog");
    dialog.id = "recherche-overlay";
    dialog.className = "search-overlay";
    dialog.setAttribute("aria-labelledby", "recherche-overlay-titre");
    var panel = document.createElement("div");
    panel.className = "search-overlay-panel";
    var title = document.createElement("h2");
    title.id = "recherche-overlay-titre";
    title.className = "visually-hidden";
    title.textContent = "Recherche";
    var form = document.createElement("form");
    form.className = "search-overlay-form";
    form.setAttribute("role", "search");
    form.action = new URL("recherche.html", siteRoot).href;
    var label = document.createElement("label");
    label.className = "visually-hidden";
    label.htmlFor = "recherche-overlay-champ";
    label.textContent = "Rechercher dans le cours";
    field = document.createElement("input");
    field.id = "recherche-overlay-champ";
    field.className = "search-input";
    field.type = "search";
    field.name = "q";
    field.autocomplete = "off";
    field.placeholder = "Rechercher dans le cours…";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "search-overlay-close";
    close.textContent = "Fermer";
    close.setAttribute("aria-label", "Fermer la recherche");
    form.append(label, field, close);
    var status = document.createElement("p");
    status.className = "search-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    var list = document.createElement("ol");
    list.className = "search-results";
    list.setAttribute("aria-label", "Résultats de la recherche");
    panel.append(title, form, status, list);
    dialog.appendChild(panel);
    document.body.appendChild(dialog);
    runOverlay = searcher(field, status, list);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = list.querySelector("a");
      if (first && list.getAttribute("data-query") === field.value) first.click();
      else runOverlay(field.value);
    });
    close.addEventListener("click", shut);
    dialog.addEventListener("click", function (event) { if (event.target === dialog) shut(); });
    dialog.addEventListener("cancel", function () { closedAt = Date.now(); });  // Escape
    list.addEventListener("click", function (event) {
      if (event.target.closest("a")) shut();
    });
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {  // closes at once, even from a search field holding text (which it would clear)
        event.preventDefault();
        shut();
        return;
      }
      if (event.key !== "Tab") return;
      var stops = Array.prototype.filter.call(dialog.querySelectorAll("input, button, a[href]"),
        function (el) { return el.getClientRects().length > 0; });
      var first = stops[0], last = stops[stops.length - 1];
      if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
      else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
    });
    field.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        var first = list.querySelector("a");
        if (first) { event.preventDefault(); first.focus(); }
      }
    });
    dialog.addEventListener("close", function () {
      document.documentElement.classList.remove("search-is-open");
      var back = opener;
      opener = null;
      if (back && back.isConnected) {
        quietFocus = true;
        back.focus();
        quietFocus = false;
      }
    });
  }

  function open(query, from) {
    if (!dialog) build();
    opener = from || document.activeElement;
    if (!dialog.open) dialog.showModal();
    document.documentElement.classList.add("search-is-open");
    if (typeof query === "string" && query.trim()) field.value = query;
    field.focus();
    field.select();
    engine().catch(function () { /* reported by the first search */ });
    runOverlay(field.value);
  }

  if (page) {
    // On recherche.html the page itself is the search: "/" goes to its field.
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      event.preventDefault();
      document.getElementById("recherche").focus();
    });
    return;
  }

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (dialog && dialog.open) return;
    event.preventDefault();
    open("", document.activeElement);
  });

  document.addEventListener("click", function (event) {
    var trigger = event.target.closest && event.target.closest(".search-open");
    if (!trigger) return;
    event.preventDefault();
    open("", trigger);
  });

  var header = document.getElementById("recherche-entete");
  if (header) {
    header.addEventListener("focus", function () {
      // In the menu drawer (site.js) the field stays a field: the overlay would take focus out of the drawer.
      if (quietFocus || Date.now() - closedAt < 500 || header.closest(".drawer")) return;
      open(header.value, header);
    });
    header.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var closer = header.closest(".drawer") && document.querySelector(".drawer-close");
      if (closer) {  // submitted from the drawer: close it, then search; focus comes back to « Menu »
        closer.click();
        open(header.value, document.querySelector(".menu-toggle") || header);
        return;
      }
      open(header.value, header);
    });
  }
})();
