"""Pandoc's rules where CommonMark reads authors' Quarto files differently, added to the engine when it is
built (Pandoc is Quarto's own parser; tests/test_markdown_pandoc.py compares the two):

- fenced divs (``::: {.classe}``) nest as Pandoc nests them: a line of three colons or more *with*
  attributes opens a div, a bare line of three colons or more closes the innermost open one, whatever
  the number of colons of each (``::: a`` / ``:::: b`` / ``::::`` / ``:::`` is two nested divs); colons
  inside code are code. An unclosed div ends with its parent (``markdown.divs`` warns at its line).
  One deliberate difference: an opening fence right after a paragraph line opens a div here (Pandoc
  would print it as text, which an author never means).
- a code fence in a list item closes on its closing fence even when that line is less indented than the
  item's text (Pandoc reads it as a lazy continuation line; CommonMark ends the item and opens a new
  fence that swallows the rest of the page).
- raw blocks and spans: ```` ```{=html} ```` and `` `<b>`{=html} `` become raw HTML (sanitised when
  rendered, as all raw HTML is); any other format (``{=latex}``…) is dropped with a warning at its line.

Warnings go to ``env["qmd_warnings"]`` as ``(line0, message, hint)``, which ``quarto.report`` reports.
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

RAW_HTML = ("html", "html5", "html4")
_COLONS = re.compile(r":{3,}")
_FENCE = re.compile(r"(`{3,}|~{3,})")
_RAW_ATTR = re.compile(r"^\{=([A-Za-z0-9_+-]+)\}")
_CLOSES = "qmd_div_closes"  # env key of the closing lines found by _find_close, dropped after the block stage


def install(md: MarkdownIt) -> None:
    """Block rules in place of the container plugin and CommonMark's fence; the raw rule runs last (after
    typography, which must not touch the raw text)."""
    alt = {"alt": ["paragraph", "reference", "blockquote", "list"]}
    md.block.ruler.before("fence", "qmd_div", _div_rule, alt)
    md.block.ruler.at("fence", _fence_rule, alt)
    md.core.ruler.after("block", "qmd_div_closes", lambda state: state.env.pop(_CLOSES, None))
    md.core.ruler.push("qmd_raw", _raw_rule)
    md.core.ruler.before("block", "qmd_fancy_lists", _fancy_lists_rule)
    md.core.ruler.after("block", "qmd_fancy_list_types", _fancy_list_types_rule)


def _note(env: dict[str, Any], line0: int, message: str, hint: str = "") -> None:
    env.setdefault("qmd_warnings", []).append((line0, message, hint))


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]]


def _opener(text: str) -> str | None:
    """The attributes of a div's opening line (``::: {.a}``, ``:::: name``, ``::: {.a} :::``), else None."""
    m = _COLONS.match(text)
    if not m:
        return None
    params = text[m.end():].strip().rstrip(":").strip()
    return params or None


def _is_closer(text: str) -> bool:
    return bool(_COLONS.fullmatch(text.rstrip()))


def _div_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.is_code_block(start):
        return False
    text = _line(state, start)
    params = _opener(text)
    if params is None or params.startswith("{="):
        return False
    if silent:
        return True
    close, closed = _find_close(state, start, end)
    old_parent, old_max = state.parentType, state.lineMax
    state.parentType = "container"
    state.lineMax = close
    token = state.push("container_div_open", "div", 1)
    token.markup, token.block, token.info, token.map = _COLONS.match(text).group(0), True, params, [start, close]
    if not closed:
        token.meta["unclosed"] = True
    state.md.block.tokenize(state, start + 1, close)
    token = state.push("container_div_close", "div", -1)
    token.block = True
    state.parentType, state.lineMax = old_parent, old_max
    state.line = close + (1 if closed else 0)
    return True


