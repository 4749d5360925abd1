"""Quarto-flavoured Markdown, parse stage: includes and shortcodes, cross-references, captions, labels.

Two halves:
- before parsing, :func:`expand_includes` replaces ``{{< include _file.md >}}`` by the file's text and
  removes any other shortcode (with a warning); a :class:`SourceMap` remembers where every line of the
  expanded body came from, so that :func:`remap` can point each problem into the right file;
- :func:`install` adds rules to the Markdown engine: ``@sec-x`` / ``[@fig-x]`` / ``[-@tbl-x]``
  cross-reference tokens, ``: Légende {#tbl-x}`` table captions, ``$$ … $$ {#eq-x}`` numbered
  equations, ``width=60%`` read as Pandoc does, and a last sweep that turns any attribute block or
  fence left as plain text into a warning instead of letting it leak into the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from .content import Chapter
from .errors import Problems, SiteError
from .parsing import decode_source, too_large

XREF_KINDS = ("sec", "fig", "tbl", "eq")
_XREF_ID = r"(?:sec|fig|tbl|eq)-[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?"
_BARE_XREF = re.compile(rf"@({_XREF_ID})")
_BRACKET_XREF = re.compile(rf"\[(-?)@({_XREF_ID})\]")
_SHORTCODE = re.compile(r"\{\{<\s*([A-Za-z][\w-]*)((?:[^>]|>(?!\}\}))*?)\s*>\}\}")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_ATTR_AFTER_INLINE = re.compile(r"(?<=[)\]])\{[^{}\n]*\}")
_BARE_PERCENT = re.compile(r"(\b[A-Za-z][\w-]*=)(\d+(?:\.\d+)?%)(?=[\s}])")
_LEFTOVER_ATTRS = re.compile(r"\{[#.][A-Za-z][^{}\n]*\}|\{\{<[^\n]*?>\}\}")
_TABLE_CAPTION = re.compile(r"^:\s+\S")
_EQ_LABEL = re.compile(r"^\s*\{#(eq-[A-Za-z0-9_-]+)\}\s*$")

INCLUDE_HINT = "les fichiers inclus se placent dans le projet, par exemple content/_partie.md"


# --- includes and shortcodes -------------------------------------------------------------------------

@dataclass(frozen=True)
class SourceMap:
    """Where each line of an expanded body comes from: ``lines[i]`` = (file, line) of body line i."""

    source: str
    body_line: int
    lines: tuple[tuple[str, int], ...]

    def locate(self, line: int) -> tuple[str, int]:
        index = line - self.body_line
        if 0 <= index < len(self.lines):
            return self.lines[index]
        return self.source, line


def expand_includes(chapter: Chapter, root: Path, problems: Problems) -> tuple[Chapter, SourceMap]:
    """The chapter with its includes expanded and other shortcodes removed, and its source map."""
    if "{{<" not in chapter.body:  # nearly every chapter: nothing to expand, every line is its own
        return chapter, SourceMap(chapter.source, chapter.body_line, ())
    origin = [(chapter.source, chapter.body_line + i) for i in range(chapter.body.count("\n") + 1)]
    lines, where = _expand(chapter.body, origin, root, (chapter.source,), problems)
    body = "\n".join(lines)
    return replace(chapter, body=body), SourceMap(chapter.source, chapter.body_line, tuple(where))


def _expand(text: str, origin: list[tuple[str, int]], root: Path, chain: tuple[str, ...],
            problems: Problems) -> tuple[list[str], list[tuple[str, int]]]:
    out: list[str] = []
    where: list[tuple[str, int]] = []
    fence = ""
    for raw, (path, line) in zip(text.split("\n"), origin):
        opener = _FENCE.match(raw)
        if fence:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence) \
                    and not raw.strip()[len(opener.group(1)):].strip():
                fence = ""
            out.append(raw)
            where.append((path, line))
            continue
        if opener:
            fence = opener.group(1)
            out.append(raw)
            where.append((path, line))
            continue
        include = re.fullmatch(r"\s*\{\{<\s*include\s+(\S+?)\s*>\}\}\s*", raw)
        if include:
            sub = _include(include.group(1), path, line, root, chain, problems)
            lines, origin_lines = sub if sub is not None else ([""], [(path, line)])
            out.extend(lines)
            where.extend(origin_lines)
            continue
        out.append(_drop_shortcodes(raw, path, line, problems))
        where.append((path, line))
    return out, where


def _include(target: str, path: str, line: int, root: Path, chain: tuple[str, ...],
             problems: Problems) -> tuple[list[str], list[tuple[str, int]]] | None:
    target = target.strip("\"'")
    file = (root / path).parent / target
    resolved = file.resolve()
    if not resolved.is_relative_to(root.resolve()):
        problems.error(path, line, f"inclusion de « {target} » refusée : le fichier est hors du projet",
                       INCLUDE_HINT)
        return None
    if not file.is_file():
        problems.error(path, line, f"fichier inclus « {target} » introuvable",
                       f"le chemin est relatif au fichier qui l'inclut ({path})")
        return None
    rel = resolved.relative_to(root.resolve()).as_posix()
    if rel in chain:
        cycle = " → ".join(chain + (rel,))
        problems.error(path, line, f"inclusion circulaire : {cycle}", "retirez l'une de ces inclusions")
        return None
    if too_large(file.stat().st_size, rel, problems):
        return None
    text = decode_source(file.read_bytes(), rel, problems)
    if text is None:
        return None
    if text.endswith("\n"):
        text = text[:-1]
    origin = [(rel, i + 1) for i in range(text.count("\n") + 1)]
    return _expand(text, origin, root, chain + (rel,), problems)


def _drop_shortcodes(raw: str, path: str, line: int, problems: Problems) -> str:
    """Remove every shortcode outside code spans, with a warning naming it."""
    if "{{<" not in raw:
        return raw
    spans = [m.span() for m in _CODE_SPAN.finditer(raw)]

    def drop(match: re.Match) -> str:
        if any(start <= match.start() < end for start, end in spans):
            return match.group(0)
        name = match.group(1)
        if name == "include":
            problems.warn(path, line, "« {{< include … >}} » doit être seul sur sa ligne : ignoré",
                          "placez l'inclusion sur une ligne à part")
        else:
            problems.warn(path, line, f"shortcode Quarto « {name} » non pris en charge : retiré de la page",
                          "seul « {{< include fichier.md >}} » est reconnu")
        return ""
    return _SHORTCODE.sub(drop, raw)


def remap(problems: Problems, maps: dict[str, SourceMap], start: int = 0) -> None:
    """Point each problem found in an expanded body (``problems.items[start:]``) at its real file and line."""
    if not maps:
        return
    items = problems.items[:start]
    for problem in problems.items[start:]:
        source_map = maps.get(problem.path)
        if source_map is not None and problem.line:
            path, line = source_map.locate(problem.line)
            if (path, line) != (problem.path, problem.line):
                problem = SiteError(path, line, problem.message, problem.hint, problem.severity)
        items.append(problem)
    problems.items[:] = items


# --- engine rules ------------------------------------------------------------------------------------

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
            tok.content = _ATTR_AFTER_INLINE.sub(
                lambda m: _BARE_PERCENT.sub(r'\1"\2"', m.group(0)), tok.content)


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
    """``: Légende {#tbl-x}`` right after (or before) a table becomes the table's caption."""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "paragraph_open" and i + 2 < len(tokens) and tokens[i + 1].type == "inline" \
                and _TABLE_CAPTION.match(tokens[i + 1].content):
            table = None
            if i > 0 and tokens[i - 1].type == "table_close":
                depth, j = 0, i - 1
                while j >= 0:
                    depth += {"table_close": 1, "table_open": -1}.get(tokens[j].type, 0)
                    if depth == 0:
                        break
                    j -= 1
                table = tokens[j]
            elif i + 3 < len(tokens) and tokens[i + 3].type == "table_open":
                table = tokens[i + 3]
            if table is not None and "caption" not in table.meta:
                inline = tokens[i + 1]
                attrs = _take_trailing_attrs(inline)
                first = inline.children[0] if inline.children else None
                if first is not None and first.type == "text":
                    first.content = re.sub(r"^:\s+", "", first.content)
                table.meta["caption"] = inline.children or []
                table.meta["caption_id"] = attrs.get("id", "")
                del tokens[i:i + 3]
                continue
        i += 1


def _take_trailing_attrs(inline: Token) -> dict[str, str]:
    from .markdown import _take_trailing_attrs as take

    return take(inline)


def _equation_labels(tokens: list[Token]) -> None:
    """A paragraph holding only ``$$ … $$ {#eq-x}`` becomes a numbered display equation."""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "paragraph_open" and i + 2 < len(tokens) and tokens[i + 1].type == "inline":
            children = [c for c in tokens[i + 1].children or []
                        if not (c.type == "softbreak" or (c.type == "text" and not c.content.strip()))]
            if len(children) == 2 and children[0].type == "math_inline_double" and children[1].type == "text":
                label = _EQ_LABEL.match(children[1].content)
                if label:
                    eq = Token("math_block_eq", "math", 0, map=tok.map, block=True,
                               content=children[0].content, meta={"id": label.group(1)})
                    tokens[i:i + 3] = [eq]
        i += 1


def _leftovers(tokens: list[Token], env: dict[str, Any]) -> None:
    """Attribute blocks, shortcodes and ``:::`` fences that no rule understood: warn, never show."""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "paragraph_open" and i + 2 < len(tokens) and tokens[i + 1].type == "inline" \
                and re.match(r"^:::+", tokens[i + 1].content):
            _note(env, tok.map[0] if tok.map else 0, f"« {tokens[i + 1].content.splitlines()[0]} » sans bloc "
                  "à fermer ou mal formé : ligne retirée de la page",
                  "chaque « ::: {.classe} » se ferme par une ligne « ::: » ; vérifiez les accolades")
            del tokens[i:i + 3]
            continue
        if tok.type == "inline" and tok.children:
            line0 = tok.map[0] if tok.map else 0
            for child in tok.children:
                if child.type in ("softbreak", "hardbreak"):
                    line0 += 1
                elif child.type == "text" and "{" in child.content:
                    for match in _LEFTOVER_ATTRS.finditer(child.content):
                        if match.group(0).startswith("{{<"):
                            _note(env, line0, f"shortcode non reconnu « {match.group(0)} » : retiré de la page",
                                  "seul « {{< include fichier.md >}} », seul sur sa ligne, est reconnu")
                        else:
                            _note(env, line0, f"attributs non reconnus « {match.group(0)} » : retirés de la page",
                                  "placez {#id .classe} juste après un titre, une image, un lien ou [un texte]")
                    child.content = _LEFTOVER_ATTRS.sub("", child.content)
        i += 1
