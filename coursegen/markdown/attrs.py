"""Pandoc attribute blocks as the parser and the Quarto rules read them: ``{#id .class key="v"}``."""

from __future__ import annotations

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


def trailing_braces(text: str) -> tuple[int, int] | None:
    r"""Where a trailing ``{…}`` (no brace inside, only whitespace after) lies in ``text``: (start of the
    whitespace before it, start of the ``{``), or None. What ``re.search(r"\s*(\{[^{}]*\})\s*$")`` finds,
    read once from the end instead of retried at every position (quadratic on a run of spaces)."""
    end = len(text.rstrip())
    if not end or text[end - 1] != "}":
        return None
    brace = text.rfind("{", 0, end - 1)
    if brace < 0 or "}" in text[brace + 1:end - 1]:
        return None
    return len(text[:brace].rstrip()), brace


def take_trailing_attrs(inline: Token) -> dict[str, str]:
    """Strip a Pandoc-style ``{#id .class}`` from the end of a heading and return it."""
    children = inline.children or []
    if not children or children[-1].type != "text":
        return {}
    last = children[-1]
    found = trailing_braces(last.content)
    if found is None:
        return {}
    start, brace = found
    try:
        end, attrs = parse_attrs(last.content[brace:len(last.content.rstrip())])
    except ParseError:
        return {}
    last.content = last.content[:start]
    found = trailing_braces(inline.content)
    if found is not None:
        inline.content = inline.content[:found[0]]
    return attrs
