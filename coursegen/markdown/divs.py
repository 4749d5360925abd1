"""The structure of Quarto's div constructs, a core rule added to the engine when it is built (after
``markdown.pandoc`` has read the divs): a callout's first heading becomes its title (never a numbered
section); tabsets get their panels marked from the headings that start each tab; ``layout-ncol``/
``layout-nrow``/``layout`` divs get their blocks grouped into rows of cells with widths from a fixed set of
classes (the CSP forbids inline styles); ``::: {#fig-x}`` is a numbered figure; ``.hidden`` and
``.content-visible``/``.content-hidden`` for other formats are removed; every div class the site does not
render, every unreadable value and every unclosed div is a warning at its line (``env["qmd_warnings"]``,
reported by ``quarto.report``).
"""

from __future__ import annotations

import json
import re
from math import ceil
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .attrs import div_attrs
from .pandoc import RAW_HTML
from .quiz import EXPLANATION_CLASS, QUIZ_CLASS

CALLOUT_KINDS = ("note", "tip", "warning", "caution", "important")
APPEARANCES = ("default", "simple", "minimal")
WIDTH_STEP = 5         # column and cell widths become "col-N", N a multiple of 5 (site.css)
MAX_COLUMNS = 6        # layout-ncol / rows of at most this many cells (site.css has their classes)
# Classes the site renders (callouts, tabsets, columns, the course's own blocks) or that change nothing a reader
# would miss on a one-column site (Quarto's page-width classes, list/heading markers).
RENDERED_CLASSES = frozenset({
    "panel-tabset", "columns", "column", "column-margin", "aside", "solution", "attention", QUIZ_CLASS,
    EXPLANATION_CLASS, "hidden", "content-visible", "content-hidden",
    *(f"callout-{kind}" for kind in CALLOUT_KINDS), "callout",
})
HARMLESS_CLASSES = frozenset({
    "column-body", "column-body-outset", "column-body-outset-left", "column-body-outset-right",
    "column-page", "column-page-left", "column-page-right", "column-page-inset", "column-page-inset-left",
    "column-page-inset-right", "column-screen", "column-screen-left", "column-screen-right",
    "column-screen-inset", "column-screen-inset-left", "column-screen-inset-right",
    "column-screen-inset-shaded", "unnumbered", "unlisted", "center", "nostretch", "cell", "lightbox",
})
_LAYOUT_KEYS = ("layout", "layout-ncol", "layout-nrow")


def install(md: MarkdownIt) -> None:
    """Add the rule last (after typography, so that a callout title taken out of the page is typeset)."""
    md.core.ruler.push("qmd_divs", _structure_rule)


def _note(env: dict[str, Any], line0: int, message: str, hint: str = "") -> None:
    env.setdefault("qmd_warnings", []).append((line0, message, hint))


_UNRENDERED = "atelier_unrendered_classes"  # env key: class -> lines of the divs that use it

def _structure_rule(state: StateCore) -> None:
    tokens = state.tokens
    for i, tok in enumerate(tokens):
        if tok.type == "container_div_open" and not tok.meta.get("remove"):
            _div(tokens, i, state.env)
    for cls, lines in state.env.pop(_UNRENDERED, {}).items():  # one warning per class and page, at its first use
        more = f" ({len(lines)} blocs dans la page ; les suivants ne sont pas signalés)" if len(lines) > 1 else ""
        _note(state.env, lines[0], f"classe « .{cls} » sans rendu sur ce site : le contenu est affiché "
              f"sans sa mise en forme{more}", "utilisez un encadré (.callout-note, .callout-tip…), "
              ".panel-tabset ou .columns, ou retirez la classe")
    state.tokens = _restructure(tokens)


def _end(tokens: list[Token], i: int) -> int:
    """Index of the token that closes the block opened at ``i``."""
    depth = 0
    for j in range(i, len(tokens)):
        depth += tokens[j].nesting if tokens[j].block else 0
        if depth == 0:
            return j
    return len(tokens) - 1


def _children(tokens: list[Token], i: int) -> list[tuple[int, int]]:
    """(first, last) index of each direct child block of the block opened at ``i``."""
    spans, j, close = [], i + 1, _end(tokens, i)
    while j < close:
        k = _end(tokens, j) if tokens[j].nesting == 1 else j
        spans.append((j, k))
        j = k + 1
    return spans


