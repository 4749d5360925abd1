"""Titles written in Markdown (`` `code` ``, *emphasis*, **strong**, links): the inline HTML that headings,
the sidebar, the pager, the contents and the home page show, and the plain text of ``<title>``, metadata and
indexes. Links are reduced to their text (a title is itself a link in the sidebar and the pager), raw HTML to
a few inline tags without attributes."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from markdown_it.token import Token

from ..source.includes import code_spans
from ..text import french
from .shortcodes import kbd_html, kbd_text

_INLINE_TAG = re.compile(r"</?(?:code|em|strong|i|b|sub|sup|kbd|small|mark|s|abbr)>", re.I)
_BREAK = re.compile(r"<br\s*/?>", re.I)
_SPACES = re.compile(r"[ \t\n]+")  # not the no-break spaces of French typography
_TAGS = {"em_open": "<em>", "em_close": "</em>", "strong_open": "<strong>", "strong_close": "</strong>",
         "s_open": "<s>", "s_close": "</s>"}


@dataclass(frozen=True)
class InlineText:
    """One line of Markdown as the site shows it: inline HTML, and plain text."""

    html: str
    text: str


def plain(text: str) -> InlineText:
    """A text that holds no Markdown (a page made by the build)."""
    return InlineText(html.escape(text, quote=False), text)


def inline_html(children: list[Token]) -> str:
    """The HTML of parsed inline tokens, links reduced to their text, images to their description."""
    parts: list[str] = []
    for tok in children:
        kind = tok.type
        if kind in _TAGS:
            parts.append(_TAGS[kind])
        elif kind == "code_inline":
            parts.append(f"<code>{html.escape(tok.content, quote=False)}</code>")
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif kind == "html_inline":
            tag = tok.content.strip()
            parts.append(tag.lower() if _INLINE_TAG.fullmatch(tag) else " " if _BREAK.fullmatch(tag) else "")
        elif kind == "shortcode":
            parts.append(kbd_html(tok.meta) if tok.meta["name"] == "kbd" and not tok.meta.get("problem") else "")
        elif kind in ("text", "image", "math_inline", "math_inline_double", "shortcode_escaped"):
            parts.append(html.escape(tok.content, quote=False))
        # link_open/close, span_open/close, footnote references: their text only, or nothing
    return "".join(parts).strip()


def inline_plain(children: list[Token]) -> str:
    """The plain text of parsed inline tokens (``<title>``, ``<meta>``, indexes)."""
    parts: list[str] = []
    for tok in children:
        if tok.type in ("text", "code_inline", "image", "math_inline", "math_inline_double", "shortcode_escaped"):
            parts.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak") or (tok.type == "html_inline"
                                                         and _BREAK.fullmatch(tok.content.strip())):
            parts.append(" ")
        elif tok.type == "shortcode" and tok.meta["name"] == "kbd" and not tok.meta.get("problem"):
            parts.append(kbd_text(tok.meta))
    return _SPACES.sub(" ", "".join(parts)).strip(" ")


def french_markdown(source: str) -> str:
    """A title's Markdown typeset the French way outside its code spans (for a Markdown file the site
    writes: the Quarto export)."""
    parts: list[str] = []
    last = 0
    for start, end in code_spans(source):
        parts += (french(source[last:start], source[last - 1:last]), source[start:end])
        last = end
    parts.append(french(source[last:], source[last - 1:last] if last else ""))
    return "".join(parts)