def _find_close(state: StateBlock, start: int, end: int) -> tuple[int, bool]:
    """The line of the bare colon fence that closes the div opened at ``start``, counting the divs opened
    and closed in between and skipping code fences; (end of the parent block, False) if there is none.

    One pass finds the closing line of every div it crosses (kept in ``env``, keyed by opening line), so that
    nested or unclosed divs do not rescan the page once each (quadratic on thousands of ``::: {.a}`` lines)."""
    known: dict[int, tuple[int, bool]] = state.env.setdefault(_CLOSES, {})
    if start in known:
        close, closed = known[start]
        return (close, closed) if close < end else (end, False)
    stack, fence = [start], ""
    line = start + 1
    while line < end and stack:
        text = _line(state, line)
        if text and state.sCount[line] < state.blkIndent:
            break
        if state.sCount[line] - state.blkIndent >= 4 and not fence:
            pass  # indented code (or a list's deeper text), as the old container plugin read it
        elif fence:
            if text.startswith(fence[0]) and re.fullmatch(re.escape(fence[0]) + "{%d,}\\s*" % len(fence), text):
                fence = ""
        elif (m := _FENCE.match(text)) is not None and not (m.group(1)[0] == "`" and "`" in text[m.end():]):
            fence = m.group(1)
        elif _is_closer(text):
            known[stack.pop()] = (line, True)
        elif (params := _opener(text)) is not None and not params.startswith("{="):
            stack.append(line)
        line += 1
    for opened in stack:
        known[opened] = (line, False)
    return known[start]


# knitr's chunk header (``knitr::all_patterns$md``): a cell even with backticks in its options
_KNITR_HEADER = re.compile(r"^[ \t]*\{[a-zA-Z0-9_]+(?:[ ,][^\n]*)?\}[ \t]*$")  # one greedy run: linear

def _fence_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """CommonMark's fence, except that inside a list item a closing fence less indented than the item's
    text still closes it when it follows a non-blank line, as Pandoc reads it."""
    if state.is_code_block(start):
        return False
    text = _line(state, start)
    m = _FENCE.match(text)
    if not m:
        return False
    markup = m.group(1)
    params = text[m.end():]
    if markup[0] == "`" and "`" in params and not _KNITR_HEADER.match(params):
        return False  # knitr reads ```{r, fig.cap = "… `x` …"} as a cell before Pandoc sees it
    if silent:
        return True
    closing = re.compile(re.escape(markup[0]) + "{%d,}[ \t]*" % len(markup))
    line, closed = start, False
    while True:
        line += 1
        if line >= end:
            break
        text = _line(state, line)
        if text and state.sCount[line] < state.blkIndent:
            lazy = state.blkIndent > 0 and _line(state, line - 1).strip() != ""  # in a list item
            if lazy and closing.fullmatch(text):
                closed = True
            break
        if state.sCount[line] - state.blkIndent >= 4:
            continue
        if closing.fullmatch(text):
            closed = True
            break
    state.line = line + (1 if closed else 0)
    token = state.push("fence", "code", 0)
    token.info = params
    token.content = state.getLines(start + 1, line, state.sCount[start], True)
    token.markup = markup
    token.map = [start, state.line]
    return True


def _raw_rule(state: StateCore) -> None:
    state.tokens = _raw_blocks(state.tokens, state.env)
    _raw_inline(state.tokens, state.env)


def _raw_blocks(tokens: list[Token], env: dict[str, Any]) -> list[Token]:
    """```` ```{=html} ```` → raw HTML block; any other raw format → removed, with a warning."""
    out: list[Token] = []
    for tok in tokens:
        raw = _RAW_ATTR.match(tok.info.strip()) if tok.type == "fence" else None
        if raw is None:
            out.append(tok)
            continue
        fmt = raw.group(1).lower()
        if fmt in RAW_HTML:
            start = tok.map[0] + 1 if tok.map else 0  # the HTML starts below the fence: sanitiser warnings' lines
            block = Token("html_block", "", 0, map=[start, tok.map[1] if tok.map else 0], block=True,
                          content=tok.content, meta={"raw_format": fmt})
            block.level = tok.level
            out.append(block)
        else:  # an empty token, so that the block is still counted (``markdown.constructs``)
            out.append(Token("raw_dropped", "", 0, map=tok.map, block=True, meta={"raw_format": fmt}))
            _note(env, tok.map[0] if tok.map else 0, f"bloc brut « {{={fmt}}} » retiré de la page : "
                  "il ne vaut que pour ce format de sortie", "seul « ```{=html} » s'affiche sur le site")
    return out


def _raw_inline(tokens: list[Token], env: dict[str, Any]) -> None:
    """`` `<b>`{=html} `` → raw inline HTML; `` `\\x`{=latex} `` → removed, with a warning."""
    for block in tokens:
        if block.type != "inline" or not block.children or "{=" not in block.content:
            continue
        children = block.children
        line0 = block.map[0] if block.map else 0
        kept: list[Token] = []
        for k, child in enumerate(children):
            if child.type in ("softbreak", "hardbreak"):
                line0 += 1
            nxt = children[k + 1] if k + 1 < len(children) else None
            raw = _RAW_ATTR.match(nxt.content) if child.type == "code_inline" and nxt is not None \
                and nxt.type == "text" else None
            if raw is None:
                kept.append(child)
                continue
            nxt.content = nxt.content[raw.end():]
            fmt = raw.group(1).lower()
            if fmt in RAW_HTML:
                kept.append(Token("html_inline", "", 0, content=child.content))
            else:
                _note(env, line0, f"texte brut « `{child.content}`{{={fmt}}} » retiré de la page : "
                      "il ne vaut que pour ce format de sortie", "seul « `…`{=html} » s'affiche sur le site")
        block.children = kept


