"""The one configured Markdown engine: parse a chapter into tokens plus what the site needs from it.

Parsing (phase 1) collects headings, links, images and figure requests; rendering happens later in
``htmlrender`` once navigation has numbered everything and every link target is known.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.attrs.parse import ParseError, parse as parse_attrs
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from .content import Chapter
from . import qmd, quiz
from .errors import Problems
from .typography import french

NUMBERED_DEPTH = 3  # h2 -> 1.1, h3 -> 1.1.1, as in the original Quarto book


@dataclass
class Heading:
    level: int
    id: str
    text: str
    line: int
    numbered: bool
    number: str = ""


@dataclass
class Figure:
    """A numbered figure: an image alone in its paragraph, or an attention figure request."""

    id: str
    kind: str            # "image" | "attention" | "table" | "equation"
    line: int
    number: str = ""
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class ParsedPage:
    chapter: Chapter
    tokens: list[Token]
    env: dict[str, Any]
    headings: list[Heading]
    figures: list[Figure]
    ids: set[str]


@lru_cache(maxsize=1)
def engine() -> MarkdownIt:
    """The Markdown engine, configured once: CommonMark + tables, footnotes, attributes, divs, math."""
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # Unsafe link schemes (javascript:, data:…) are kept as links here so that htmlrender can remove
    # them *with a warning at their line*; markdown-it's own check would silently print them as text.
    md.validateLink = lambda url: True
    md.use(footnote_plugin)
    md.use(deflist_plugin)
    md.use(tasklists_plugin)
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.use(attrs_plugin, spans=True)
    md.use(container_plugin, name="div", validate=lambda params, *args: bool(params.strip()))
    md.core.ruler.push("atelier_heading_attrs", _heading_attrs_rule)
    qmd.install(md)
    md.core.ruler.push("atelier_typography", _typography_rule)
    return md


def _heading_attrs_rule(state: StateCore) -> None:
    """Move a trailing ``{#id .class}`` off each heading before typography touches the text."""
    tokens = state.tokens
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and i + 1 < len(tokens):
            tok.meta["attrs"] = _take_trailing_attrs(tokens[i + 1])


def _typography_rule(state: StateCore) -> None:
    """French typography on prose text only: never code, math, raw HTML, or a URL shown as text."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        prev = ""
        url_link = False  # inside <https://…> or [https://…](…): the text is a URL, left alone
        for tok in block.children:
            if tok.type == "link_open":
                url_link = tok.markup in ("autolink", "linkify")
            elif tok.type == "link_close":
                url_link = False
            elif tok.type == "text" and tok.content and not url_link \
                    and not re.match(r"^(https?://|www\.)\S+$", tok.content):
                tok.content = french(tok.content, prev)
            elif tok.type == "image" and tok.children:
                # The alt text is the figure caption: same typography as the prose.
                alt_prev = ""
                for child in tok.children:
                    if child.type == "text" and child.content:
                        child.content = french(child.content, alt_prev)
                        alt_prev = child.content[-1]
                tok.content = "".join(c.content for c in tok.children if c.type in ("text", "code_inline"))
            if tok.type in ("text", "code_inline") and tok.content:
                prev = tok.content[-1]
            elif tok.type in ("softbreak", "hardbreak"):
                prev = " "


_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """A stable, readable ASCII id: « Qu'est-ce qu'un Transformer ? » -> ``quest-ce-quun-transformer``."""
    text = unicodedata.normalize("NFKD", text.replace("’", "").replace("'", ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _NON_WORD.sub("-", text).strip("-") or "section"


def inline_text(token: Token) -> str:
    """Plain text of an inline token (for ids, TOC entries and search)."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "math_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts).strip()


def div_attrs(info: str) -> dict[str, str] | None:
    """``{.callout-note #id title="x"}`` or a bare name -> attributes; None if malformed."""
    info = info.strip()
    if info.startswith("{"):
        try:
            end, attrs = parse_attrs(info)
        except ParseError:
            return None
        return attrs if not info[end + 1:].strip() else None
    name, _, rest = info.partition(" ")
    attrs = {"class": name}
    if rest.strip():
        attrs["title"] = rest.strip()
    return attrs


