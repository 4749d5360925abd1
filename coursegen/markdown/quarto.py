"""Quarto-flavoured Markdown, parse rules added to the engine when it is built: ``@sec-x`` / ``[@fig-x]`` /
``[-@tbl-x]`` cross-reference tokens, ``: Légende {#tbl-x}`` table captions, ``$$ … $$ {#eq-x}`` numbered
equations, ``width=60%`` read as Pandoc does, and a last sweep that turns any attribute block or fence left
as plain text into a warning instead of letting it leak into the page.
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from ..errors import Problems
from ..source.chapters import Chapter
from .attrs import take_trailing_attrs

_XREF_ID = r"(?:sec|fig|tbl|eq)-[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?"
_BARE_XREF = re.compile(rf"@({_XREF_ID})")
_BRACKET_XREF = re.compile(rf"\[(-?)@({_XREF_ID})\]")
_ATTR_AFTER_INLINE = re.compile(r"(?<=[)\]])\{[^{}\n]*\}")
# ``key=60%`` with the key starting at a letter that starts a word: read from the start of the run of
# word characters and dashes (``_quote_percent`` finds the key in it), never from inside the run, where
# ``\b[A-Za-z][\w-]*=`` would read the same run again at each dash (quadratic on ``a-a-a-…``).
_BARE_PERCENT = re.compile(r"(?<![\w-])([\w-]*+)=(\d+(?:\.\d+)?%)(?=[\s}])")
_LEFTOVER_START = re.compile(r"\{[#.][A-Za-z][^{}\n]*\}|\{\{<")
_TABLE_CAPTION = re.compile(r"^:\s+\S")
_EQ_LABEL = re.compile(r"^\s*\{#(eq-[A-Za-z0-9_-]+)\}\s*$")


def install(md: MarkdownIt) -> None:
    """Add the Quarto rules to the engine (called once, before the typography rule is pushed)."""
    md.core.ruler.after("block", "qmd_percent_attrs", _percent_attrs_rule)
    md.inline.ruler.before("link", "qmd_xref", _xref_rule)
    md.core.ruler.push("qmd_blocks", _blocks_rule)


def _note(env: dict[str, Any], line0: int, message: str, hint: str = "") -> None:
    """A warning found while parsing; ``parse_page`` reports it (``line0`` is 0-based in the body)."""
    env.setdefault("qmd_warnings", []).append((line0, message, hint))


def report(env: dict[str, Any], chapter: Chapter, problems: Problems) -> None:
    for line0, message, hint in env.pop("qmd_warnings", []):
        problems.warn(chapter.source, chapter.body_line + line0, message, hint)


def _percent_attrs_rule(state: StateCore) -> None:
    """Pandoc reads ``{width=60%}`` unquoted; the attrs plugin needs quotes: add them."""
    for tok in state.tokens:
        if tok.type == "inline" and "%" in tok.content and "{" in tok.content:
            tok.content = _ATTR_AFTER_INLINE.sub(lambda m: _BARE_PERCENT.sub(_quote_percent, m.group(0)), tok.content)


def _quote_percent(m: re.Match[str]) -> str:
    run, value = m.group(1), m.group(2)
    for i, char in enumerate(run):
        if char.isascii() and char.isalpha() and (i == 0 or run[i - 1] == "-"):
            return f'{run}="{value}"'
    return m.group(0)


def _xref_rule(state: StateInline, silent: bool) -> bool:
    """``@sec-x``, ``[@sec-x]`` (same) and ``[-@sec-x]`` (number only) as ``xref`` tokens."""
    pos = state.pos
    char = state.src[pos]
    if char == "[":
        match = _BRACKET_XREF.match(state.src, pos)
        if not match or state.src[match.end():match.end() + 1] in ("(", "{", "["):
            return False
        bare, ident = match.group(1) == "-", match.group(2)
    elif char == "@":
        if pos > 0 and (state.src[pos - 1].isalnum() or state.src[pos - 1] in "_.-+"):
            return False
        match = _BARE_XREF.match(state.src, pos)
        if not match:
            return False
        bare, ident = False, match.group(1)
    else:
        return False
    if not silent:
        token = state.push("xref", "", 0)
        token.meta = {"id": ident, "bare": bare}
        token.content = match.group(0)
    state.pos = match.end()
    return True


def _blocks_rule(state: StateCore) -> None:
    tokens = state.tokens
    _table_captions(tokens)
    _equation_labels(tokens)
    _leftovers(tokens, state.env)


def _table_captions(tokens: list[Token]) -> None:
    """``: Légende {#tbl-x}`` right after (or before) a table becomes the table's caption.

    The list is rebuilt in one pass (deleting in place would move every later token once per caption)."""
    out: list[Token] = []
    tables: list[Token] = []    # table_open of each table being copied
    closed: Token | None = None  # table_open of the table that ended last
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if tok.type == "paragraph_open" and i + 2 < n and tokens[i + 1].type == "inline" \
                and _TABLE_CAPTION.match(tokens[i + 1].content):
            table = None
            if out and out[-1].type == "table_close":
                table = closed
            elif i + 3 < n and tokens[i + 3].type == "table_open":
                table = tokens[i + 3]
            if table is not None and "caption" not in table.meta:
                inline = tokens[i + 1]
                attrs = take_trailing_attrs(inline)
                first = inline.children[0] if inline.children else None
                if first is not None and first.type == "text":
                    first.content = re.sub(r"^:\s+", "", first.content)
                table.meta["caption"] = inline.children or []
                table.meta["caption_id"] = attrs.get("id", "")
                i += 3
                continue
        if tok.type == "table_open":
            tables.append(tok)
        elif tok.type == "table_close" and tables:
            closed = tables.pop()
        out.append(tok)
        i += 1
    tokens[:] = out


def _equation_labels(tokens: list[Token]) -> None:
    """A paragraph holding only ``$$ … $$ {#eq-x}`` becomes a numbered display equation."""
    out: list[Token] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if tok.type == "paragraph_open" and i + 2 < n and tokens[i + 1].type == "inline":
            children = [c for c in tokens[i + 1].children or []
                        if not (c.type == "softbreak" or (c.type == "text" and not c.content.strip()))]
            if len(children) == 2 and children[0].type == "math_inline_double" and children[1].type == "text":
                label = _EQ_LABEL.match(children[1].content)
                if label:
                    out.append(Token("math_block_eq", "math", 0, map=tok.map, block=True,
                                     content=children[0].content, meta={"id": label.group(1)}))
                    i += 3
                    continue
        out.append(tok)
        i += 1
    tokens[:] = out


def _leftovers(tokens: list[Token], env: dict[str, Any]) -> None:
    """Attribute blocks, shortcodes and ``:::`` fences that no rule understood: warn, never show."""
    out: list[Token] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if tok.type == "paragraph_open" and i + 2 < n and tokens[i + 1].type == "inline" \
                and tokens[i + 1].content.startswith(":::"):
            _note(env, tok.map[0] if tok.map else 0, f"« {tokens[i + 1].content.splitlines()[0]} » sans bloc "
                  "à fermer ou mal formé : ligne retirée de la page",
                  "chaque « ::: {.classe} » se ferme par une ligne « ::: » ; vérifiez les accolades")
            i += 3
            continue
        if tok.type == "inline" and tok.children:
            line0 = tok.map[0] if tok.map else 0
            for child in tok.children:
                if child.type in ("softbreak", "hardbreak"):
                    line0 += 1
                elif child.type == "text" and "{" in child.content:
                    spans = _leftover_spans(child.content)
                    for start, end in spans:
                        found = child.content[start:end]
                        if found.startswith("{{<"):
                            _note(env, line0, f"shortcode non reconnu « {found} » : retiré de la page",
                                  "seul « {{< include fichier.md >}} », seul sur sa ligne, est reconnu")
                        else:
                            _note(env, line0, f"attributs non reconnus « {found} » : retirés de la page",
                                  "placez {#id .classe} juste après un titre, une image, un lien ou [un texte]")
                    if spans:
                        kept = [0] + [x for span in spans for x in span] + [len(child.content)]
                        child.content = "".join(child.content[kept[k]:kept[k + 1]] for k in range(0, len(kept), 2))
        out.append(tok)
        i += 1
    tokens[:] = out


def _leftover_spans(text: str) -> list[tuple[int, int]]:
    r"""Where ``\{[#.][A-Za-z][^{}\n]*\}`` (attributes) or ``\{\{<[^\n]*?>\}\}`` (a shortcode) match, left to right.
    The end of a shortcode is looked up once for all its openers: retried from each ``{{<`` of a line holding
    thousands of them and no ``>}}``, the search would be quadratic."""
    spans: list[tuple[int, int]] = []
    pos, close, newline = 0, -2, -2  # -2: not looked up yet; -1: none after
    while (m := _LEFTOVER_START.search(text, pos)) is not None:
        if m.group(0) != "{{<":
            spans.append(m.span())
            pos = m.end()
            continue
        if close == -2 or 0 <= close < m.end():
            close = text.find(">}}", m.end())
        if newline == -2 or 0 <= newline < m.end():
            newline = text.find("\n", m.end())
        if close >= 0 and (newline < 0 or close < newline):
            spans.append((m.start(), close + 3))
            pos = close + 3
        else:
            pos = m.start() + 1
    return spans