def _div(tokens: list[Token], i: int, env: dict[str, Any]) -> None:
    tok = tokens[i]
    line0 = tok.map[0] if tok.map else 0
    if tok.meta.get("unclosed"):
        _note(env, line0, f"bloc « {tok.markup} {tok.info} » jamais fermé : il s'étend jusqu'à la fin de la page "
              "(ou du bloc qui le contient)", f"ajoutez une ligne « {tok.markup} » après son contenu")
    attrs = div_attrs(tok.info)
    if attrs is None:
        return  # parse_page reports unreadable attributes
    classes = attrs.get("class", "").split()
    if not _shown(classes, attrs):
        for j in range(i, _end(tokens, i) + 1):
            tokens[j].meta["remove"] = True
        return
    for cls in classes:
        if cls not in RENDERED_CLASSES and cls not in HARMLESS_CLASSES:
            env.setdefault(_UNRENDERED, {}).setdefault(cls, []).append(line0)
    callout = next((c for c in classes if c.startswith("callout-")), "")
    if "panel-tabset" in classes or callout:  # Quarto lists no heading of a tabset or callout in the contents
        for j in range(i + 1, _end(tokens, i)):
            if tokens[j].type == "heading_open":
                tokens[j].meta["unlisted"] = True
    if callout:
        _callout(tokens, i, attrs, callout.removeprefix("callout-"), line0, env)
    if "panel-tabset" in classes:
        _tabset(tokens, i)
    if "column" in classes:
        width = attrs.get("width", "")
        if width:
            tok.meta["width_class"] = _width_class(width, line0, env, "largeur de colonne")
    if any(key in attrs for key in _LAYOUT_KEYS):
        _layout(tokens, i, attrs, line0, env)
    if attrs.get("id", "").startswith("fig-") and "attention" not in classes:
        _figure(tokens, i)
    for key in sorted(attrs):
        if key in ("when-format", "unless-format") and not {"content-visible", "content-hidden"} & set(classes):
            _note(env, line0, f"attribut « {key} » sans .content-visible ni .content-hidden : ignoré")


def _shown(classes: list[str], attrs: dict[str, str]) -> bool:
    """Whether a div is part of the HTML output (Quarto's ``.hidden``, ``.content-visible``/``.content-hidden``
    with ``when-format``/``unless-format``)."""
    if "hidden" in classes:
        return False
    for cls, visible in (("content-visible", True), ("content-hidden", False)):
        if cls in classes:
            if "when-format" in attrs:
                matches = attrs["when-format"].split(":")[0] in RAW_HTML
            elif "unless-format" in attrs:
                matches = attrs["unless-format"].split(":")[0] not in RAW_HTML
            else:
                matches = True
            return visible == matches
    return True


def _callout(tokens: list[Token], i: int, attrs: dict[str, str], kind: str, line0: int,
             env: dict[str, Any]) -> None:
    if kind not in CALLOUT_KINDS:
        return
    appearance = attrs.get("appearance", "default")
    if appearance not in APPEARANCES:
        _note(env, line0, f"apparence d'encadré « {appearance} » inconnue : apparence par défaut",
              "valeurs possibles : default, simple, minimal")
    for key in sorted(set(attrs) - {"id", "class", "title", "collapse", "appearance", "icon"}):
        _note(env, line0, f"attribut « {key} » d'encadré non pris en charge : ignoré",
              "attributs reconnus : title, collapse, appearance, icon")
    for key in ("collapse", "icon"):
        if key in attrs and attrs[key].lower() not in ("true", "false"):
            _note(env, line0, f"« {key}=\"{attrs[key]}\" » : valeur inconnue, ignorée", "écrivez true ou false")
    if "title" in attrs:
        return
    # Quarto's rule: a heading first in the callout is its title, not a section of the page.
    if i + 3 < len(tokens) and tokens[i + 1].type == "heading_open" and tokens[i + 2].type == "inline":
        tokens[i].meta["title_inline"] = tokens[i + 2]
        ident = tokens[i + 1].meta.get("attrs", {}).get("id", "")
        if ident and "id" not in attrs:  # the heading's {#id} names the callout (markdown.parse claims it)
            info = tokens[i].info.strip()
            tokens[i].info = "{#" + ident + " " + (info[1:] if info.startswith("{") else "." + info + "}")
        tokens[i + 1].meta["remove"] = tokens[i + 2].meta["remove"] = tokens[i + 3].meta["remove"] = True