def parse_page(chapter: Chapter, problems: Problems) -> ParsedPage:
    """Tokenise a chapter and collect its headings (with stable ids), figures and ids."""
    env: dict[str, Any] = {"source": chapter.source, "body_line": chapter.body_line}
    tokens = engine().parse(chapter.body, env)
    qmd.report(env, chapter, problems)
    _check_structure(tokens, chapter, problems)
    headings: list[Heading] = []
    figures: list[Figure] = []
    ids: set[str] = set()
    explicit: dict[str, int] = {}

    def line_of(tok: Token) -> int:
        return chapter.body_line + (tok.map[0] if tok.map else 0)

    def claim(ident: str, line: int, is_explicit: bool) -> str:
        if ident in ids:
            if is_explicit:
                problems.error(chapter.source, line, f"identifiant « #{ident} » déjà utilisé dans ce chapitre"
                               + (f" (ligne {explicit[ident]})" if ident in explicit else ""),
                               "chaque {#id} doit être unique dans la page")
                return ident
            n = 2
            while f"{ident}-{n}" in ids:
                n += 1
            ident = f"{ident}-{n}"
        ids.add(ident)
        if is_explicit:
            explicit[ident] = line
        return ident

    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            inline = tokens[i + 1]
            level = int(tok.tag[1])
            attrs = tok.meta.get("attrs", {})
            text = inline_text(inline)
            line = line_of(tok)
            if not text:
                problems.error(chapter.source, line, "titre de section vide", "écrivez un titre après les #")
            if level == 1:
                problems.warn(chapter.source, line, "titre de niveau 1 (#) dans le corps du chapitre",
                              "le titre du chapitre vient de « title: » ; commencez les sections à ##")
            classes = attrs.get("class", "").split()
            ident = claim(attrs["id"] if "id" in attrs else slugify(text), line, "id" in attrs)
            tok.attrSet("id", ident)
            if classes:
                tok.attrSet("class", " ".join(classes))
            numbered = chapter.numbered and "unnumbered" not in classes and 2 <= level <= NUMBERED_DEPTH
            headings.append(Heading(level, ident, text, line, numbered))
        elif tok.type == "paragraph_open" and _lone_image(tokens, i) is not None:
            image = _lone_image(tokens, i)
            assert image is not None
            ident = image.attrGet("id")
            if ident:
                claim(str(ident), line_of(tok), True)
            tok.meta["figure"] = True
            figures.append(Figure(str(ident or ""), "image", line_of(tok)))
        elif tok.type == "container_div_open":
            attrs = div_attrs(tok.info)
            if attrs is None:
                problems.error(chapter.source, line_of(tok), f"attributs illisibles « {tok.info.strip()} »",
                               "écrivez-les ainsi : ::: {.callout-note title=\"Titre\"}")
                attrs = {"class": ""}
            tok.meta["attrs"] = attrs
            if "id" in attrs:
                claim(attrs["id"], line_of(tok), True)
            if "attention" in attrs.get("class", "").split():
                figures.append(Figure(attrs.get("id", ""), "attention", line_of(tok), attrs=attrs))
            if quiz.QUIZ_CLASS in attrs.get("class", "").split():
                quiz.check(tokens, i, chapter.source, line_of, problems)
        elif tok.type in ("table_open", "math_block_eq") and ("caption" in tok.meta or "id" in tok.meta):
            ident = tok.meta.get("caption_id", "") if tok.type == "table_open" else tok.meta["id"]
            if ident:
                claim(ident, line_of(tok), True)
            numbered = Figure(ident, "table" if tok.type == "table_open" else "equation", line_of(tok))
            tok.meta["numbered"] = numbered
            figures.append(numbered)
        elif tok.type == "inline":
            for child in tok.children or []:
                ident = child.attrGet("id") if child.attrs else None
                if ident and child.type != "image":
                    claim(str(ident), line_of(tok), True)
    return ParsedPage(chapter, tokens, env, headings, figures, ids)


def _check_structure(tokens: list[Token], chapter: Chapter, problems: Problems) -> None:
    """What CommonMark accepts silently but a reader would miss: text lost to deep nesting, an unclosed fence."""
    limit = engine().options["maxNesting"]  # markdown-it drops whatever lies deeper, without a word
    lines: list[str] | None = None
    for i, tok in enumerate(tokens):
        line = chapter.body_line + (tok.map[0] if tok.map else 0)
        if tok.nesting == 1 and tok.level >= limit - 1 and (i + 1 == len(tokens) or tokens[i + 1].type != "inline"):
            problems.error(chapter.source, line, f"listes ou citations imbriquées trop profondément (au-delà de "
                           f"{limit // 2 - 1} listes ou {limit - 1} citations) : la suite du bloc serait perdue",
                           "réduisez l'imbrication ou découpez le bloc")
            return
        if tok.type == "fence" and tok.map:
            lines = lines if lines is not None else chapter.body.split("\n")
            last = re.sub(r"^[\s>]*", "", lines[tok.map[1] - 1]) if tok.map[1] - tok.map[0] >= 2 else ""
            if not re.fullmatch(re.escape(tok.markup[0]) + "{%d,}\\s*" % len(tok.markup), last):
                problems.warn(chapter.source, line, f"bloc de code ouvert par « {tok.markup} » jamais fermé : "
                              "il s'étend jusqu'à la fin du chapitre (ou du bloc qui le contient)",
                              f"ajoutez une ligne « {tok.markup} » après la dernière ligne de code")


def _take_trailing_attrs(inline: Token) -> dict[str, str]:
    """Strip a Pandoc-style ``{#id .class}`` from the end of a heading and return it."""
    children = inline.children or []
    if not children or children[-1].type != "text":
        return {}
    last = children[-1]
    match = re.search(r"\s*(\{[^{}]*\})\s*$", last.content)
    if not match:
        return {}
    try:
        end, attrs = parse_attrs(match.group(1))
    except ParseError:
        return {}
    last.content = last.content[: match.start()]
    inline.content = re.sub(r"\s*\{[^{}]*\}\s*$", "", inline.content)
    return attrs


def _lone_image(tokens: list[Token], i: int) -> Token | None:
    """The image if the paragraph at ``i`` holds one image and nothing else (Quarto's figure rule)."""
    if i + 2 >= len(tokens) or tokens[i + 1].type != "inline":
        return None
    children = [c for c in tokens[i + 1].children or [] if not (c.type == "text" and not c.content.strip())]
    if len(children) == 1 and children[0].type == "image" and children[0].children:
        return children[0]
    return None