# Pandoc's fancy_lists: ``a.``, ``B)``, ``(c)``, ``iv.``, ``#.`` markers. CommonMark knows only digits, so such a
# list read as a paragraph and its indented code cells as code blocks (« #| » shown). Before the block stage,
# each marker is replaced by « 1. » or « 1) » of the same width (columns and lines unchanged); the list's
# style and start are put back on its ``<ol>`` afterwards.
_FANCY = re.compile(r"^( *)(\(?)([a-zA-Z]|[ivxlcdm]{2,}|[IVXLCDM]{2,}|#)([.)])( +)(?=\S)")
_ROMAN = re.compile(r"^m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_FANCY_KEY = "qmd_fancy_lists"  # env key: line -> (HTML list type, number of the first item)


def _fancy_lists_rule(state: StateCore) -> None:
    if "." not in state.src and ")" not in state.src:
        return
    lines = state.src.split("\n")
    found: dict[int, tuple[str, int]] = {}
    active: dict[int, str] = {}  # indent -> style of a fancy list open at that indent
    fence = ""
    blank = True
    for i, text in enumerate(lines):
        stripped = text.strip()
        opening = _FENCE.match(stripped)
        if fence:
            if opening and stripped.startswith(fence) and stripped.strip(fence[0]) == "":
                fence = ""
            blank = False
            continue
        if not stripped:
            blank = True
            continue
        indent = len(text) - len(text.lstrip(" "))
        for level in [level for level in active if level > indent]:
            del active[level]
        marker = _fancy_marker(text, indent in active and active[indent])
        if marker is not None and (blank or indent in active):
            width, style, number, delimiter = marker
            lines[i] = text[:indent] + ("1" + delimiter).ljust(width) + text[indent + width:]
            if indent not in active:
                found[i] = (style, number)
            active[indent] = style
        elif indent in active and blank:
            del active[indent]  # a paragraph at the list's own indent after a blank line: the list is over
        if opening:
            fence = opening.group(1)
        blank = False
    if found:
        state.src = "\n".join(lines)
        state.env[_FANCY_KEY] = found


def _fancy_marker(text: str, style: str | bool) -> tuple[int, str, int, str] | None:
    """(marker width with its spaces, list type "a" "A" "i" "I" or "1", number, delimiter) of a Pandoc list
    marker, or None. A single ``i``/``I`` starts a roman list (Pandoc's reading); inside a letter list it is a
    letter. A capital letter followed by a period needs two spaces (« A. Dupont » is not a list)."""
    m = _FANCY.match(text)
    if m is None:
        return None
    _, paren, mark, delimiter, spaces = m.groups()
    if (paren and delimiter != ")") or (mark.isupper() and len(mark) == 1 and delimiter == "." and len(spaces) < 2):
        return None
    width = m.end() - len(m.group(1))
    if mark == "#":
        return width, "1", 1, delimiter
    roman = mark.lower()
    if (len(mark) > 1 or (mark in "iI" and style not in ("a", "A"))) and _ROMAN.match(roman):
        value = sum(_roman_value(roman))
        return width, "i" if mark.islower() else "I", value, delimiter
    if len(mark) > 1:
        return None
    return width, "a" if mark.islower() else "A", ord(roman) - 96, delimiter


def _roman_value(roman: str) -> list[int]:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    digits = [values[c] for c in roman]
    return [-d if i + 1 < len(digits) and d < digits[i + 1] else d for i, d in enumerate(digits)]


def _fancy_list_types_rule(state: StateCore) -> None:
    found = state.env.pop(_FANCY_KEY, None)
    if not found:
        return
    for tok in state.tokens:
        if tok.type == "ordered_list_open" and tok.map and tok.map[0] in found:
            style, number = found[tok.map[0]]
            if style != "1":
                tok.attrSet("type", style)
            if number != 1:
                tok.attrSet("start", str(number))
            elif tok.attrGet("start") is not None:
                del tok.attrs["start"]
