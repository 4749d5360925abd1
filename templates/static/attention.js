// Attention explorer: turns each static head-view figure (<figure class="attention" data-src>) into an
// explorer — layer and head pickers, token-by-token weights (mouse, touch, keyboard), an overview of
// every head — once its frozen JSON is fetched, lazily, when the figure nears the viewport.
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
  function q(label) { return "\u00ab\u202f" + label + "\u202f\u00bb"; }
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
    var status = html("p", { "class": "att-status", role: "status", "aria-live": "polite" });
    fig.insertBefore(status, fig.firstChild);
    if (location.protocol === "file:") {
      status.textContent = "Explorateur indisponible quand la page est ouverte comme fichier (file://)" + COLON +
        "la figure reste statique. Servez le site (python build.py serve) pour l\u2019explorer.";
      fig.classList.add("att-static");
      return;
    }
    if (!window.fetch) {
      status.textContent = "Explorateur indisponible dans ce navigateur" + COLON + "la figure reste statique.";
      return;
    }
    status.textContent = "Explorateur" + COLON + "les donn\u00e9es se chargent quand la figure approche.";
    var started = false;
    var start = function () {
      if (started) return;
      started = true;
      load(fig, status);
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

  function load(fig, status) {
    status.textContent = "Explorateur" + COLON + "chargement des donn\u00e9es\u2026";
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
        status.textContent = "Explorateur indisponible (" + err.message + ")" + COLON + "la figure reste statique.";
        fig.classList.add("att-static");
      });
  }

  function explorer(fig, status, data) {
    var svg = fig.querySelector("svg.att-head-view");
    var table = fig.querySelector("table.att-table");
    var meta = fig.querySelector(".att-meta");
    var layers = data.model.layers, heads = data.model.heads;
    var modelName = String(data.model.id).split("/").pop();
    var labels = data.tokens.map(function (t) { return t.label; });
    var n = labels.length;
    var row = +svg.getAttribute("data-row"), top = +svg.getAttribute("data-top");
    var x1 = +svg.getAttribute("data-x1"), x2 = +svg.getAttribute("data-x2");
    var width = +svg.getAttribute("data-width");
    var state = { layer: +fig.getAttribute("data-layer"), head: +fig.getAttribute("data-head"), selected: null };
    var focusAttr = fig.getAttribute("data-focus");
    var current = focusAttr === null ? Math.min(1, n - 1) : +focusAttr; // the token that takes Tab
    function centre(i) { return top + i * row + Math.floor(row / 2); }
    function matrix() { return data.attention[state.layer - 1][state.head - 1]; }
    function where() { return "Couche " + state.layer + ", t\u00eate " + state.head; }

    // Controls: layer, head, overview toggle.
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
    var overviewButton = html("button", { type: "button", "class": "att-overview-toggle", "aria-expanded": "false" },
      "Vue d\u2019ensemble (" + layers + " \u00d7 " + heads + " t\u00eates)");
    controls.appendChild(overviewButton);
    var overview = html("div", { "class": "att-overview", hidden: "" });
    fig.insertBefore(controls, svg);
    fig.insertBefore(overview, svg);
    fig.insertBefore(status, controls.nextSibling);
    fig.classList.add("att-ready");

    // The head view becomes interactive: tokens on the left form a listbox with one tab stop.
    svg.setAttribute("role", "group");
    var linesGroup = svg.querySelector(".att-lines");
    var from = svg.querySelector(".att-col-from"), to = svg.querySelector(".att-col-to");
    from.setAttribute("role", "listbox");
    from.setAttribute("aria-label", "Jetons qui regardent (fl\u00e8ches pour changer de jeton)");
    var fromTokens = [], toTokens = [], values = [];
    function wrap(text, column, i) {
      var g = el("g", { "class": "att-token", "data-i": String(i) });
      var box = column === "from"
        ? { x: 4, w: x1 - 4 }
        : { x: x2 + 4, w: width - x2 - 8 };
      g.appendChild(el("rect", { "class": "att-token-bg", x: String(box.x), y: String(centre(i) - row / 2 + 1),
        width: String(box.w), height: String(row - 2), rx: "3" }));
      text.parentNode.replaceChild(g, text);
      g.appendChild(text);
      return g;
    }
    Array.prototype.forEach.call(from.querySelectorAll("text"), function (text, i) {
      var g = wrap(text, "from", i);
      g.setAttribute("role", "option");
      g.setAttribute("tabindex", i === current ? "0" : "-1");
      g.setAttribute("aria-selected", "false");
      g.setAttribute("aria-label", q(labels[i]) + ", jeton " + (i + 1) + " sur " + n);
      fromTokens.push(g);
    });
    Array.prototype.forEach.call(to.querySelectorAll("text"), function (text, i) {
      var g = wrap(text, "to", i);
      var value = el("text", { "class": "att-value", x: String(width - 6), y: String(centre(i) + 5),
        "text-anchor": "end" });
      g.appendChild(value);
      toTokens.push(g);
      values.push(value);
    });

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
          linesGroup.appendChild(el("line", {
            x1: String(x1), y1: String(centre(i)), x2: String(x2), y2: String(centre(j)),
            "stroke-width": num(0.5 + 5 * w / 1000), opacity: num(0.2 + 0.8 * w / 1000),
            "class": shown === null ? "att-line" : "att-line att-line-hi"
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

    function describe(i) {
      var weights = matrix();
      var j = strongest(weights, i);
      return where() + COLON + q(labels[i]) + " regarde surtout " + q(labels[j]) + " (" + fmt(weights[i][j]) + ")";
    }

    function select(i, announce) {
      state.selected = i;
      current = i === null ? current : i;
      for (var k = 0; k < n; k++) {
        fromTokens[k].setAttribute("aria-selected", k === i ? "true" : "false");
        fromTokens[k].setAttribute("tabindex", k === current ? "0" : "-1");
      }
      draw(i);
      if (announce !== false) {
        status.textContent = i === null
          ? where() + COLON + "tous les liens d\u2019au moins " + fmt(MIN_DRAWN) + " sont trac\u00e9s. " +
            "Choisissez un jeton pour lire ses poids."
          : describe(i);
      }
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

    function setHead(layer, head, text) {
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
      status.textContent = text || (state.selected === null ? where() + " affich\u00e9e." : describe(state.selected));
    }

    layerSelect.addEventListener("change", function () { setHead(+layerSelect.value, state.head); });
    headSelect.addEventListener("change", function () { setHead(state.layer, +headSelect.value); });

    // Tokens: hover previews, focus / tap selects, arrows move.
    fromTokens.forEach(function (g, i) {
      g.addEventListener("pointerenter", function (event) {
        if (event.pointerType === "mouse") draw(i);
      });
      g.addEventListener("pointerleave", function (event) {
        if (event.pointerType === "mouse") draw(state.selected);
      });
      g.addEventListener("pointerup", function () {
        if (document.activeElement !== g) g.focus(); else select(i);
      });
      g.addEventListener("focus", function () { select(i); });
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
        "data-head": String(head), "aria-label": "Couche " + layer + ", t\u00eate " + head, tabindex: "-1",
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
        status.textContent = "Vue d\u2019ensemble" + COLON + layers + " couches \u00d7 " + heads +
          " t\u00eates. Choisissez une vignette pour ouvrir sa t\u00eate.";
      }
    }
    function openHead(layer, head) {
      toggleOverview(false);
      setHead(layer, head, "Couche " + layer + ", t\u00eate " + head + " ouverte." +
        (state.selected === null ? "" : " " + describe(state.selected)));
      fromTokens[current].setAttribute("tabindex", "0");
      headSelect.focus();
    }
    overviewButton.addEventListener("click", function () {
      toggleOverview(overviewButton.getAttribute("aria-expanded") !== "true");
    });

    select(null, false);
    status.textContent = "Explorateur pr\u00eat. " + where() + COLON + "survolez, touchez ou s\u00e9lectionnez au " +
      "clavier un jeton de gauche pour lire ses poids.";
  }

  function start() {
    var figures = document.querySelectorAll("figure.attention[data-src]");
    for (var i = 0; i < figures.length; i++) init(figures[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
