"""Stage 4, the render rules of Quarto code cells (``markdown.cells`` makes their tokens): the cell, its code
(folded in a ``<details>`` with ``code-fold``), its text outputs, and the cell as a numbered figure or table."""

from __future__ import annotations

import html
from typing import Sequence

from markdown_it.token import Token

from .code import highlight_code
from .html import PageState, block_line, caption_label, nothing

FIGURE_WORDS = {"image": "Figure", "table": "Tableau"}


def _opening(tokens: Sequence[Token], idx: int) -> Token:
    return next(tokens[j] for j in range(idx - 1, -1, -1) if tokens[j].type == "cell_open")


def _caption(self, tok: Token, options, env) -> str:
    page: PageState = env["page"]
    number = page.nav.figure_numbers.get(block_line(env, tok), "")
    word = FIGURE_WORDS[tok.meta["figure_kind"]]
    caption = self.renderInline(tok.meta["caption"], options, env)
    label = caption_label(word, number) if caption else caption_label(word, number).removesuffix("\u00a0: ")
    return f"<figcaption>{label}{caption}</figcaption>"


def _cell_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    tok = tokens[idx]
    lang = html.escape(tok.meta["lang"])
    ident = tok.meta.get("figure_id")
    if not ident:
        return f'<div class="cell" data-lang="{lang}">\n'
    kind = tok.meta["figure_kind"]
    opening = f'<figure class="{"table" if kind == "table" else "figure"} cell" id="{html.escape(ident)}">\n'
    return opening + (_caption(self, tok, options, env) + "\n" if kind == "table" else "")


def _cell_close(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    opening = _opening(tokens, idx)
    if not opening.meta.get("figure_id"):
        return "</div>\n"
    missing = ('<p class="cell-missing">Résultat non disponible\u00a0: la page n’a pas été exécutée par Quarto.</p>\n'
               if opening.meta["missing"] else "")
    caption = _caption(self, opening, options, env) if opening.meta["figure_kind"] != "table" else ""
    return f"{missing}{caption}</figure>\n"


def _cell_code(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    tok = tokens[idx]
    code = highlight_code(tok.content, tok.info)
    fold = tok.meta["fold"]
    if not fold:
        return code
    is_open = " open" if fold == "show" else ""
    return (f'<details class="code-fold"{is_open}><summary>{html.escape(tok.meta["summary"])}</summary>\n'
            f"{code}</details>\n")


def _cell_output(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    tok = tokens[idx]
    return (f'<div class="cell-output cell-output-{html.escape(tok.info)}"><pre><code>'
            f"{html.escape(tok.content.rstrip())}</code></pre></div>\n")


RULES = {"cell_hidden": nothing, "cell_open": _cell_open, "cell_close": _cell_close, "cell_code": _cell_code,
         "cell_output": _cell_output}
