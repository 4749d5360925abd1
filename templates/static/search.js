// Search: "/" focuses the search field; the search page queries the Pagefind index built with the site.
(function () {
  "use strict";
  var script = document.currentScript;
  var siteRoot = new URL("../", script ? script.src : document.baseURI);
  var ELISION = /(^|[\s(«"'’])(?:c|d|j|l|m|n|s|t|qu|jusqu|lorsqu|puisqu|quoiqu)['’](?=\S)/gi;
  var LEADING_ELISION = /^(l|d|qu)(?=[aeiouyhàâäéèêëîïôöûü])/i;

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var field = document.getElementById("recherche") || document.getElementById("recherche-entete");
    if (field) {
      event.preventDefault();
      field.focus();
    }
  });

  var page = document.querySelector(".search-page");
  if (!page) return;
  var input = document.getElementById("recherche");
  var status = page.querySelector(".search-status");
  var list = page.querySelector(".search-results");
  var form = page.querySelector(".search-form");
  var pagefind = null;
  var latest = 0;

  function say(text) { status.textContent = text; }

  function normalise(query) {
    return query.replace(ELISION, "$1").replace(/\s+/g, " ").trim();
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

  function resultItem(data) {
    var item = document.createElement("li");
    item.className = "search-result";
    var title = document.createElement("a");
    title.href = data.url;
    title.className = "search-result-title";
    title.textContent = asWritten((data.meta && data.meta.title) || data.url);
    item.appendChild(title);
    var excerpt = document.createElement("p");
    appendExcerpt(excerpt, data.excerpt || "");
    item.appendChild(excerpt);
    var subs = (data.sub_results || []).filter(function (s) { return s.url !== data.url; }).slice(0, 3);
    if (subs.length) {
      var sublist = document.createElement("ul");
      subs.forEach(function (sub) {
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.href = sub.url;
        link.textContent = asWritten(sub.title);
        li.appendChild(link);
        var text = document.createElement("span");
        text.className = "search-sub-excerpt";
        text.appendChild(document.createTextNode(" — "));
        appendExcerpt(text, sub.excerpt || "");
        li.appendChild(text);
        sublist.appendChild(li);
      });
      item.appendChild(sublist);
    }
    return item;
  }

  async function run(raw) {
    var ticket = ++latest;
    var query = normalise(raw);
    list.replaceChildren();
    if (!query) { say("Saisissez un mot à chercher."); return; }
    var search = null;
    var bare = query.replace(LEADING_ELISION, "");
    if (bare !== query && bare.split(" ")[0].length >= 5) {
      // « lattention » typed without its apostrophe: « attention » wins when the course has it.
      search = await pagefind.search(bare);
      if (search.results.length === 0) search = null;
    }
    if (search === null) search = await pagefind.search(query);
    var results = await Promise.all(search.results.slice(0, 20).map(function (r) { return r.data(); }));
    if (ticket !== latest) return;
    results.forEach(function (data) { list.appendChild(resultItem(data)); });
    var n = search.results.length;
    say(n === 0 ? "Aucun résultat pour « " + raw.trim() + " »."
      : n + (n > 1 ? " résultats" : " résultat") + " pour « " + raw.trim() + " ».");
  }

  var timer = null;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var url = new URL(window.location.href);
      url.searchParams.set("q", input.value);
      history.replaceState(null, "", url);
      run(input.value);
    }, 120);
  }

  import(new URL("pagefind/pagefind.js", siteRoot).href).then(async function (module) {
    pagefind = module;
    await pagefind.options({ baseUrl: siteRoot.pathname, excerptLength: 24 });
    await pagefind.init();
    var initial = new URL(window.location.href).searchParams.get("q") || "";
    input.value = initial;
    input.addEventListener("input", schedule);
    form.addEventListener("submit", function (event) { event.preventDefault(); run(input.value); });
    if (initial) run(initial); else say("Saisissez un mot à chercher.");
  }).catch(function () {
    say(window.location.protocol === "file:"
      ? "Ouvert depuis un fichier, le site ne peut pas charger son index de recherche : lancez « python build.py serve »."
      : "L'index de recherche n'a pas pu être chargé.");
  });
})();
