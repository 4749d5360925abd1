"""Stage 2, Pandoc's citation syntax as ``cite`` tokens: ``[@key]``, ``[@key, p. 3]``, ``[voir @a; @b]``,
``[-@key]`` (year only) and ``@key`` in the text. Cross-references (``@sec-x``, ``@fig-x``…) are
``markdown.quarto``'s, and an e-mail address is never a citation. The token keeps the author's text, which
``pages.cite`` hands to Pandoc's citeproc as it is: Pandoc, Quarto's own parser, reads the locators and
prefixes, never a copy of its rules."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

# A key starts with a letter, digit or _ and may hold internal punctuation (Pandoc's rule); ``@{…}`` braces any.
_KEY = r"(?:[A-Za-z0-9_](?:[\w:.#$%&+?<>~/-]*[\w])?|\{[^{}\s]+\})"
_XREF = re.compile(r"(?:sec|fig|tbl|eq|lst|thm|lem|cor|prp|cnj|def|exm|exr)-")
_BARE = re.compile(rf"@({_KEY})")
_BRACKET = re.compile(rf"\[([^\[\]]*?(?<![\w@])-?@{_KEY}[^\[\]]*)\]")
_IN_BRACKET = re.compile(rf"(?<![\w@])-?@({_KEY})")
_EMAIL_BEFORE = re.compile(r"[\w.+-]")


def install(md: MarkdownIt) -> None:
    """Add the citation rule after the cross-reference rule, before links (``[@a](url)`` stays a link)."""
    md.inline.ruler.after("qmd_xref", "qmd_cite", _cite_rule)


def keys_of(text: str) -> list[str]:
    """The citation keys of a citation's text, in order, braces removed."""
    return [k[1:-1] if k.startswith("{") else k for k in _IN_BRACKET.findall(text)]


def _cite_rule(state: StateInline, silent: bool) -> bool:
    pos, src = state.pos, state.src
    char = src[pos]
    if char == "[":
        # The pattern cannot cross another "[": look for the "]" only up to it, then match within that span
        # (an unclosed "[" followed by many keys made the lazy pattern quadratic).
        nested = src.find("[", pos + 1)
        end = src.find("]", pos + 1, nested if nested >= 0 else len(src))
        if end < 0:
            return False
        match = _BRACKET.match(src, pos, end + 1)
        if not match or src[match.end():match.end() + 1] in ("(", "[", "{", ":"):
            return False  # a link, a reference link or a span with attributes, as Pandoc reads them
        keys = keys_of(match.group(1))
        if not keys or all(_XREF.match(k) for k in keys):
            return False
        in_text = False
    elif char == "@":
        if pos > 0 and _EMAIL_BEFORE.match(src[pos - 1]):
            return False
        match = _BARE.match(src, pos)
        if not match or _XREF.match(match.group(1)):
            return False
        keys, in_text = keys_of(match.group(0)), True
    else:
        return False
    if not silent:
        token = state.push("cite", "", 0)
        token.content = match.group(0)
        token.meta = {"keys": keys, "in_text": in_text}
    state.pos = match.end()
    return True