def _figure(tokens: list[Token], i: int) -> None:
    """``::: {#fig-x}``: a numbered figure (``markdown.parse`` registers it) whose last paragraph, unless it
    is an image, is the caption, as in Pandoc and Quarto; its images are sub-figures."""
    tokens[i].meta["figure"] = True
    children = _children(tokens, i)
    if not children:
        return
    first, last = children[-1]
    if tokens[first].type == "paragraph_open" and last - first == 2 and not any(
            c.type == "image" for c in tokens[first + 1].children or []):
        tokens[i].meta["caption_inline"] = tokens[first + 1]
        for j in range(first, last + 1):
            tokens[j].meta["remove"] = True


def _tabset(tokens: list[Token], i: int) -> None:
    """Mark the headings that start each tab (the highest level among the tabset's direct children) and the
    blocks of each panel; content before the first such heading stays above the tabs."""
    children = _children(tokens, i)
    levels = [tokens[a].tag for a, _ in children if tokens[a].type == "heading_open"]
    if not levels:
        return
    tag = min(levels)
    tokens[i].meta["tabset"] = True
    for a, _ in children:
        if tokens[a].type == "heading_open" and tokens[a].tag == tag:
            tokens[a].meta["tab"] = True
            attrs = tokens[a].meta.setdefault("attrs", {})
            attrs["class"] = " ".join([*attrs.get("class", "").split(), "unnumbered"])  # as in Quarto


def _width_class(width: str, line0: int, env: dict[str, Any], what: str) -> str:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)%", width.strip())
    if not m or not 0 < float(m.group(1)) <= 100:
        _note(env, line0, f"{what} « {width} » non prise en charge : ignorée",
              "écrivez une largeur en pourcentage, par exemple width=\"40%\" (arrondie à 5 % près)")
        return ""
    return f"col-{max(WIDTH_STEP, min(100, WIDTH_STEP * round(float(m.group(1)) / WIDTH_STEP)))}"


def _layout(tokens: list[Token], i: int, attrs: dict[str, str], line0: int, env: dict[str, Any]) -> None:
    """Rows of cells with widths in percent, from ``layout-ncol``, ``layout-nrow`` or ``layout``."""
    _split_images(tokens, i)
    n = len(_children(tokens, i))
    rows: list[list[float]] | None = None
    try:
        if "layout" in attrs:
            spec = json.loads(attrs["layout"])
            if spec and all(isinstance(x, (int, float)) for x in spec):
                spec = [spec]
            if not spec or not all(isinstance(r, list) and r and all(isinstance(x, (int, float)) for x in r)
                                   for r in spec):
                raise ValueError
            rows = [[float(x) for x in r] for r in spec]
        else:
            count = int(attrs.get("layout-ncol") or 0)
            nrow = int(attrs.get("layout-nrow") or 0)
            if count <= 0 and nrow <= 0:
                raise ValueError
            count = count if count > 0 else ceil(n / nrow)
            rows = [[1.0] * count for _ in range(ceil(n / count))]
    except ValueError:
        key = next(k for k in _LAYOUT_KEYS if k in attrs)
        _note(env, line0, f"disposition « {key}=\"{attrs[key]}\" » illisible : blocs affichés l'un sous l'autre",
              "écrivez layout-ncol=2, layout-nrow=2 ou layout=\"[[1,1],[1]]\"")
        return
    cells = [[(x / sum(abs(y) for y in r)) * 100 for x in r] for r in rows]
    if max(len(r) for r in rows) > MAX_COLUMNS:
        _note(env, line0, f"disposition de plus de {MAX_COLUMNS} colonnes : blocs affichés l'un sous l'autre",
              f"au plus {MAX_COLUMNS} blocs par ligne")
        return
    widths = [[f"col-{max(WIDTH_STEP, WIDTH_STEP * round(abs(w) / WIDTH_STEP))}" + ("" if w > 0 else " spacer")
               for w in r] for r in cells]
    tokens[i].meta["layout"] = widths


