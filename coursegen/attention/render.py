"""Frozen attention data → deterministic, accessible HTML + SVG (standard library only).

A ``model`` figure is a "head view": the sentence's tokens in two columns, a line from each token
(left, the one that looks) to each token it attends to (right), wider and more opaque for larger
weights; below, the same weights as a table in a collapsed ``<details>``. ``attention.js`` turns it
into an explorer when JavaScript runs; without it, the SVG and the table are the figure.

A ``numpy`` figure is the worked example: a numbered sequence of small tables (X, W_q/W_k/W_v,
Q/K/V, scores, scaled scores, softmax weights, output) and a heat map of the weights; no script.

All geometry is integer or two-decimal text, with no random ids: the same data gives the same bytes.
"""

from __future__ import annotations

import html

from ..errors import UserError
from .frozen import SCALE
from .specs import Spec

# Head view geometry (user units) of the static drawing; attention.js lays it out again at the column's width.
ROW = 24            # height of one token row
TOP = 34            # room for the column headings
LEFT_X = 118        # right edge of the left column's labels
LINE_X1 = 126       # where lines start
LINE_X2 = 296       # where lines end
RIGHT_X = 304       # left edge of the right column's labels
WIDTH = 440
VALUE_X = 434       # right edge of the weights written beside the right column
MIN_DRAWN = 50      # thousandths: with no token chosen, lighter links are not drawn (the table has them all)
LEGEND_WEIGHTS = (100, 500, 900)  # the sample lines of the legend

# Heat map geometry.
CELL_W, CELL_H, LABEL_W, HEAD_H = 54, 30, 72, 28


NBSP, NNBSP = "\u00a0", "\u202f"


def fr(text: str) -> str:
    """The site's French spacing in this module's own prose: no-break space before « : », narrow
    no-break space before « ; » and inside guillemets (as coursegen.text does for chapters)."""
    return (text.replace(" : ", f"{NBSP}: ").replace(" ; ", f"{NNBSP}; ")
            .replace("« ", f"«{NNBSP}").replace(" »", f"{NNBSP}»"))


def esc(text: str) -> str:
    return html.escape(str(text), quote=True)


def fmt(value: int, decimals: int = 2) -> str:
    """Thousandths → French decimal text, rounded half away from zero: 677 → « 0,68 », -1500 → « −1,50 »."""
    step = 10 ** (3 - decimals)
    q, r = divmod(abs(value), step)
    if 2 * r >= step:
        q += 1
    sign = "\u2212" if value < 0 and q else ""
    whole, frac = divmod(q, 10 ** decimals)
    return f"{sign}{whole},{frac:0{decimals}d}" if decimals else f"{sign}{whole}"


def model_name(figure: dict) -> str:
    """The model's short name: « all-MiniLM-L6-v2 » for « sentence-transformers/all-MiniLM-L6-v2 »."""
    return figure["model"]["id"].rsplit("/", 1)[-1]


