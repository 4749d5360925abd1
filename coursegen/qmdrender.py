"""Quarto-flavoured Markdown, render stage: numbered cross-references, captioned tables, labelled
equations, image widths without inline styles (the site's CSP forbids ``style=``), spans."""

from __future__ import annotations

import html
import re
from typing import Any, Sequence

from markdown_it.token import Token

from .errors import did_you_mean
from .htmlrender import _child_line, _math
from .markdown import Figure
from .nav import Target

WIDTH_STEP = 5  # percentage widths become the class "largeur-N", N a multiple of 5 (site.css)
_SENTENCE_END = re.compile(r"(^|[.!?…:]\s*|\n\s*)$")
_PX = re.compile(r"^(\d+)(px)?$")
_PERCENT = re.compile(r"^(\d+(?:\.\d+)?)%$")
_NOUNS = {"sec": "section", "fig": "figure", "tbl": "tableau", "eq": "équation"}


def _xref(self, tokens: Sequence[Token], idx: int, options, env: dict[str, Any]) -> str:
    tok = tokens[idx]
    ident, bare = tok.meta["id"], tok.meta["bare"]
    nav, site = env["nav"], env["site"]
    target: Target | None = site.anchors[nav.url].get(ident) or site.targets.get(ident)
    if target is None or not target.label:
        kind = ident.split("-", 1)[0]
        known = [t for t in site.targets if t.startswith(kind + "-")]
        env["problems"].error(env["source"], _child_line(env, tok), f"référence croisée « @{ident} » introuvable",
                              did_you_mean(ident, known)
                              or f"ajoutez {{#{ident}}} à {_what(kind)}, dans ce chapitre ou un autre")
        return html.escape(ident)
    label = target.label
    if bare:
        label = label.split(" ", 1)[1].strip("()") if " " in label else label
    elif _sentence_start(tokens, idx):
        label = label[0].upper() + label[1:]
    href = f"#{target.anchor}" if target.page == nav.url else f"{target.page}#{target.anchor}"
    return f'<a class="xref" href="{html.escape(href)}">{html.escape(label)}</a>'


def _what(kind: str) -> str:
    return {"sec": "un titre", "fig": "une figure", "tbl": "la légende d'un tableau",
            "eq": "une équation « $$ … $$ {#eq-nom} »"}[kind]


def _sentence_start(tokens: Sequence[Token], idx: int) -> bool:
    """True at the start of a paragraph or after « . », « ! », « ? » (Quarto capitalises there too)."""
    before = ""
    for tok in reversed(tokens[:idx]):
        if tok.type in ("softbreak", "hardbreak"):
            before = " " + before
        elif tok.type in ("text", "code_inline"):
            before = tok.content + before
        elif tok.type.endswith("_open") or tok.type.endswith("_close"):
            continue
        else:
            return False
        if before.strip():
            break
    stripped = before.rstrip(" \u00a0\u202f")
    return not stripped or stripped[-1] in ".!?…"


def _table_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    tok = tokens[idx]
    if "caption" not in tok.meta:
        return self.renderToken(tokens, idx, options, env)
    fig: Figure = tok.meta["numbered"]
    ident = f' id="{html.escape(fig.id)}"' if fig.id else ""
    label = f'<span class="figure-label">Tableau {fig.number}</span> : ' if fig.number else ""
    caption = self.renderInline(tok.meta["caption"], options, env)
    return f'<figure class="table"{ident}>\n<figcaption>{label}{caption}</figcaption>\n<table>\n'


def _table_close(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    depth = 0
    for j in range(idx, -1, -1):
        depth += {"table_close": 1, "table_open": -1}.get(tokens[j].type, 0)
        if depth == 0:
            return "</table>\n</figure>\n" if "caption" in tokens[j].meta else "</table>\n"
    return "</table>\n"


_display_math = _math(True)


def _math_block_eq(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    fig: Figure = tokens[idx].meta["numbered"]
    rendered = _display_math(self, tokens, idx, options, env)
    if not rendered.startswith('<div class="math">'):
        return rendered
    number = f'<span class="equation-number">({fig.number})</span>' if fig.number else ""
    mathml = rendered.removeprefix('<div class="math">').removesuffix("</div>\n")
    return f'<div class="math equation" id="{html.escape(fig.id)}">{mathml}{number}</div>\n'


def _span_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    tok = tokens[idx]
    if tok.attrs.pop("style", None) is not None:
        env["problems"].warn(env["source"], _child_line(env, tok), "attribut « style » ignoré sur [texte]{…}",
                             "la politique de sécurité du site interdit les styles en ligne : utilisez une classe")
    return self.renderToken(tokens, idx, options, env)


def image_attrs(tok: Token, env: dict[str, Any]) -> str:
    """The HTML attributes of an image besides src/alt: widths as classes or pixels, never ``style``."""
    out: list[tuple[str, str]] = []
    classes = str(tok.attrs.get("class", "")).split()
    line = _child_line(env, tok)
    for key in ("width", "height"):
        value = str(tok.attrs.get(key, "")).strip()
        if not value:
            continue
        px, pct = _PX.match(value), _PERCENT.match(value)
        if px:
            out.append((key, px.group(1)))
        elif pct and key == "width" and 0 < float(pct.group(1)) <= 100:
            step = max(WIDTH_STEP, min(100, WIDTH_STEP * round(float(pct.group(1)) / WIDTH_STEP)))
            classes.append(f"largeur-{step}")
        else:
            env["problems"].warn(env["source"], line, f"{'largeur' if key == 'width' else 'hauteur'} "
                                 f"« {value} » non prise en charge : ignorée",
                                 "écrivez width=60% (de 5 % en 5 %) ou une taille en pixels : width=300px")
    if "style" in tok.attrs:
        env["problems"].warn(env["source"], line, "attribut « style » ignoré sur l'image",
                             "la politique de sécurité du site interdit les styles en ligne : utilisez width=")
    for key, value in tok.attrs.items():
        if key == "title" or key.startswith("data-"):
            out.append((key, str(value)))
        elif key not in ("src", "alt", "id", "class", "width", "height", "style", "fig-alt"):
            env["problems"].warn(env["source"], line, f"attribut d'image « {key} » non pris en charge : ignoré",
                                 "attributs reconnus : #fig-nom, .classe, width, height, title, fig-alt")
    if classes:
        out.append(("class", " ".join(classes)))
    return "".join(f' {k}="{html.escape(v)}"' for k, v in out)


RULES = {
    "xref": _xref, "table_open": _table_open, "table_close": _table_close,
    "math_block_eq": _math_block_eq, "span_open": _span_open,
}