def _split_images(tokens: list[Token], i: int) -> None:
    """A paragraph of images on their own lines, in a layout, becomes one paragraph (so one figure) per image."""
    j = i + 1
    close = _end(tokens, i)
    while j < close:
        tok = tokens[j]
        if tok.type == "paragraph_open" and tok.level == tokens[i].level + 1 and tokens[j + 1].type == "inline":
            inline = tokens[j + 1]
            kids = [c for c in inline.children or [] if not (c.type == "text" and not c.content.strip())]
            images = [c for c in kids if c.type == "image"]
            breaks = [c for c in kids if c.type == "softbreak"]
            if len(images) > 1 and len(breaks) == len(images) - 1 and len(kids) == 2 * len(images) - 1:
                new: list[Token] = []
                for n, image in enumerate(images):
                    line = (tok.map[0] if tok.map else 0) + n
                    p_open = Token("paragraph_open", "p", 1, map=[line, line + 1], block=True, level=tok.level)
                    inner = Token("inline", "", 0, map=[line, line + 1], block=True, level=tok.level + 1,
                                  content="", children=[image])
                    p_close = Token("paragraph_close", "p", -1, block=True, level=tok.level)
                    new += [p_open, inner, p_close]
                tokens[j:j + 3] = new
                close += len(new) - 3
                j += len(new)
                continue
        j += 1


def _restructure(tokens: list[Token]) -> list[Token]:
    """Drop the headings taken as callout titles; wrap tab panels and layout cells in their own tokens."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.meta.get("remove"):
            i += 1
            continue
        out.append(tok)
        if tok.type == "container_div_open" and (tok.meta.get("tabset") or tok.meta.get("layout")):
            close = _end(tokens, i)
            inner = _restructure(tokens[i + 1:close])
            out += _tab_panels(inner, tok) if tok.meta.get("tabset") else _layout_cells(inner, tok)
            out.append(tokens[close])
            i = close + 1
            continue
        i += 1
    return out


def _top_blocks(tokens: list[Token]) -> list[list[Token]]:
    blocks, j = [], 0
    while j < len(tokens):
        k = _end(tokens, j) if tokens[j].nesting == 1 else j
        blocks.append(tokens[j:k + 1])
        j = k + 1
    return blocks


def _tab_panels(inner: list[Token], div: Token) -> list[Token]:
    out: list[Token] = []
    open_panel = False
    for block in _top_blocks(inner):
        if block[0].type == "heading_open" and block[0].meta.get("tab"):
            if open_panel:
                out.append(Token("tab_panel_close", "section", -1, block=True))
            out.append(Token("tab_panel_open", "section", 1, block=True, map=block[0].map))
            open_panel = True
        out += block
    if open_panel:
        out.append(Token("tab_panel_close", "section", -1, block=True))
    return out


def _layout_cells(inner: list[Token], div: Token) -> list[Token]:
    out: list[Token] = []
    blocks = _top_blocks(inner)
    k = 0
    for row in div.meta["layout"]:
        if k >= len(blocks):
            break
        out.append(Token("layout_row_open", "div", 1, block=True))
        for width in row:
            if "spacer" in width:
                out.append(Token("layout_cell_open", "div", 1, block=True, meta={"width": width}))
                out.append(Token("layout_cell_close", "div", -1, block=True))
                continue
            if k >= len(blocks):
                break
            out.append(Token("layout_cell_open", "div", 1, block=True, meta={"width": width}))
            out += blocks[k]
            out.append(Token("layout_cell_close", "div", -1, block=True))
            k += 1
        out.append(Token("layout_row_close", "div", -1, block=True))
    for block in blocks[k:]:  # more blocks than cells: Quarto adds rows of the same shape; one per block here
        out.append(Token("layout_row_open", "div", 1, block=True))
        out.append(Token("layout_cell_open", "div", 1, block=True, meta={"width": "col-100"}))
        out += block
        out.append(Token("layout_cell_close", "div", -1, block=True))
        out.append(Token("layout_row_close", "div", -1, block=True))
    return out