def _num(x: float) -> str:
    """Two-decimal SVG number without trailing zeros (stable text for attributes)."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def render_figure(figure: dict, spec: Spec, *, fig_id: str, label: str, caption_html: str,
                  layer: int | None, head: int | None, data_url: str) -> str:
    """The complete ``<figure class="attention">`` element for one figure request."""
    if figure.get("kind") != spec.kind:
        raise UserError(f"la figure « {spec.name} » est de type {spec.kind} mais ses données figées "
                             f"sont de type {figure.get('kind')}", "relancez « python build.py freeze »")
    fig_id = fig_id or f"attention-{spec.name}"
    caption = _caption(label, caption_html)
    if spec.kind == "numpy":
        if layer is not None or head is not None:
            raise UserError(f"layer et head ne s'appliquent pas à la figure « {spec.name} » "
                                 "(exemple calculé, sans couches ni têtes)", "retirez layer= et head=")
        return _numpy_figure(figure, fig_id, caption)
    layer, head = _choose_head(figure, spec, layer, head)
    return _model_figure(figure, spec, fig_id, caption, layer, head, data_url)


def _caption(label: str, caption_html: str) -> str:
    prefix = f'<span class="figure-label">{esc(label)}</span>{NBSP}: ' if label else ""
    return prefix + caption_html


def _choose_head(figure: dict, spec: Spec, layer: int | None, head: int | None) -> tuple[int, int]:
    layers, heads = figure["model"]["layers"], figure["model"]["heads"]
    if (layer is None) != (head is None):
        raise UserError("précisez à la fois layer et head, ou aucun des deux",
                             "sans eux, la figure montre la tête mise en avant par attention.yaml")
    if layer is None:
        if spec.featured:
            layer, head = spec.featured
        elif "focus" in figure:
            layer, head = figure["focus"]["best"]["layer"], figure["focus"]["best"]["head"]
        else:
            layer, head = 1, 1
    if not 1 <= layer <= layers:
        raise UserError(f"couche {layer} inexistante : le modèle a {layers} couches (layer=1 à {layers})")
    if not 1 <= head <= heads:
        raise UserError(f"tête {head} inexistante : chaque couche a {heads} têtes (head=1 à {heads})")
    return layer, head


# --- model figure: head view -------------------------------------------------------------------------

def _tokens(figure: dict) -> list[str]:
    """The tokens as the model saw them (the tokenizer's pieces: « fatigue », « ##it »), not the sentence's
    spelling: the figure must show what the text says the tokenizer does."""
    return [t["text"] for t in figure["tokens"]]


def _specials(figure: dict) -> frozenset[int]:
    """Indices of the tokens the tokenizer adds, belonging to no word ([CLS], [SEP])."""
    return frozenset(i for i, t in enumerate(figure["tokens"]) if t["word"] is None)


def _focus(figure: dict) -> int | None:
    return figure["focus"]["source_tokens"][0] if "focus" in figure else None


def _strongest(row: list[int]) -> int:
    return row.index(max(row))


def _token_html(token: str, lang: str) -> str:
    return f'«{NNBSP}<span lang="{esc(lang)}">{esc(token)}</span>{NNBSP}»'


def _reading(where: str, tokens: list[str], matrix: list[list[int]], shown: int | None, lang: str) -> str:
    """The sentence under the controls: what the shown token looks at most (attention.js writes the same)."""
    if shown is None:
        return f"{where}{NBSP}: tous les liens d’au moins {fmt(MIN_DRAWN)} sont tracés."
    j = _strongest(matrix[shown])
    return (f"{where}{NBSP}: {_token_html(tokens[shown], lang)} regarde surtout {_token_html(tokens[j], lang)} "
            f"({fmt(matrix[shown][j])}).")


def _model_figure(figure: dict, spec: Spec, fig_id: str, caption: str, layer: int, head: int,
                  data_url: str) -> str:
    tokens = _tokens(figure)
    matrix = figure["attention"][layer - 1][head - 1]
    model = figure["model"]
    lang = spec.lang
    focus = _focus(figure)
    focus_attr = "" if focus is None else f' data-focus="{focus}"'
    where = f"Couche {layer}, tête {head}"
    meta = (f'<span class="att-meta">{where} du modèle {esc(model_name(figure))} '
            f'({model["layers"]} couches × {model["heads"]} têtes).</span>')
    return (
        f'<figure class="attention attention-model" id="{esc(fig_id)}" data-src="{esc(data_url)}" '
        f'data-layer="{layer}" data-head="{head}"{focus_attr}>\n'
        f'<p class="att-status" role="status" aria-live="polite">{_reading(where, tokens, matrix, focus, lang)}</p>\n'
        f'{_head_view_svg(fig_id, tokens, matrix, where, shown=focus, specials=_specials(figure), lang=lang)}'
        f"{_legend()}"
        f'<details class="att-details">\n<summary>Voir les poids (tableau)</summary>\n'
        f"{_weights_table(tokens, matrix, f'Poids d’attention, {where.lower()}', 'Qui regarde ↓ / regardé →', lang)}"
        f"</details>\n"
        # HTML allows the caption only first or last in a figure.
        f"<figcaption>{caption} {meta}</figcaption>\n</figure>\n"
    )


def _classes(*flags: tuple[str, bool]) -> str:
    """` class="a b"` for the names whose flag is set, or nothing."""
    names = " ".join(name for name, on in flags if on)
    return f' class="{names}"' if names else ""


def _line_width(w: int) -> str:
    return _num(0.5 + 5 * w / SCALE)


def _line_opacity(w: int) -> str:
    return _num(0.2 + 0.8 * w / SCALE)


def _legend() -> str:
    """A visible key: what a line means, sample widths with their weight, and the special tokens."""
    samples = "".join(
        f'<span class="att-sample"><svg class="att-swatch" viewBox="0 0 36 12" width="36" height="12" '
        f'aria-hidden="true" focusable="false"><line x1="3" y1="6" x2="33" y2="6" stroke="#D55E00" '
        f'stroke-linecap="round" stroke-width="{_line_width(w)}" opacity="{_line_opacity(w)}"/></svg>'
        f"{NBSP}{fmt(w)}</span> " for w in LEGEND_WEIGHTS)
    return (
        '<div class="att-legend">\n'
        f'<p><strong>Lecture{NBSP}:</strong> chaque trait va d’un jeton qui regarde (à gauche) à un jeton regardé '
        f"(à droite){NNBSP}; plus le poids est fort, plus le trait est épais et foncé{NBSP}: {samples.strip()}. "
        f"Quand tous les jetons sont affichés, seuls les poids d’au moins {fmt(MIN_DRAWN)} sont tracés.</p>\n"
        '<p><span class="att-special-name">[CLS]</span> et <span class="att-special-name">[SEP]</span>, en gris, '
        "sont des jetons spéciaux que le modèle ajoute au début et à la fin de la phrase"
        f"{NNBSP}; beaucoup de têtes y déposent leur attention quand rien d’autre n’est pertinent.</p>\n"
        "</div>\n"
    )


def _head_view_svg(fig_id: str, tokens: list[str], matrix: list[list[int]], where: str, *, shown: int | None,
                   specials: frozenset[int], lang: str) -> str:
    """The head view with ``shown``'s links (all of them, with their weights written on the right), or,
    when ``shown`` is None, every link of at least MIN_DRAWN."""
    n = len(tokens)
    height = TOP + n * ROW + 8
    centre = [TOP + i * ROW + ROW // 2 for i in range(n)]
    title_id, desc_id = f"{fig_id}-svg-titre", f"{fig_id}-svg-desc"
    lines = []
    for i in range(n):
        if shown is not None and i != shown:
            continue
        for j in range(n):
            w = matrix[i][j]
            if w < (1 if shown is not None else MIN_DRAWN):
                continue
            special = i in specials or j in specials
            cls = _classes(("att-line-hi", shown is not None), ("att-line-special", special))
            # Colours as attributes too, for the standalone SVG of the export (the page's CSS overrides them).
            stroke = ' stroke="#8a8f98"' if special else ' stroke="#D55E00"' if shown is not None else ""
            lines.append(f'<line{cls} x1="{LINE_X1}" y1="{centre[i]}" '
                         f'x2="{LINE_X2}" y2="{centre[j]}"{stroke} stroke-width="{_line_width(w)}" '
                         f'opacity="{_line_opacity(w)}"/>')
    best = None if shown is None else _strongest(matrix[shown])

    def label(x: int, i: int, marks: tuple[tuple[str, bool], ...]) -> str:
        return (f'<text x="{x}" y="{centre[i] + 5}" data-i="{i}"{_classes(("att-special", i in specials), *marks)}>'
                f"{esc(tokens[i])}</text>")

    left = "".join(label(LEFT_X, i, (("att-shown", i == shown),)) for i in range(n))
    right = "".join(label(RIGHT_X, i, (("att-max", i == best),)) for i in range(n))
    values = "".join(f'<text class="att-value" x="{VALUE_X}" y="{centre[j] + 5}">'
                     f"{'' if shown is None else fmt(matrix[shown][j])}</text>" for j in range(n))
    if shown is None:
        drawn = f"Les poids inférieurs à {fmt(MIN_DRAWN)} ne sont pas tracés"
    else:
        drawn = (f"Seuls les traits de « {tokens[shown]} » sont tracés, avec leurs poids à droite{NNBSP}; "
                 f"il regarde surtout « {tokens[best]} » ({fmt(matrix[shown][best])})")
    desc = fr(f"{where}. Chaque trait relie un jeton de gauche, qui regarde, à un jeton de droite, qu’il regarde ; "
              f"plus le poids est grand, plus le trait est épais et opaque. {drawn} ; le tableau qui suit donne "
              "tous les poids.")
    return (
        f'<svg class="att-svg att-head-view" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" data-row="{ROW}" data-top="{TOP}" '
        f'data-x1="{LINE_X1}" data-x2="{LINE_X2}" data-width="{WIDTH}">\n'
        f'<title id="{title_id}">Carte d’attention, {where.lower()}</title>\n'
        f'<desc id="{desc_id}">{esc(desc)}</desc>\n'
        f'<text class="att-heading" x="{LEFT_X}" y="16" text-anchor="end">Qui regarde</text>'
        f'<text class="att-heading" x="{RIGHT_X}" y="16">Regardé</text>\n'
        f'<g class="att-lines" stroke="#0072B2" stroke-linecap="round">\n' + "\n".join(lines) + "\n</g>\n"
        f'<g class="att-col att-col-from" text-anchor="end" lang="{esc(lang)}">{left}</g>\n'
        f'<g class="att-col att-col-to" lang="{esc(lang)}">{right}</g>\n'
        f'<g class="att-values" text-anchor="end">{values}</g>\n'
        "</svg>\n"
    )


def _weights_table(tokens: list[str], matrix: list[list[int]], caption: str, corner: str, lang: str) -> str:
    head = "".join(f'<th scope="col" lang="{esc(lang)}">{esc(t)}</th>' for t in tokens)
    rows = "".join(
        f'<tr><th scope="row" lang="{esc(lang)}">{esc(t)}</th>'
        + "".join(f"<td>{fmt(w)}</td>" for w in matrix[i]) + "</tr>\n"
        for i, t in enumerate(tokens))
    return (f'<div class="att-table-wrap"><table class="att-table">\n<caption>{esc(caption)}</caption>\n'
            f'<thead><tr><th scope="col">{esc(corner)}</th>{head}</tr></thead>\n<tbody>\n{rows}</tbody>\n'
            "</table></div>\n")


# --- numpy figure: the worked example ------------------------------------------------------------

def _numpy_figure(figure: dict, fig_id: str, caption: str) -> str:
    steps = figure["steps"]
    words = [t["label"] for t in figure["tokens"]]
    d_model, d_k = figure["d_model"], figure["d_k"]
    dims_model = [f"d{k + 1}" for k in range(d_model)]
    dims_k = [f"d{k + 1}" for k in range(d_k)]
    sqrt = fmt(round(d_k ** 0.5 * SCALE))

    def table(key: str, caption_text: str, rows: list[str], cols: list[str], decimals: int = 2) -> str:
        body = "".join(
            f'<tr><th scope="row">{esc(r)}</th>'
            + "".join(f"<td>{fmt(v, decimals)}</td>" for v in steps[key][i]) + "</tr>\n"
            for i, r in enumerate(rows))
        head = "".join(f'<th scope="col">{esc(c)}</th>' for c in cols)
        return (f'<table class="att-table att-step-table">\n<caption>{caption_text}</caption>\n'
                f"<thead><tr><td></td>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n")

    def step(title: str, text: str, *tables: str) -> str:
        return (f'<li class="att-step">\n<p class="att-step-title"><strong>{title}</strong> {fr(text)}</p>\n'
                f'<div class="att-step-tables">\n{"".join(tables)}</div>\n</li>\n')

    projections = [table(k, f"W<sub>{k[-1]}</sub> ({d_model} × {d_k})", dims_model, dims_k, 1)
                   for k in ("W_q", "W_k", "W_v")]
    qkv = [table(k, f"{k} = X·W<sub>{k.lower()}</sub>", words, dims_k) for k in ("Q", "K", "V")]
    steps_html = "".join([
        step("Entrées.", f"Chaque mot est un vecteur de {d_model} nombres (tirés au hasard avec la graine "
                         f"{figure['seed']}, arrondis au dixième).",
             table("X", f"X{NBSP}: un mot par ligne ({len(words)} × {d_model})", words, dims_model, 1)),
        step("Projections.", f"Trois matrices {d_model} × {d_k}, apprises dans un vrai modèle, tirées au "
                             "hasard ici.", *projections),
        step("Requêtes, clés, valeurs.", "Chaque mot obtient une requête (ce qu’il cherche), une clé (ce qu’il "
                                          "offre) et une valeur (ce qu’il transmet).", *qkv),
        step("Scores.", "Le produit scalaire de la requête d’un mot (ligne) avec la clé de chaque mot (colonne) "
                        "mesure leur affinité.",
             table("scores", fr("Scores Q·K<sup>T</sup> (ligne : qui regarde ; colonne : regardé)"), words, words)),
        step("Mise à l’échelle.", f"On divise par √d<sub>k</sub> = √{d_k} ≈ {sqrt} pour que les scores ne "
                                  "grandissent pas avec la dimension.",
             table("scaled", f"Scores ÷ √{d_k}", words, words)),
        step("Softmax.", "Chaque ligne devient une distribution : des poids positifs dont la somme vaut 1.",
             table("weights", "Poids d’attention (chaque ligne somme à 1)", words, words),
             _heat_map(fig_id, words, steps["weights"])),
        step("Sortie.", "Le nouveau vecteur de chaque mot est la moyenne des valeurs V pondérée par ses poids.",
             table("output", "Sortie = poids · V", words, dims_k)),
    ])
    return (
        f'<figure class="attention attention-numpy" id="{esc(fig_id)}">\n'
        f'<ol class="att-steps">\n{steps_html}</ol>\n'
        f"<figcaption>{caption} <span class=\"att-meta\">{fr('Calcul fait avec NumPy ; valeurs affichées arrondies')} "
        f"au centième, calculs faits sur les valeurs exactes.</span></figcaption>\n"
        "</figure>\n"
    )


def _heat_map(fig_id: str, words: list[str], weights: list[list[int]]) -> str:
    n = len(words)
    width, height = LABEL_W + n * CELL_W + 4, HEAD_H + n * CELL_H + 4
    title_id = f"{fig_id}-carte-titre"
    parts = [f'<svg class="att-svg att-heat-map" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" aria-labelledby="{title_id}">\n'
             f'<title id="{title_id}">Carte de chaleur des poids d’attention{NBSP}: une ligne par mot qui regarde, '
             f"une colonne par mot regardé{NNBSP}; plus la case est foncée, plus le poids est grand (valeur "
             f"écrite dans chaque case).</title>\n"]
    cols = "".join(f'<text x="{LABEL_W + j * CELL_W + CELL_W // 2}" y="{HEAD_H - 9}" text-anchor="middle">'
                   f"{esc(w)}</text>" for j, w in enumerate(words))
    rows = "".join(f'<text x="{LABEL_W - 6}" y="{HEAD_H + i * CELL_H + CELL_H // 2 + 5}" text-anchor="end">'
                   f"{esc(w)}</text>" for i, w in enumerate(words))
    parts.append(f'<g class="att-heat-labels">{cols}{rows}</g>\n<g class="att-cells">\n')
    for i in range(n):
        for j in range(n):
            w = weights[i][j]
            x, y = LABEL_W + j * CELL_W, HEAD_H + i * CELL_H
            strong = w >= SCALE // 2
            cls, fill = (" att-strong", ' fill="#fff"') if strong else ("", "")
            parts.append(
                f'<rect x="{x}" y="{y}" width="{CELL_W - 2}" height="{CELL_H - 2}" fill="#0072B2" '
                f'fill-opacity="{_num(0.04 + 0.96 * w / SCALE)}"/>'
                f'<text class="att-cell-value{cls}" x="{x + CELL_W // 2 - 1}" '
                f'y="{y + CELL_H // 2 + 4}" text-anchor="middle"{fill}>'
                f"{fmt(w)}</text>\n")
    parts.append("</g>\n</svg>\n")
    return "".join(parts)


# --- standalone SVG: print-ready files for the Quarto export (PDF, EPUB) -------------------------------

def static_svg(figure: dict, spec: Spec, *, layer: int | None = None, head: int | None = None) -> tuple[str, str]:
    """A self-contained SVG file of the figure (colours as attributes, no page CSS) and what it shows."""
    if spec.kind == "numpy":
        words = [t["label"] for t in figure["tokens"]]
        svg, shown = _heat_map(spec.name, words, figure["steps"]["weights"]), "poids de la softmax"
    else:
        layer, head = _choose_head(figure, spec, layer, head)
        where = f"Couche {layer}, tête {head}"
        svg = _head_view_svg(spec.name, _tokens(figure), figure["attention"][layer - 1][head - 1], where,
                             shown=_focus(figure), specials=_specials(figure), lang=spec.lang)
        shown = where
    svg = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" font-family="DejaVu Sans, Arial, '
                                'sans-serif" font-size="13" ', 1)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg, shown
