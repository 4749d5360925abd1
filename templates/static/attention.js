// Attention explorer: turns each static head-view figure (<figure class="attention" data-src>) into an
// explorer — layer and head pickers, token-by-token weights (mouse, touch, keyboard), an overview of
// every head — once its frozen JSON is fetched, lazily, when the figure nears the viewport. It opens as
// render.py drew it (the token the text talks about, with its links) and lays the drawing out at the
// column's width.
// No framework, no inline style: geometry goes through SVG attributes, looks through classes.
// Without this script (or from file://, where fetch cannot read files) the static figure stays as is.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var SCHEMA = 1;
  var MIN_DRAWN = 50; // same threshold as the static drawing (thousandths)

  function fmt(th) { // thousandths -> French decimal with two digits: 677 -> "0,68"
    return (Math.round(th / 10) / 100).toFixed(2).replace(".", ",");
  }
  // French spacing, as coursegen.text sets it in the chapters: « mot » with narrow no-break
  // spaces, and a no-break space before a colon.
  var COLON = "\u00a0: ";
  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function html(name, attrs, text) {
    var node = document.createElement(name);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function num(x) { return String(Math.round(x * 100) / 100); }

  function init(fig) {
    // The figure arrives with its reading sentence (render.py); the explorer keeps that line and its height.
    var status = fig.querySelector(".att-status");
    if (!status) {
      status = html("p", { "class": "att-status", role: "status", "aria-live": "polite" });
      fig.insertBefore(status, fig.firstChild);
    }
    function unavailable(text) {
      var note = html("p", { "class": "att-note" }, text);
      fig.insertBefore(note, status);
      fig.classList.add("att-static");
    }
    if (location.protocol === "file:") {
      unavailable("Explorateur indisponible quand la page est ouverte comme fichier (file://)" + COLON +
        "la figure reste statique. Servez le site (python build.py serve) pour l\u2019explorer.");
      return;
    }
    if (!window.fetch) {
      unavailable("Explorateur indisponible dans ce navigateur" + COLON + "la figure reste statique.");
      return;
    }
    var started = false;
    var start = function () {
      if (started) return;
      started = true;
      load(fig, status, unavailable);
    };
    if ("IntersectionObserver" in window) {
      var observer = new IntersectionObserver(function (entries) {
        for (var i = 0; i < entries.length; i++) {
          if (entries[i].isIntersecting) { observer.disconnect(); start(); return; }
        }
      }, { rootMargin: "300px 0px" });
      observer.observe(fig);
    } else {
      start();
    }
  }

  function load(fig, status, unavailable) {
    fetch(fig.getAttribute("data-src"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("erreur HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        var n = data.tokens ? data.tokens.length : 0;
        if (data.schema !== SCHEMA || data.kind !== "model" || !data.attention || !n ||
            data.attention[0][0].length !== n) {
          throw new Error("format de donn\u00e9es inattendu");
        }
        explorer(fig, status, data);
      })
      .catch(function (err) {
        unavailable("Explorateur indisponible (" + err.message + ")" + COLON + "la figure reste statique.");
      });
  }

  function explorer(fig, status, data) {
    var svg = fig.querySelector("svg.att-head-view");
    var table = fig.querySelector("table.att-table");
    var meta = fig.querySelector(".att-meta");
    var layers = data.model.layers, heads = data.model.heads;
    var modelName = String(data.model.id).split("/").pop();
    // The tokens as the model saw them (lower case, no accents, ## for the rest of a word), as drawn by render.py.
    var tokens = data.tokens.map(function (t) { return t.text; });
    var special = data.tokens.map(function (t) { return t.word === null; });
    var lang = data.lang || "fr";
    var n = tokens.length;
    var geo = { row: +svg.getAttribute("data-row"), top: +svg.getAttribute("data-top"),
      x1: +svg.getAttribute("data-x1"), x2: +svg.getAttribute("data-x2"), width: +svg.getAttribute("data-width") };
    var state = { layer: +fig.getAttribute("data-layer"), head: +fig.getAttribute("data-head"), selected: null };
    var focusAttr = fig.getAttribute("data-focus");
    var current = focusAttr === null ? Math.min(1, n - 1) : +focusAttr; // the token that takes Tab
    function centre(i) { return geo.top + i * geo.row + Math.floor(geo.row / 2); }
    function matrix() { return data.attention[state.layer - 1][state.head - 1]; }
    function where() { return "Couche " + state.layer + ", t\u00eate " + state.head; }

    // Controls: layer, head, all tokens, overview toggle.
    var controls = html("div", { "class": "att-controls" });
    function picker(text, count, value) {
      var label = html("label", { "class": "att-picker" });
      label.appendChild(document.createTextNode(text + " "));
      var select = html("select");
      for (var k = 1; k <= count; k++) {
        var option = html("option", { value: String(k) }, String(k));
        if (k === value) option.selected = true;
        select.appendChild(option);
      }
      label.appendChild(select);
      controls.appendChild(label);
      return select;
    }
    var layerSelect = picker("Couche", layers, state.layer);
    var headSelect = picker("T\u00eate", heads, state.head);
    var allButton = html("button", { type: "button", "class": "att-all-toggle", "aria-pressed": "false" },
      "Tous les jetons");
    controls.appendChild(allButton);
    var overviewButton = html("button", { type: "button", "class": "att-overview-toggle", "aria-expanded": "false" },
      "Vue d\u2019ensemble (" + layers + " \u00d7 " + heads + " t\u00eates)");
    controls.appendChild(overviewButton);
    var overview = html("div", { "class": "att-overview", hidden: "" });
    fig.insertBefore(controls, status);
    fig.insertBefore(overview, svg);
    fig.classList.add("att-ready");

    // The head view becomes interactive: tokens on the left form a listbox with one tab stop.
    svg.setAttribute("role", "group");
    var svgTitle = svg.querySelector("title"); // the description tells the first view only: the title stays
    if (svgTitle && svgTitle.id) svg.setAttribute("aria-labelledby", svgTitle.id);
    var linesGroup = svg.querySelector(".att-lines");
    var from = svg.querySelector(".att-col-from"), to = svg.querySelector(".att-col-to");
    var headings = svg.querySelectorAll(".att-heading");
    from.setAttribute("role", "listbox");
    from.setAttribute("aria-label", "Jetons qui regardent (fl\u00e8ches pour changer de jeton)");
    var fromTokens = [], toTokens = [], values = [];
    function wrap(text, i) {
      var g = el("g", { "class": "att-token" + (special[i] ? " att-special-token" : ""), "data-i": String(i) });
      g.appendChild(el("rect", { "class": "att-token-bg", rx: "3" }));
      text.parentNode.replaceChild(g, text);
      g.appendChild(text);
      return g;
    }
    Array.prototype.forEach.call(from.querySelectorAll("text"), function (text, i) {
      text.removeAttribute("class");
      var g = wrap(text, i);
      g.setAttribute("role", "option");
      g.setAttribute("tabindex", i === current ? "0" : "-1");
      g.setAttribute("aria-selected", "false");
      g.setAttribute("aria-posinset", String(i + 1));
      g.setAttribute("aria-setsize", String(n));
      fromTokens.push(g);
    });
    Array.prototype.forEach.call(to.querySelectorAll("text"), function (text, i) {
      text.removeAttribute("class");
      toTokens.push(wrap(text, i));
    });
    var valuesGroup = svg.querySelector(".att-values");
    if (!valuesGroup) {
      valuesGroup = el("g", { "class": "att-values", "text-anchor": "end" });
      svg.appendChild(valuesGroup);
    }
    while (valuesGroup.firstChild) valuesGroup.removeChild(valuesGroup.firstChild);
    for (var v = 0; v < n; v++) values.push(valuesGroup.appendChild(el("text", { "class": "att-value" })));

    // Geometry at the column's width, one user unit per CSS pixel: readable text and, on touch screens,
    // rows of at least 24 px (28). Only a change of width lays it out again: selecting never moves it.
    function textWidth(nodes) {
      var widest = 0;
      Array.prototype.forEach.call(nodes, function (t) {
        var w = 0;
        try { w = t.getComputedTextLength(); } catch (e) { w = 0; }
        widest = Math.max(widest, w || 8 * t.textContent.length);
      });
      return Math.ceil(widest);
    }
    var laidOutWidth = 0;
    function layout() {
      var avail = Math.floor(fig.clientWidth);
      if (!avail || avail === laidOutWidth) return;
      laidOutWidth = avail;
      var coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
      geo.row = coarse ? 28 : 24;
      var width = Math.min(avail, 760);
      var left = textWidth(from.querySelectorAll("text")), right = textWidth(to.querySelectorAll("text"));
      var valueWidth = 40, gap = 10;
      // The column headings sit above the first row, so they may reach over the lines: only the tokens
      // set the columns' widths, which leaves the lines more room on a phone.
      var leftX = left + 6;
      geo.x1 = leftX + gap;
      var rightX = width - valueWidth - gap - right;
      geo.x2 = rightX - gap;
      geo.width = width;
      var height = geo.top + n * geo.row + 8;
      svg.setAttribute("viewBox", "0 0 " + width + " " + height);
      svg.setAttribute("width", String(width));
      svg.setAttribute("height", String(height));
      headings[0].setAttribute("x", "2");
      headings[0].setAttribute("text-anchor", "start");
      headings[1].setAttribute("x", String(Math.min(rightX, width - 2 - textWidth([headings[1]]))));
      for (var i = 0; i < n; i++) {
        var y = centre(i);
        var ft = fromTokens[i], tt = toTokens[i];
        ft.lastChild.setAttribute("x", String(leftX));
        ft.lastChild.setAttribute("y", String(y + 5));
        tt.lastChild.setAttribute("x", String(rightX));
        tt.lastChild.setAttribute("y", String(y + 5));
        setBox(ft.firstChild, 2, y, leftX + 4);
        setBox(tt.firstChild, rightX - 4, y, width - 2 - (rightX - 4));
        values[i].setAttribute("x", String(width - 4));
        values[i].setAttribute("y", String(y + 5));
      }
      draw(state.selected);
    }
    function setBox(rect, x, y, w) {
      rect.setAttribute("x", String(x));
      rect.setAttribute("y", String(y - geo.row / 2 + 1));
      rect.setAttribute("width", String(w));
      rect.setAttribute("height", String(geo.row - 2));
    }

    function strongest(weights, i) {
      var best = 0;
      for (var j = 1; j < n; j++) if (weights[i][j] > weights[i][best]) best = j;
      return best;
    }

    function draw(shown) { // shown: index of the token whose weights are shown, or null for all
      var weights = matrix();
      while (linesGroup.firstChild) linesGroup.removeChild(linesGroup.firstChild);
      for (var i = 0; i < n; i++) {
        if (shown !== null && i !== shown) continue;
        for (var j = 0; j < n; j++) {
          var w = weights[i][j];
          if (shown === null ? w < MIN_DRAWN : w === 0) continue;
          var cls = shown === null ? "att-line" : "att-line att-line-hi";
          if (special[i] || special[j]) cls += " att-line-special";
          linesGroup.appendChild(el("line", {
            x1: String(geo.x1), y1: String(centre(i)), x2: String(geo.x2), y2: String(centre(j)),
            "stroke-width": num(0.5 + 5 * w / 1000), opacity: num(0.2 + 0.8 * w / 1000), "class": cls
          }));
        }
      }
      var best = shown === null ? -1 : strongest(weights, shown);
      for (var k = 0; k < n; k++) {
        fromTokens[k].classList.toggle("att-shown", k === shown);
        toTokens[k].classList.toggle("att-max", k === best);
        values[k].textContent = shown === null ? "" : fmt(weights[shown][k]);
      }
      svg.classList.toggle("att-one", shown !== null);
    }

    // The reading sentence, tokens marked with the sentence's language (read with the right voice).
    function say(parts) {
      while (status.firstChild) status.removeChild(status.firstChild);
      parts.forEach(function (part) {
        if (typeof part === "string") { status.appendChild(document.createTextNode(part)); return; }
        status.appendChild(document.createTextNode("\u00ab\u202f"));
        status.appendChild(html("span", { lang: lang }, part.token));
        status.appendChild(document.createTextNode("\u202f\u00bb"));
      });
    }
    function reading(i) {
      var weights = matrix();
      var j = strongest(weights, i);
      return [where() + COLON, { token: tokens[i] }, " regarde surtout ", { token: tokens[j] },
        " (" + fmt(weights[i][j]) + ")."];
    }
    function allReading() {
      return [where() + COLON + "tous les liens d\u2019au moins " + fmt(MIN_DRAWN) + " sont trac\u00e9s."];
    }

    function select(i, announce) {
      state.selected = i;
      current = i === null ? current : i;
      for (var k = 0; k < n; k++) {
        fromTokens[k].setAttribute("aria-selected", k === i ? "true" : "false");
        fromTokens[k].setAttribute("tabindex", k === current ? "0" : "-1");
      }
      allButton.setAttribute("aria-pressed", i === null ? "true" : "false");
      draw(i);
      if (announce !== false) say(i === null ? allReading() : reading(i));
    }

    function updateTable() {
      if (!table) return;
      var weights = matrix();
      var caption = table.querySelector("caption");
      if (caption) caption.textContent = "Poids d\u2019attention, " + where().toLowerCase();
      var rows = table.querySelectorAll("tbody tr");
      for (var i = 0; i < rows.length && i < n; i++) {
        var cells = rows[i].querySelectorAll("td");
        for (var j = 0; j < cells.length && j < n; j++) cells[j].textContent = fmt(weights[i][j]);
      }
    }

    function setHead(layer, head, prefix) {
      state.layer = layer;
      state.head = head;
      layerSelect.value = String(layer);
      headSelect.value = String(head);
      fig.setAttribute("data-layer", String(layer));
      fig.setAttribute("data-head", String(head));
      if (meta) meta.textContent = where() + " du mod\u00e8le " + modelName + " (" + layers + " couches \u00d7 " +
        heads + " t\u00eates).";
      var title = svg.querySelector("title");
      if (title) title.textContent = "Carte d\u2019attention, " + where().toLowerCase();
      updateTable();
      markThumbnails();
      select(state.selected, false);
      var parts = state.selected === null ? allReading() : reading(state.selected);
      say(prefix ? [prefix + " "].concat(parts) : parts);
    }

    layerSelect.addEventListener("change", function () { setHead(+layerSelect.value, state.head); });
    headSelect.addEventListener("change", function () { setHead(state.layer, +headSelect.value); });
    allButton.addEventListener("click", function () {
      if (state.selected === null) select(current); else select(null);
    });

    // Tokens: hover previews; a press selects the token under the pointer when it went down. The browser's
    // own focus-on-mousedown is prevented so that nothing it moves can redirect the press to another token.
    var pressed = null;
    fromTokens.forEach(function (g, i) {
      g.addEventListener("pointerenter", function (event) {
        if (event.pointerType === "mouse") draw(i);
      });
      g.addEventListener("pointerleave", function (event) {
        if (event.pointerType === "mouse") draw(state.selected);
      });
      g.addEventListener("pointerdown", function (event) {
        if (event.button !== 0) return;
        pressed = i;
        event.preventDefault();
      });
      g.addEventListener("focus", function () { if (state.selected !== i) select(i); });
      g.addEventListener("keydown", function (event) {
        var next = null;
        switch (event.key) {
          case "ArrowDown": case "ArrowRight": next = Math.min(n - 1, i + 1); break;
          case "ArrowUp": case "ArrowLeft": next = Math.max(0, i - 1); break;
          case "Home": next = 0; break;
          case "End": next = n - 1; break;
          case "Escape": select(null); return;
          case "Enter": case " ": select(i); event.preventDefault(); return;
          default: return;
        }
        event.preventDefault();
        fromTokens[next].focus();
      });
    });
    svg.addEventListener("pointerup", function () {
      if (pressed === null) return;
      var i = pressed;
      pressed = null;
      select(i);
      fromTokens[i].focus({ preventScroll: true });
    });
    svg.addEventListener("pointercancel", function () { pressed = null; });
    svg.addEventListener("pointerleave", function (event) { if (event.pointerType === "mouse") pressed = null; });

    // Overview: one thumbnail per head (a small heat map), built on first opening.
    var thumbs = [];
    function markThumbnails() {
      thumbs.forEach(function (b) {
        var on = +b.getAttribute("data-layer") === state.layer && +b.getAttribute("data-head") === state.head;
        b.setAttribute("aria-pressed", on ? "true" : "false");
      });
    }
    function thumbnail(layer, head) {
      var weights = data.attention[layer - 1][head - 1];
      var b = html("button", { type: "button", "class": "att-thumb", "data-layer": String(layer),
        // The name starts with the visible « 1.2 », so that voice control finds the button by what it shows.
        "data-head": String(head), "aria-label": layer + "." + head + " (couche " + layer + ", t\u00eate " + head + ")",
        tabindex: "-1",
        title: "Couche " + layer + ", t\u00eate " + head });
      var s = el("svg", { viewBox: "0 0 " + n + " " + n, width: "48", height: "48", "aria-hidden": "true",
        focusable: "false" });
      s.appendChild(el("rect", { "class": "att-thumb-bg", x: "0", y: "0", width: String(n), height: String(n) }));
      for (var i = 0; i < n; i++) {
        for (var j = 0; j < n; j++) {
          if (weights[i][j] < MIN_DRAWN) continue;
          s.appendChild(el("rect", { "class": "att-thumb-cell", x: String(j), y: String(i), width: "1", height: "1",
            "fill-opacity": num(0.15 + 0.85 * weights[i][j] / 1000) }));
        }
      }
      b.appendChild(s);
      b.appendChild(html("span", { "class": "att-thumb-label", "aria-hidden": "true" }, layer + "." + head));
      b.addEventListener("click", function () { openHead(layer, head); });
      b.addEventListener("keydown", function (event) {
        var l = layer, h = head;
        switch (event.key) {
          case "ArrowRight": h = Math.min(heads, h + 1); break;
          case "ArrowLeft": h = Math.max(1, h - 1); break;
          case "ArrowDown": l = Math.min(layers, l + 1); break;
          case "ArrowUp": l = Math.max(1, l - 1); break;
          case "Escape": toggleOverview(false); overviewButton.focus(); return;
          default: return;
        }
        event.preventDefault();
        var target = thumbs[(l - 1) * heads + (h - 1)];
        b.setAttribute("tabindex", "-1");
        target.setAttribute("tabindex", "0");
        target.focus();
      });
      return b;
    }
    function buildOverview() {
      overview.appendChild(html("p", { "class": "att-overview-help" },
        "Chaque vignette montre une t\u00eate (ligne" + COLON + "jeton qui regarde, colonne" + COLON +
        "jeton regard\u00e9). Choisissez-en une pour l\u2019ouvrir\u202f; fl\u00e8ches pour se d\u00e9placer dans la grille."));
      var grid = html("div", { "class": "att-grid", role: "group", "aria-label": "Toutes les t\u00eates" });
      for (var l = 1; l <= layers; l++) {
        grid.appendChild(html("span", { "class": "att-grid-layer" }, "Couche " + l));
        for (var h = 1; h <= heads; h++) {
          var b = thumbnail(l, h);
          thumbs.push(b);
          grid.appendChild(b);
        }
      }
      overview.appendChild(grid);
    }
    function toggleOverview(open) {
      if (open && !thumbs.length) buildOverview();
      overview.hidden = !open;
      overviewButton.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) {
        markThumbnails();
        thumbs.forEach(function (b) { b.setAttribute("tabindex", "-1"); });
        thumbs[(state.layer - 1) * heads + (state.head - 1)].setAttribute("tabindex", "0");
        say(["Vue d\u2019ensemble" + COLON + layers + " couches \u00d7 " + heads +
          " t\u00eates. Choisissez une vignette pour ouvrir sa t\u00eate."]);
      }
    }
    function openHead(layer, head) {
      toggleOverview(false);
      setHead(layer, head, "Couche " + layer + ", t\u00eate " + head + " ouverte.");
      fromTokens[current].setAttribute("tabindex", "0");
      headSelect.focus();
    }
    overviewButton.addEventListener("click", function () {
      toggleOverview(overviewButton.getAttribute("aria-expanded") !== "true");
    });

    // Open as render.py drew it: on the token the text talks about, its links and weights shown.
    layout();
    select(focusAttr === null ? null : current, false);
    var resizing = false;
    window.addEventListener("resize", function () {
      if (resizing) return;
      resizing = true;
      window.requestAnimationFrame(function () { resizing = false; layout(); });
    });
  }

  function start() {
    var figures = document.querySelectorAll("figure.attention[data-src]");
    for (var i = 0; i < figures.length; i++) init(figures[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
