"""Stage 2, parse: the Markdown engine (built once with all its rules, never changed afterwards) and
``parse_page``, which turns one chapter into tokens plus what the site needs from it: headings with
stable ids, figure requests and every id. A chapter is parsed independently of every other one (so in
parallel and cached); numbering and rendering come later (``course.nav``, ``pages.html``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from ..errors import Problems
from ..source.chapters import Chapter
from ..text import french, slugify
from . import cells, cite, divs, pandoc, quarto, quiz, shortcodes
from .attrs import div_attrs, take_trailing_attrs
from .titles import InlineText, inline_html, inline_plain

NUMBERED_DEPTH = 3  # h2 -> 1.1, h3 -> 1.1.1, as in the original Quarto book


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str
    line: int
    numbered: bool       # whether navigation gives it a number (``course.nav`` computes which)
    html: str = ""       # the text as inline HTML (`code`, emphasis), for the contents and the sidebar
    listed: bool = True  # in « Sur cette page » (not inside a tabset or callout, not ``.unlisted``: Quarto's rule)


@dataclass(frozen=True)
class Figure:
    """A numbered figure: an image alone in its paragraph, or an attention figure request."""

    id: str
    kind: str            # "image" | "attention" | "table" | "equation"
    line: int
    attrs: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass
class ParsedPage:
    chapter: Chapter
    tokens: list[Token]
    env: dict[str, Any]
    headings: list[Heading]
    figures: list[Figure]
    ids: set[str]
    title: InlineText | None = None        # the chapter's title, description and subtitle, parsed as Markdown
    description: InlineText | None = None
    subtitle: InlineText | None = None


@lru_cache(maxsize=1)
def engine() -> MarkdownIt:
    """The parser of every chapter, built once per process and never changed afterwards."""
    return new_engine()


def new_engine() -> MarkdownIt:
    """A Markdown engine with every parse rule: CommonMark + tables, footnotes, attributes, divs, math, Quarto."""
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # Unsafe link schemes (javascript:, data:…) are kept as links here so that the page renderer can remove
    # them *with a warning at their line*; markdown-it's own check would silently print them as text.
    md.validateLink = lambda url: True
    md.use(footnote_plugin)
    md.use(deflist_plugin)
    md.use(tasklists_plugin)
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.use(attrs_plugin, spans=True)
    md.core.ruler.push("atelier_heading_attrs", _heading_attrs_rule)
    shortcodes.install(md)
    quarto.install(md)
    cite.install(md)
    md.core.ruler.push("atelier_typography", _typography_rule)
    pandoc.install(md)  # fenced divs, fences and raw blocks as Pandoc reads them
    divs.install(md)    # then the constructs' structure (after typography: callout titles are typeset)
    cells.install(md)   # Quarto's code cells (on the fences Pandoc's rules made)
    return md


def _heading_attrs_rule(state: StateCore) -> None:
    """Move a trailing ``{#id .class}`` off each heading before typography touches the text."""
    tokens = state.tokens
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and i + 1 < len(tokens):
            tok.meta["attrs"] = take_trailing_attrs(tokens[i + 1])


def _typography_rule(state: StateCore) -> None:
    """French typography on prose text only: never code, math, raw HTML, a URL shown as text, or a table printed
    by a code cell (``markdown.cells`` marks its outputs ``executed_output``)."""
    tables = 0
    for block in state.tokens:
        tables += {"table_open": 1, "table_close": -1}.get(block.type, 0)
        if block.type != "inline" or not block.children or (tables and state.env.get("executed_output")):
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
        elif child.type in ("shortcode", "shortcode_escaped"):
            parts.append(inline_plain([child]))
    return "".join(parts).strip()


def parse_inline(source: str, path: str, line: int, problems: Problems) -> InlineText:
    """A title (or any one line of Markdown outside the body) as inline HTML and plain text, typeset the French
    way like the body; problems are reported at ``path:line``."""
    if not source:
        return InlineText("", "")
    env: dict[str, Any] = {}
    tokens = engine().parseInline(source, env)
    for key in (shortcodes.WARNINGS, "qmd_warnings"):  # the shortcode and Quarto rules' notes (``quarto._note``)
        for _, message, hint in env.pop(key, []):
            problems.warn(path, line, message, hint)
    children = tokens[0].children if tokens and tokens[0].children else []
    return InlineText(inline_html(children), inline_plain(children))


def site_text(source: str) -> InlineText:
    """A text of the site's config (title, subtitle, description) parsed like a chapter's title. Its shortcodes
    and stray attributes are not reported here: the config names no line for them."""
    return parse_inline(source, "", 0, Problems())


def parse_page(chapter: Chapter, problems: Problems) -> ParsedPage:
    """Tokenise a chapter and collect its headings (with stable ids), figures and ids."""
    # markdown-it's own (footnotes); quarto.report reads its warnings from it; the cell rule reads the freeze
    env: dict[str, Any] = {"frozen": chapter.frozen}
    line = chapter.title_line or 1  # the front matter
    title = parse_inline(chapter.title, chapter.source, line, problems)
    description = parse_inline(chapter.description, chapter.source, line, problems)
    subtitle = parse_inline(chapter.subtitle, chapter.source, line, problems)
    tokens = engine().parse(chapter.body, env)
    del env["frozen"]
    for line0, message, hint in env.pop(shortcodes.WARNINGS, []):
        problems.warn(chapter.source, chapter.body_line + line0, message, hint)
    quarto.report(env, chapter, problems)
    for line0, message, hint in cells.warnings(env):
        problems.warn(chapter.source, chapter.body_line + line0, message, hint)
    _check_structure(tokens, chapter, problems)
    headings: list[Heading] = []
    figures: list[Figure] = []
    ids: set[str] = set()
    explicit: dict[str, int] = {}
    suffix: dict[str, int] = {}  # last -n given to each repeated id: ids only grow, so the next free one is beyond

    def line_of(tok: Token) -> int:
        return chapter.body_line + (tok.map[0] if tok.map else 0)

    def claim(ident: str, line: int, is_explicit: bool) -> str:
        if ident in ids:
            if is_explicit:  # Quarto publishes the page with both: a warning there, the author's file is as it is
                (problems.warn if chapter.quarto else problems.error)(
                    chapter.source, line, f"identifiant « #{ident} » déjà utilisé dans ce chapitre"
                    + (f" (ligne {explicit[ident]})" if ident in explicit else ""),
                    "chaque {#id} doit être unique dans la page")
                return ident
            n = suffix.get(ident, 1) + 1
            while f"{ident}-{n}" in ids:
                n += 1
            suffix[ident] = n
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
            if not text and chapter.quarto:  # Pandoc accepts it (a slide without title: ### {auto-animate=true})
                problems.warn(chapter.source, line, "titre de section vide : retiré de la page",
                              "écrivez un titre après les #, ou retirez la ligne")
                tok.hidden = tokens[i + 2].hidden = True
                continue
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
            numbered = chapter.numbered and "unnumbered" not in classes and level >= 2  # depth: course.nav
            listed = "unlisted" not in classes and not tok.meta.get("unlisted")
            headings.append(Heading(level, ident, text, line, numbered, inline_html(inline.children or []), listed))
        elif tok.type == "paragraph_open" and (image := _lone_image(tokens, i)) is not None:
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
            elif tok.meta.get("figure"):  # ::: {#fig-x} (markdown.divs)
                figures.append(Figure(attrs["id"], "image", line_of(tok)))
            if quiz.QUIZ_CLASS in attrs.get("class", "").split():
                quiz.check(tokens, i, chapter.source, line_of, problems)
        elif tok.type == "cell_open" and tok.meta.get("figure_id"):
            claim(tok.meta["figure_id"], line_of(tok), True)
            figures.append(Figure(tok.meta["figure_id"], tok.meta["figure_kind"], line_of(tok)))
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
    _mark_inline_lines(tokens, chapter.body_line)
    return ParsedPage(chapter, tokens, env, headings, figures, ids, title, description, subtitle)


def _mark_inline_lines(tokens: list[Token], body_line: int) -> None:
    """Each inline token's line (its block's line plus the soft breaks before it), for render-time messages."""
    # Callout titles and figure captions taken out of the page (markdown.divs) keep their lines too.
    taken = [tok.meta[key] for tok in tokens for key in ("title_inline", "caption_inline") if key in tok.meta]
    for block in [*tokens, *taken]:
        if block.type != "inline" or not block.children:
            continue
        line = body_line + (block.map[0] if block.map else 0)
        for child in block.children:
            child.meta["line"] = line
            if child.type in ("softbreak", "hardbreak"):
                line += 1


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


def _lone_image(tokens: list[Token], i: int) -> Token | None:
    """The image if the paragraph at ``i`` holds one image and nothing else (Quarto's figure rule)."""
    if i + 2 >= len(tokens) or tokens[i + 1].type != "inline":
        return None
    children = [c for c in tokens[i + 1].children or [] if not (c.type == "text" and not c.content.strip())]
    if len(children) == 1 and children[0].type == "image" and children[0].children:
        return children[0]
    return None
