"""The head view of a ``model`` figure: the sentence's tokens in two columns, a line from a token (left, the
one that looks) to each token it attends to (right), wider and more opaque for larger weights.

It opens on the token the text talks about (the spec's ``focus``): its links, its weights written beside
the right column and a reading sentence (« it » regarde surtout « animal » (0,68)); a legend; the same
weights as a table in a collapsed ``<details>``. attention.js turns it into an explorer; without it, this
is the figure. [CLS] and [SEP] (no word of the sentence) are greyed.
"""

from __future__ import annotations

from .frozen import SCALE
from .markup import NBSP, NNBSP, esc, fmt, fr, model_name, num
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


def tokens_of(figure: dict) -> list[str]:
    """The tokens as the model saw them (the tokenizer's pieces: « fatigue », « ##it »), not the sentence's
    spelling: the figure must show what the text says the tokenizer does."""
    return [t["text"] for t in figure["tokens"]]


def specials_of(figure: dict) -> frozenset[int]:
    """Indices of the tokens the tokenizer adds, belonging to no word ([CLS], [SEP])."""
    return frozenset(i for i, t in enumerate(figure["tokens"]) if t["word"] is None)


def focus_of(figure: dict) -> int | None:
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


def model_figure(figure: dict, spec: Spec, fig_id: str, caption: str, layer: int, head: int,
                  data_url: str) -> str:
    tokens = tokens_of(figure)
    matrix = figure["attention"][layer - 1][head - 1]
    model = figure["model"]
    lang = spec.lang
    focus = focus_of(figure)
    focus_attr = "" if focus is None else f' data-focus="{focus}"'
    where = f"Couche {layer}, tête {head}"
    meta = (f'<span class="att-meta">{where} du modèle {esc(model_name(figure))} '
            f'({model["layers"]} couches × {model["heads"]} têtes).</span>')
    return (
        f'<figure class="attention attention-model" id="{esc(fig_id)}" data-src="{esc(data_url)}" '
        f'data-layer="{layer}" data-head="{head}"{focus_attr}>\n'
        f'<p class="att-status" role="status" aria-live="polite">{_reading(where, tokens, matrix, focus, lang)}</p>\n'
        f'{head_view_svg(fig_id, tokens, matrix, where, shown=focus, specials=specials_of(figure), lang=lang)}'
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
    return num(0.5 + 5 * w / SCALE)


def _line_opacity(w: int) -> str:
    return num(0.2 + 0.8 * w / SCALE)


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


def head_view_svg(fig_id: str, tokens: list[str], matrix: list[list[int]], where: str, *, shown: int | None,
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
