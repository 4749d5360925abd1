"""The glossary: one source file (content/glossaire.yaml), one page, and a link on each term's first use.

Each entry names a French term, its English equivalent and a definition. In every chapter, the first
occurrence of a term (or of one of its forms) in running text links to the glossary entry; the link
carries the definition, which the site script shows as an accessible tooltip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from markdown_it.token import Token

from .errors import Problems, did_you_mean
from .markdown import slugify
from .parsing import compose, construct, decode_source, yaml_error
from .typography import french

GLOSSARY_FILE = "glossaire.yaml"
GLOSSARY_PAGE = "glossaire.html"
_KEYS = {"terme", "anglais", "definition", "formes"}


@dataclass(frozen=True)
class Entry:
    term: str
    english: str
    definition: str
    id: str
    forms: tuple[str, ...]
    line: int


def sort_key(entry: Entry) -> str:
    """French dictionary order: accents and case do not change the place of a word."""
    return slugify(entry.term).replace("-", " ")


def _forms(term: str, extra: list[str]) -> tuple[str, ...]:
    """« LLM (grand modèle de langage) » -> LLM, grand modèle de langage; « requête, clé » -> both."""
    forms: list[str] = []
    main, _, inner = term.partition("(")
    for part in [main, inner.rstrip(")")] + extra:
        for piece in part.split(","):
            piece = french(piece.strip())
            if piece and piece not in forms:
                forms.append(piece)
    return tuple(sorted(forms, key=len, reverse=True))


def load_glossary(content: Path, content_dir: str, problems: Problems) -> list[Entry]:
    """Entries of content/glossaire.yaml in French alphabetical order; none if the file is absent."""
    path = content / GLOSSARY_FILE
    rel = f"{content_dir}/{GLOSSARY_FILE}"
    if not path.is_file():
        return []
    text = decode_source(path.read_bytes(), rel, problems)
    if text is None:
        return []
    try:
        node = compose(text)
    except yaml.YAMLError as exc:
        problems.add(yaml_error(exc, rel, 0))
        return []
    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        problems.error(rel, node.start_mark.line + 1, "le glossaire doit être une liste d'entrées « - terme: … »")
        return []
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for item in node.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            problems.error(rel, line, "entrée de glossaire invalide", "écrivez « - terme: … » puis « definition: … »")
            continue
        values: dict[str, object] = {}
        for key_node, value_node in item.value:
            key = key_node.value
            if key not in _KEYS:
                problems.error(rel, key_node.start_mark.line + 1, f"clé inconnue « {key} »",
                               did_you_mean(key, _KEYS) or "clés possibles : terme, anglais, definition, formes")
                continue
            values[key] = construct(value_node)
        term, definition = values.get("terme"), values.get("definition")
        extra = values.get("formes", [])
        if not isinstance(term, str) or not term.strip() or not isinstance(definition, str) or not definition.strip():
            problems.error(rel, line, "chaque entrée doit avoir un « terme » et une « definition » (textes)")
            continue
        if not isinstance(extra, list) or not all(isinstance(f, str) for f in extra):
            problems.error(rel, line, "« formes » doit être une liste de textes")
            continue
        ident = "terme-" + slugify(term.partition("(")[0])
        if ident in seen:
            problems.error(rel, line, f"terme « {term} » déjà défini (ligne {seen[ident]})")
            continue
        seen[ident] = line
        english = values.get("anglais", "")
        entries.append(Entry(french(term.strip()), str(english or "").strip(), french(definition.strip()),
                             ident, _forms(term, extra), line))
    return sorted(entries, key=sort_key)


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
