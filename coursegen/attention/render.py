"""Frozen attention data → deterministic, accessible HTML + SVG (standard library only).

A ``model`` figure is a "head view" (headview.py): the tokens in two columns, lines for the attention
weights, opened on the token the text talks about; ``attention.js`` turns it into an explorer.

A ``numpy`` figure is the worked example: a numbered sequence of small tables (X, W_q/W_k/W_v,
Q/K/V, scores, scaled scores, softmax weights, output) and a heat map of the weights; no script.

All geometry is integer or two-decimal text, with no random ids: the same data gives the same bytes.
"""

from __future__ import annotations

from ..errors import UserError
from .frozen import SCALE
from .headview import focus_of, head_view_svg, model_figure, specials_of, tokens_of
from .markup import NBSP, NNBSP, esc, fmt, fr, num
from .specs import Spec

# Heat map geometry.
CELL_W, CELL_H, LABEL_W, HEAD_H = 54, 30, 72, 28


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
    return model_figure(figure, spec, fig_id, caption, layer, head, data_url)


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
                f'fill-opacity="{num(0.04 + 0.96 * w / SCALE)}"/>'
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
        svg = head_view_svg(spec.name, tokens_of(figure), figure["attention"][layer - 1][head - 1], where,
                            shown=focus_of(figure), specials=specials_of(figure), lang=spec.lang)
        shown = where
    svg = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" font-family="DejaVu Sans, Arial, '
                                'sans-serif" font-size="13" ', 1)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg, shown
