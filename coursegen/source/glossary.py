"""The glossary's source: content/glossaire.yaml read into entries in French alphabetical order.

Each entry names a French term, its English equivalent and a definition; ``markdown.terms`` links each
term's first use in a chapter, and the build writes the glossary page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import Problems
from ..text import french, slugify
from ..yamlfile import Key, compose, decode_source, link_outside, read_mapping, yaml_error


GLOSSARY_FILE = "glossaire.yaml"
GLOSSARY_PAGE = "glossaire.html"
# any value: the entry's checks below word their own messages
_KEYS = {"terme": Key(), "anglais": Key(), "definition": Key(), "formes": Key()}


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
    outside = link_outside(path, content, rel)
    if outside is not None:
        problems.add(outside)
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
        values, _ = read_mapping(item, _KEYS, rel, problems)
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
