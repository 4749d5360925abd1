"""The Quarto constructs a project uses, and what this tool does with each: ONE declared table, ``CONSTRUCTS``,
and ``count_constructs``, which classifies a page's parsed tokens against it. ``python build.py check`` on a
Quarto project ends with the table of the constructs found (``commands.cli``), so that nothing the tool
shows differently from Quarto goes unsaid.

To record that a construct is now rendered, change its ``Status`` in ``CONSTRUCTS``: nothing else."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from markdown_it.token import Token


class Status(Enum):
    RENDERED = "rendu"                  # as Quarto renders it
    DEGRADED = "dégradé"                # shown, but not as Quarto shows it (a warning says how, where it can)
    UNSUPPORTED = "non pris en charge"  # left out or shown as source text


@dataclass(frozen=True)
class Construct:
    label: str       # as the table prints it
    status: Status
    note: str        # what happens today, in a few words


S = Status
CONSTRUCTS: dict[str, Construct] = {
    "callout": Construct("encadré (callout)", S.RENDERED, "titre, repli"),
    "callout-heading": Construct("encadré titré par un « ## »", S.DEGRADED, "le titre devient une section"),
    "tabset": Construct("onglets (.panel-tabset)", S.DEGRADED, "panneaux affichés à la suite"),
    "columns": Construct("colonnes (.columns / .column)", S.DEGRADED, "colonnes affichées à la suite"),
    "margin": Construct("marge (.column-margin, .aside)", S.DEGRADED, "texte affiché dans le corps"),
    "layout": Construct("disposition (layout-ncol, layout-nrow, layout)", S.DEGRADED, "figures à la suite"),
    "conditional": Construct("contenu conditionnel (.content-visible/hidden)", S.DEGRADED, "toujours affiché"),
    "cell": Construct("cellule de code ({r}, {python}…)", S.RENDERED, "code coloré, sorties du gel"),
    "cell-missing": Construct("cellule sans sorties (pas de gel)", S.DEGRADED,
                              "code seul, un avertissement par page"),
    "cell-options": Construct("options de cellule (#| ou en-tête knitr)", S.RENDERED,
                              "echo, eval, include, output, code-fold, fig-cap, label…"),
    "cell-diagram": Construct("diagramme ({mermaid}, {dot}, {ojs})", S.DEGRADED, "code affiché, avertissement"),
    "include-graphics": Construct("image par knitr::include_graphics", S.RENDERED, "image, légende, texte alt."),
    "freeze": Construct("sorties figées (_freeze/)", S.RENDERED, "sorties, figures, valeurs en ligne"),
    "inline-code": Construct("code en ligne `r …` / `{python} …` sans gel", S.DEGRADED,
                             "affiché comme du code, avertissement"),
    "raw-html": Construct("bloc brut {=html}", S.UNSUPPORTED, "affiché comme du code"),
    "raw-other": Construct("bloc brut {=latex}, {=typst}…", S.UNSUPPORTED, "affiché comme du code"),
    "shortcode-include": Construct("shortcode include", S.RENDERED, "fichier inclus"),
    "shortcode": Construct("autre shortcode ({{< meta >}}, {{< var >}}…)", S.UNSUPPORTED,
                           "retiré, avertissement"),
    "citation": Construct("citation [@clé] / @clé", S.RENDERED, "citeproc de Pandoc, références"),
    "xref": Construct("référence croisée @sec-, @fig-, @tbl-, @eq-", S.RENDERED, "lien numéroté"),
    "figure": Construct("figure avec légende", S.RENDERED, "numérotée si {#fig-…}"),
    "table-caption": Construct("légende de tableau « : … {#tbl-…} »", S.RENDERED, "numérotée"),
    "equation": Construct("équation numérotée {#eq-…}", S.RENDERED, "MathML"),
    "span": Construct("texte avec attributs [texte]{.classe}", S.RENDERED, "classe conservée"),
}
del S

_CELL = re.compile(r"^\{([A-Za-z][\w-]*)(.*)\}$")
_RAW = re.compile(r"^\{=([A-Za-z]+)\}$")
_SHORTCODE = re.compile(r"\{\{<\s*([\w-]+)")
_INLINE_CELL = re.compile(r"^(?:r|\{r\}|\{python\}|\{julia\})\s")
_DIAGRAMS = {"mermaid", "dot", "ojs"}


def count_constructs(pages: Iterable[list[Token]]) -> Counter[str]:
    """How many times each construct of ``CONSTRUCTS`` occurs in the parsed tokens of ``pages``."""
    found: Counter[str] = Counter()
    for tokens in pages:
        for i, tok in enumerate(tokens):
            for name in _block(tokens, i, tok):
                found[name] += 1
            if tok.type == "inline":
                found.update(_inline(tok))
    return found


def frozen_pages(project_dir: Path) -> int:
    """Pages with Quarto's frozen outputs (``_freeze/<page>/execute-results/``) beside the ``_quarto.yml``."""
    freeze = project_dir / "_freeze"
    return sum(1 for p in freeze.rglob("execute-results") if p.is_dir()) if freeze.is_dir() else 0


