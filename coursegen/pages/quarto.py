"""Quarto-flavoured Markdown, render rules: numbered cross-references, captioned tables, labelled
equations, spans without inline styles (the site's CSP forbids ``style=``)."""

from __future__ import annotations

import html
import posixpath
from typing import Any, Sequence

from markdown_it.token import Token

from ..course.nav import Target
from ..errors import did_you_mean
from ..markdown.parse import Figure
from .html import PageState, block_line, caption_label, child_line, math_rule



def _xref(self, tokens: Sequence[Token], idx: int, options, env: dict[str, Any]) -> str:
    tok = tokens[idx]
    ident, bare = tok.meta["id"], tok.meta["bare"]
    page: PageState = env["page"]
    nav, site = page.nav, page.site
    target: Target | None = site.anchors[nav.url].get(ident) or site.targets.get(ident)
    if target is None or not target.label:
        kind = ident.split("-", 1)[0]
        known = [t for t in site.targets if t.startswith(kind + "-")] if page.may_hint() else []
        page.misses += 1
        page.broken(child_line(env, tok), f"référence croisée « @{ident} » introuvable",
                   did_you_mean(ident, known) or f"ajoutez {{#{ident}}} à {_what(kind)}, dans ce chapitre ou un autre")
        return html.escape(ident)
    label = target.label
    if bare:
        label = label.split(" ", 1)[1].strip("()") if " " in label else label
    elif _sentence_start(tokens, idx):
        label = label[0].upper() + label[1:]
    href = f"#{target.anchor}" if target.page == nav.url else \
        f"{posixpath.relpath(target.page, posixpath.dirname(nav.url) or '.')}#{target.anchor}"
    return f'<a class="xref" href="{html.escape(href)}">{html.escape(label)}</a>'


def _what(kind: str) -> str:
    return {"sec": "un titre", "fig": "une figure", "tbl": "la légende d'un tableau",
            "eq": "une équation « $$ … $$ {#eq-nom} »"}[kind]


def _sentence_start(tokens: Sequence[Token], idx: int) -> bool:
    """True at the start of a paragraph or after « . », « ! », « ? » (Quarto capitalises there too).

    Reads back only to the last character written before the reference, without copying the tokens or
    joining their text: with thousands of references in a paragraph, either would make the page quadratic."""
    for j in range(idx - 1, -1, -1):
        tok = tokens[j]
        if tok.type in ("softbreak", "hardbreak"):
            continue  # a line break reads as a space
        if tok.type in ("text", "code_inline"):
            written = tok.content.rstrip(" \u00a0\u202f")
            if written:  # another whitespace (a tab…) is no sentence end either
                return written[-1] in ".!?…"
        elif not (tok.type.endswith("_open") or tok.type.endswith("_close")):
            return False
    return True


def _table_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    tok = tokens[idx]
    if "caption" not in tok.meta:
        return self.renderToken(tokens, idx, options, env)
    fig: Figure = tok.meta["numbered"]
    number = env["page"].nav.figure_numbers.get(block_line(env, tok), "")
    ident = f' id="{html.escape(fig.id)}"' if fig.id else ""
    label = caption_label("Tableau", number)
    caption = self.renderInline(tok.meta["caption"], options, env)
    return f'<figure class="table"{ident}>\n<figcaption>{label}{caption}</figcaption>\n<table>\n'


def _table_close(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    depth = 0
    for j in range(idx, -1, -1):
        depth += {"table_close": 1, "table_open": -1}.get(tokens[j].type, 0)
        if depth == 0:
            return "</table>\n</figure>\n" if "caption" in tokens[j].meta else "</table>\n"
    return "</table>\n"


_display_math = math_rule(True)


def _math_block_eq(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    fig: Figure = tokens[idx].meta["numbered"]
    rendered = _display_math(self, tokens, idx, options, env)
    if not rendered.startswith('<div class="math">'):
        return rendered
    shown = env["page"].nav.figure_numbers.get(block_line(env, tokens[idx]), "")
    number = f'<span class="equation-number">({shown})</span>' if shown else ""
    mathml = rendered.removeprefix('<div class="math">').removesuffix("</div>\n")
    return f'<div class="math equation" id="{html.escape(fig.id)}">{mathml}{number}</div>\n'


def _span_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    tok = tokens[idx]
    if tok.attrs.pop("style", None) is not None:
        env["page"].warn(child_line(env, tok), "attribut « style » ignoré sur [texte]{…}",
                         "la politique de sécurité du site interdit les styles en ligne : utilisez une classe")
    return self.renderToken(tokens, idx, options, env)


RULES = {
    "xref": _xref, "table_open": _table_open, "table_close": _table_close,
    "math_block_eq": _math_block_eq, "span_open": _span_open,
}
