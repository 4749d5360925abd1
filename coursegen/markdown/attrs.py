"""Pandoc attribute blocks as the parser and the Quarto rules read them: ``{#id .class key="v"}``."""

from __future__ import annotations

import re

from markdown_it.token import Token
from mdit_py_plugins.attrs.parse import ParseError, parse as parse_attrs


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


def take_trailing_attrs(inline: Token) -> dict[str, str]:
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
