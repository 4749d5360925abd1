"""Glossary links: the first running-text occurrence of each glossary term in a chapter links to its entry.

The link carries the definition, which the site script shows as an accessible tooltip.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it.token import Token

from ..source.glossary import Entry


@lru_cache(maxsize=4)
def _matcher(entries: tuple[Entry, ...]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """One regex for every form of every term (longest first), compiled once per glossary, and the
    entry id behind each of its named groups."""
    forms = sorted({(f, e.id) for e in entries for f in e.forms}, key=lambda fe: (-len(fe[0]), fe))
    if not forms:
        return None, {}
    alternatives = "|".join(f"(?P<g{i}>{re.escape(form)}(?:s|x)?)" for i, (form, _) in enumerate(forms))
    pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)
    return pattern, {f"g{i}": ident for i, (_, ident) in enumerate(forms)}


def link_terms(tokens: list[Token], entries: list[Entry], href: str) -> set[str]:
    """Link the first running-text occurrence of each term; returns the ids linked in this page."""
    pattern, by_group = _matcher(tuple(entries))
    if pattern is None:
        return set()
    by_id = {e.id: e for e in entries}
    linked: set[str] = set()
    in_heading = False
    for block in tokens:
        if block.type == "heading_open":
            in_heading = True
        elif block.type == "heading_close":
            in_heading = False
        if block.type != "inline" or in_heading or not block.children or block.meta.get("quiz_choice"):
            continue
        children: list[Token] = []
        link_depth = 0
        for tok in block.children:
            if tok.type == "link_open":
                link_depth += 1
            elif tok.type == "link_close":
                link_depth -= 1
            if tok.type != "text" or link_depth or not tok.content:
                children.append(tok)
                continue
            children.extend(_split(tok, pattern, by_group, by_id, linked, href))
        block.children = children
    return linked


def _split(tok: Token, pattern: re.Pattern[str], by_group: dict[str, str], by_id: dict[str, Entry],
           linked: set[str], href: str) -> list[Token]:
    out: list[Token] = []
    text, pos = tok.content, 0
    for match in pattern.finditer(text):
        ident = by_group[match.lastgroup or ""]
        if ident in linked:
            continue
        linked.add(ident)
        if match.start() > pos:
            out.append(_text(text[pos:match.start()], tok))
        opening = Token("link_open", "a", 1)
        opening.attrs = {"href": f"{href}#{ident}", "class": "terme", "data-definition": by_id[ident].definition}
        opening.meta = {"glossary": True, "line": tok.meta.get("line")}
        out.extend([opening, _text(match.group(0), tok), Token("link_close", "a", -1)])
        pos = match.end()
    if pos == 0:
        return [tok]
    if pos < len(text):
        out.append(_text(text[pos:], tok))
    return out


def _text(content: str, like: Token) -> Token:
    tok = Token("text", "", 0)
    tok.content = content
    tok.meta = dict(like.meta)
    return tok