def _block(tokens: list[Token], i: int, tok: Token) -> list[str]:
    if tok.type == "container_div_open":
        attrs = tok.meta.get("attrs", {})
        classes = attrs.get("class", "").split()
        names = []
        if any(c.startswith("callout-") for c in classes):
            names.append("callout")
            if i + 1 < len(tokens) and tokens[i + 1].type == "heading_open":
                names.append("callout-heading")
        if "panel-tabset" in classes:
            names.append("tabset")
        if "columns" in classes:
            names.append("columns")
        if "column-margin" in classes or "aside" in classes:
            names.append("margin")
        if any(k in attrs for k in ("layout", "layout-ncol", "layout-nrow")):
            names.append("layout")
        if "content-visible" in classes or "content-hidden" in classes:
            names.append("conditional")
        return names
    if tok.type in ("cell_open", "cell_hidden"):  # a cell as markdown.cells made it
        names = ["cell"]
        names += ["cell-options"] if tok.meta.get("options") else []
        names += ["include-graphics"] if tok.meta.get("image") else []
        names += ["cell-missing"] if tok.meta.get("missing") else []
        return names
    if tok.type == "fence":
        info = tok.info.strip()
        if _RAW.match(info):
            return ["raw-html" if info.lower() == "{=html}" else "raw-other"]
        cell = _CELL.match(info)
        if not cell:
            return []
        lang = cell.group(1).lower()
        if lang in _DIAGRAMS:
            return ["cell-diagram"]
        names = ["cell"]
        if cell.group(2).strip(" ,") or re.match(r"[ \t]*#\|", tok.content):
            names.append("cell-options")
        if "include_graphics(" in tok.content:
            names.append("include-graphics")
        return names
    if tok.type == "paragraph_open" and tok.meta.get("figure"):
        return ["figure"]
    if tok.type == "table_open" and "caption" in tok.meta:
        return ["table-caption"]
    if tok.type == "math_block_eq":
        return ["equation"]
    return []


def count_shortcodes(source: str) -> Counter[str]:
    """The shortcodes of a page's source as the author wrote it (the source stage expands or removes them before
    parsing, so the tokens no longer show them), outside code blocks and code spans."""
    found: Counter[str] = Counter()
    fence = ""
    for line in source.splitlines():
        opening = re.match(r"^\s*(`{3,}|~{3,})", line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
            continue
        if opening:
            fence = opening.group(1)
            continue
        for m in _SHORTCODE.finditer(re.sub(r"`[^`]*`", "", line)):
            found["shortcode-include" if m.group(1) == "include" else "shortcode"] += 1
    return found


def _inline(tok: Token) -> list[str]:
    names = []
    for child in tok.children or []:
        if child.type == "cite":
            names.append("citation")
        elif child.type == "xref":
            names.append("xref")
        elif child.type == "code_inline" and _INLINE_CELL.match(child.content):
            names.append("inline-code")
        elif child.type == "span_open":
            names.append("span")
    return names


def table(found: Counter[str]) -> list[str]:
    """The lines ``check`` prints: one per construct found, by status, then the totals (French)."""
    rows = [(CONSTRUCTS[name], n) for name, n in found.items() if n and name in CONSTRUCTS]
    if not rows:
        return ["Constructions Quarto : aucune trouvée."]
    order = list(Status)
    rows.sort(key=lambda row: (order.index(row[0].status), row[0].label))
    width = max(len(c.label) for c, _ in rows)
    lines = ["Constructions Quarto trouvées :",
             f"  {'construction'.ljust(width)}  {'statut'.ljust(18)}  {'nombre':>6}  effet"]
    lines += [f"  {c.label.ljust(width)}  {c.status.value.ljust(18)}  {n:>6}  {c.note}" for c, n in rows]
    totals = {s: sum(n for c, n in rows if c.status is s) for s in order}
    lines.append("Total : " + ", ".join(f"{totals[s]} {s.value}" for s in order) + ".")
    return lines
