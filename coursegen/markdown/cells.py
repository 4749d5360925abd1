"""Quarto code cells, a parse rule: each ```` ```{r} ```` / ```` ```{python} ```` fence becomes ``cell_*`` tokens
that honour the cell's options (``cell_options``), with the outputs of Quarto's freeze when the chapter has one
(``executed``), and the inline expressions `` `r expr` `` and `` `{python} expr` `` take their value from it.

Without a freeze, a cell shows its code, and one warning per page says that outputs are missing and how to
produce them. A cell whose only code is ``knitr::include_graphics("path")`` is the image it would show.
The chapter's freeze reaches the rule in ``env["frozen"]`` (``markdown.parse.parse_page`` puts it there).
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ..source.freeze import FREEZE_HINT, Frozen
from .cell_options import NOT_EXECUTED, CellOptions, cell_language, read_cell
from .executed import Alignment, ExecutedCell, align, code_key

_INCLUDE_GRAPHICS = re.compile(r"""^\s*(?:knitr::)?include_graphics\(\s*(?:path\s*=\s*)?(["'])([^"'\n]+)\1"""
                               r"""\s*(?:,\s*[\w.]+\s*=\s*[^,()\n]+)*\)\s*$""")
_KNITR_INLINE = re.compile(r"^r[ #](.*)$", re.S)
_QUARTO_INLINE = re.compile(r"^\{(\w+)\}\s+(.*)$", re.S)
_SINGLE_QUOTED = re.compile(r"""([\w-]+)='((?:[^'\\]|\\.)*)'""")
_ATTR_BLOCK = re.compile(r"(?<=[)\]])\{[^{}]*\}")
_R_LITERAL = re.compile(r"""^\s*(?:"([^"\\]*)"|'([^'\\]*)'|(-?\d+(?:\.\d+)?))\s*$""")


def install(md: MarkdownIt) -> None:
    """Add the cell rule, last: the outputs it splices in were parsed by the whole engine already."""
    md.core.ruler.push("qmd_cells", _cells_rule)


def _note(env: dict[str, Any], line0: int, message: str, hint: str = "") -> None:
    env.setdefault("cell_warnings", []).append((line0, message, hint))


def warnings(env: dict[str, Any]) -> list[tuple[int, str, str]]:
    """The warnings found while parsing (line 0-based in the body); ``parse_page`` reports them."""
    return env.pop("cell_warnings", [])


def _cells_rule(state: StateCore) -> None:
    if state.inlineMode:
        return
    env = state.env
    frozen: Frozen | None = env.get("frozen")
    tokens = state.tokens
    cells: list[tuple[int, CellOptions]] = []
    knitr = frozen is not None and frozen.engine == "knitr"
    for i, tok in enumerate(tokens):
        if tok.type != "fence":
            continue
        info = tok.info.strip()
        if info.startswith("{{") and info.endswith("}}"):  # ```{{r}}: a cell shown as written, never run
            tok.content = f"```{info[1:-1]}\n{tok.content}```\n"
            tok.info = "markdown"
            continue
        if info.startswith("{.") or info.startswith("{#"):  # Pandoc attributes: {.python .cell-code}
            classes = re.findall(r"(?<![\w-])\.([\w+-]+)", info)
            tok.info = classes[0] if classes else ""
            continue
        lang = cell_language(info)
        if lang is None or lang.lower() in NOT_EXECUTED:
            continue
        options = read_cell(info, tok.content)
        for offset, message, hint in options.problems:
            _note(env, (tok.map[0] if tok.map else 0) + offset, message, hint)
        knitr = knitr or lang.lower() == "r"
        cells.append((i, options))
    lines = state.src.split("\n")
    alignment = Alignment({}, {})
    if frozen is not None and (cells or "`" in state.src):
        spans = [(tokens[i].map[0], tokens[i].map[1] - 1, _shown_key(options)) if tokens[i].map else (-1, -1, "")
                 for i, options in cells]
        alignment = align(lines, spans, frozen.markdown)
    _inline_values(tokens, alignment, knitr, env)
    if not cells:
        return
    replaced: dict[int, list[Token]] = {}
    missing: list[int] = []
    for k, (i, options) in enumerate(cells):
        tok = tokens[i]
        executed = alignment.cells.get(k)
        replaced[i] = _cell_tokens(state, tok, options, executed, frozen)
        if executed is None and options.shows_output and not _image_path(options):
            missing.append(tok.map[0] if tok.map else 0)
    if missing:
        count = f"{len(missing)} cellule{'s' if len(missing) > 1 else ''} de code"
        if frozen is None:
            _note(env, missing[0], f"{count} sans résultat : la page n'a pas de résultats figés par Quarto "
                  "(_freeze/), seul le code est affiché", FREEZE_HINT)
        else:
            _note(env, missing[0], f"{count} absente{'s' if len(missing) > 1 else ''} des résultats figés "
                  f"({frozen.path}) : seul le code est affiché", "relancez « quarto render » sur la page")
    out: list[Token] = []
    for i, tok in enumerate(tokens):
        out.extend(replaced.get(i, (tok,)))
    tokens[:] = out


def _shown_key(options: CellOptions) -> str:
    """The cell's key in the executed page: its code's first line if Quarto shows it, else nothing to match."""
    if not options.flag("include"):
        return "\0hidden"  # written nowhere in the executed page: never equal to one of its cells
    return code_key(options.code) if options.flag("echo") else ""


def _cell_tokens(state: StateCore, tok: Token, options: CellOptions, executed: ExecutedCell | None,
                 frozen: Frozen | None) -> list[Token]:
    """The tokens of one cell: its code (unless hidden), its outputs, as a figure when it is labelled one."""
    start = tok.map[0] if tok.map else 0
    end = max(start + 1, (tok.map[1] - 1) if tok.map else start)
    if not options.flag("include") and executed is None:
        return [_hidden(options, start, executed)]
    label = options.text("label")
    kind = "table" if label.startswith("tbl-") else "image" if label.startswith("fig-") else ""
    inner: list[Token] = []
    image = _image_path(options)
    if executed is not None:
        for part in executed.parts:
            if part.kind == "code":
                inner.append(_code(part.text, _fence_lang(part.info) or options.lang, options, part.info, start))
            elif part.kind == "markdown":
                inner.extend(_markdown(state, part.text, frozen, start, end,
                                       sum(t.level == 0 and t.nesting <= 0 for t in inner)))
            else:
                inner.append(Token("cell_output", "", 0, map=[start, start + 1], block=True, content=part.text,
                                   info=part.kind))
    elif image and options.flag("eval"):
        if options.flag("echo", False):  # knitr shows such a cell's code only when asked to
            inner.append(_code(options.code, options.lang, options, "", start))
        inner.extend(_markdown(state, _image_markdown(image, options, label if kind == "image" else ""),
                               None, start, end))
        kind = "" if kind == "image" and options.text("fig-cap") else kind
    elif options.flag("echo"):
        inner.append(_code(options.code, options.lang, options, "", start))
    if kind and executed is not None and any(f"#{label}" in p.text for p in executed.parts):
        kind = ""  # the executed output carries the label itself (knitr's ![…](…){#fig-x})
    if not inner and not kind:
        return [_hidden(options, start, executed)]
    meta: dict[str, Any] = {"lang": options.lang, "missing": executed is None and options.shows_output and not image,
                            "options": bool(options.values), "image": bool(image), "frozen": executed is not None}
    if kind:
        caption = options.text("tbl-cap" if kind == "table" else "fig-cap")
        meta.update(figure_id=label, figure_kind=kind,
                    caption=state.md.parseInline(caption, {})[0].children if caption else [])
    opening = Token("cell_open", "div", 1, map=[start, start + 1], block=True, meta=meta)
    return [opening, *inner, Token("cell_close", "div", -1, block=True)]


def _hidden(options: CellOptions, line: int, executed: ExecutedCell | None) -> Token:
    """A cell that shows nothing: it renders to nothing but is still counted (``markdown.constructs``)."""
    return Token("cell_hidden", "", 0, map=[line, line + 1], block=True,
                 meta={"lang": options.lang, "options": bool(options.values), "image": False,
                       "frozen": executed is not None,
                       "missing": executed is None and options.shows_output})


def _code(code: str, lang: str, options: CellOptions, info: str, line: int) -> Token:
    fold = options.values.get("code-fold")
    if fold is None and (attr := re.search(r'code-fold="(\w+)"', info)):
        fold = attr.group(1)
    summary = options.text("code-summary")
    if not summary and (attr := re.search(r'code-summary="([^"]*)"', info)):
        summary = attr.group(1)
    fold_kind = "show" if str(fold).lower() == "show" else "hide" if fold in (True, "true") else ""
    return Token("cell_code", "code", 0, map=[line, line + 1], block=True, content=code.rstrip("\n") + "\n",
                 info=lang.lower(), meta={"fold": fold_kind, "summary": summary or "Code"})


def _fence_lang(info: str) -> str:
    classes = re.findall(r"(?<![\w-])\.([\w+-]+)", info)
    return next((c for c in classes if c != "cell-code"), "")


def _image_path(options: CellOptions) -> str:
    match = _INCLUDE_GRAPHICS.match(options.code.strip())
    return match.group(2) if match else ""


def _image_markdown(path: str, options: CellOptions, label: str) -> str:
    """``knitr::include_graphics("x.png")`` as the Markdown image it produces, with caption, alt text, width."""
    attrs = [f"#{label}"] if label else []
    alt = options.text("fig-alt")
    if alt:
        attrs.append('fig-alt="{}"'.format(alt.replace('"', "'").replace("\n", " ")))
    width = options.values.get("out-width")
    if isinstance(width, str) and re.fullmatch(r"\d+(?:\.\d+)?(?:%|px)?", width.strip()):
        attrs.append(f'width="{width.strip()}"')
    caption = options.text("fig-cap").replace("\n", " ")
    return f"![{caption}](<{path}>)" + ("{" + " ".join(attrs) + "}" if attrs else "")


def _markdown(state: StateCore, text: str, frozen: Frozen | None, start: int, end: int,
              block: int = 0) -> list[Token]:
    """Markdown of an output, parsed by the whole engine, its lines placed on the cell, its figure paths
    pointed at the freeze's folder."""
    text = _ATTR_BLOCK.sub(lambda m: _SINGLE_QUOTED.sub(_double_quoted, m.group(0)).replace("\n", " "), text)
    sub_env: dict[str, Any] = {"executed_output": True}
    tokens = state.md.parse(text, sub_env)
    # Each top-level block on its own line of the cell, counting from ``block`` (figures are told apart by
    # their line); the count goes on across the outputs of one cell.
    for tok in tokens:
        line = min(start + 1 + block, end)
        if tok.type == "fence":
            tok.map = None  # not a fence of the source: the check for unclosed fences reads the source's lines
        elif tok.map is not None:
            tok.map = [line, line + 1]
        block += tok.level == 0 and tok.nesting <= 0
        for child in tok.children or []:
            src = child.attrGet("src") if child.type == "image" else None
            if frozen is not None and isinstance(src, str) and src.startswith(frozen.files_prefix):
                child.attrSet("src", frozen.files_dir + src[len(frozen.files_prefix):])
    for key in ("qmd_warnings", "cell_warnings"):
        for _, message, hint in sub_env.get(key, []):
            state.env.setdefault(key, []).append((start, message, hint))
    return tokens


def _double_quoted(match: re.Match[str]) -> str:
    value = re.sub(r"\s*\n\s*", " ", match.group(2).replace("\\'", "'").replace('"', "'"))
    return f'{match.group(1)}="{value}"'


def _inline_values(tokens: list[Token], alignment: Alignment, knitr: bool, env: dict[str, Any]) -> None:
    """Each inline expression takes its value from the executed page's line in its place, or stays code."""
    first_missing = -1
    unresolved = 0
    for block in tokens:
        if block.type == "fence" and knitr and "`r " in block.content:  # knitr's `r ''` idiom in shown code
            block.content = re.sub(r"`r (?:''|\"\")`", "", block.content)
        if block.type != "inline" or not block.children:
            continue
        line0 = block.map[0] if block.map else 0
        values: dict[int, list[str]] = {}
        for child in block.children:
            if child.type in ("softbreak", "hardbreak"):
                line0 += 1
                continue
            if child.type != "code_inline":
                continue
            match = (_KNITR_INLINE.match(child.content) if knitr else None) or _QUARTO_INLINE.match(child.content)
            if match is None:
                continue
            literal = _R_LITERAL.match(match.group(match.lastindex or 1))
            if literal is not None:
                value = next(g for g in literal.groups() if g is not None)
            else:
                if line0 not in values:
                    values[line0] = _line_values(block, line0, alignment, knitr)
                found = values[line0]
                if not found:
                    unresolved += 1
                    first_missing = line0 if first_missing < 0 else first_missing
                    continue
                value = found.pop(0)
            child.type, child.tag, child.markup, child.content = "text", "", "", value
    if unresolved:
        _note(env, first_missing, f"{unresolved} expression{'s' if unresolved > 1 else ''} en ligne (`r …`, "
              "`{python} …`) sans valeur : affichée" + ("s" if unresolved > 1 else "") + " comme du code",
              FREEZE_HINT)


def _line_values(block: Token, line0: int, alignment: Alignment, knitr: bool) -> list[str]:
    """The values the executed page shows in place of the inline expressions of source line ``line0``."""
    executed = alignment.lines.get(line0)
    if executed is None:
        return []
    source = _source_line(block, line0)
    pattern = r"`(?:r[ #]" if knitr else r"`(?:"
    pattern += r"|\{\w+\}\s)[^`]*`"
    pieces = re.split(pattern, source)
    if len(pieces) < 2:
        return []
    regex = "(.*?)".join(re.escape(p) for p in pieces)
    match = re.fullmatch(regex, executed.strip())
    return list(match.groups()) if match else []


def _source_line(block: Token, line0: int) -> str:
    """The text of ``line0`` as written, rebuilt from the inline token (its lines are the source's lines)."""
    first = block.map[0] if block.map else 0
    parts = block.content.split("\n")
    index = line0 - first
    return parts[index].strip() if 0 <= index < len(parts) else ""
