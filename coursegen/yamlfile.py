"""Shared helpers for reading author files: decoding with a located error, YAML errors at file:line, and the
one typed-key validator behind every schema (config, front matter, glossary, attention specs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import yaml

from .errors import Problems, Severity, SiteError, did_you_mean


MAX_SOURCE_BYTES = 2 * 1024 * 1024  # 40 times the longest chapter of the course; parsing stays a few seconds


def too_large(size: int, path: str, problems: Problems) -> bool:
    """Refuse, with a located error, a source file too large to parse in a few seconds."""
    if size <= MAX_SOURCE_BYTES:
        return False
    shown = f"{size / 1024 / 1024:.1f}".replace(".", ",")
    problems.error(path, 0, f"fichier trop volumineux ({shown} Mo, au plus {MAX_SOURCE_BYTES // 1024 // 1024} Mo)",
                   "découpez-le en plusieurs chapitres ; les données vont dans content/assets/")
    return True


def decode_source(data: bytes, path: str, problems: Problems) -> str | None:
    """UTF-8 (with or without BOM) to text with ``\\n`` line ends; a located error otherwise."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.error(path, line, "le fichier n'est pas encodé en UTF-8",
                       "réenregistrez-le en UTF-8 dans votre éditeur")
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)  # libyaml, when PyYAML was built with it


def compose(text: str) -> yaml.Node | None:
    """The YAML nodes of ``text``, with their line marks (to report errors at the author's line).

    libyaml composes ten times faster (a thousand front matters: 0.14 s -> 0.01 s); a document it refuses is
    composed again by PyYAML itself, so that an error always has PyYAML's message and line.
    """
    if _FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def construct(node: yaml.Node) -> object:
    """The Python value of one composed node (safe constructors), for files read node by node to keep lines."""
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def yaml_error(exc: yaml.YAMLError, path: str, line_offset: int) -> SiteError:
    """A YAML parser error as a French message at the right line of the author's file."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = (mark.line + 1 + line_offset) if mark is not None else line_offset + 1
    problem = str(getattr(exc, "problem", None) or exc)
    for needle, french, hint in _YAML_PROBLEMS:
        if needle in problem:
            return SiteError(path, line, f"YAML invalide : {french}", hint)
    return SiteError(path, line, f"YAML invalide : {problem}",
                     "vérifiez l'indentation, les deux-points et les guillemets")


@dataclass(frozen=True)
class Key:
    """What one key of a YAML mapping accepts, and its French type name for messages (« un texte »)."""

    types: tuple[type, ...] = ()   # () accepts any value: the caller checks it with messages of its own
    kind: str = ""
    required: bool = False         # checked by the caller, whose message says where the key is missing
    blank: bool = True             # False: a blank text is refused like a wrong type


def shown(value: object) -> str:
    """A received value as a message quotes it: "texte", 42, [1, 2]; an empty one named, a long one cut."""
    if value is None:
        return "une valeur vide"
    text = repr(value) if not isinstance(value, str) else f"\"{value}\""
    return text if len(text) <= 40 else text[:37] + "…"


def wrong_type(name: str, key: Key, value: object) -> str:
    return f"« {name} » doit être {key.kind} (reçu {shown(value)})"


def read_mapping(node: yaml.MappingNode, schema: dict[str, Key], path: str, problems: Problems, *,
                 offset: int = 0, unknown: str = "clé inconnue « {} »", hint: str | None = None,
                 severity: Severity = "error", wrong: Callable[[str, Key, object], str] = wrong_type,
                 ) -> tuple[dict[str, Any], dict[str, int]]:
    """The values of ``node`` that fit ``schema``, and the line of each known key's value (a refused one too,
    so that the caller does not also report it missing).

    An unknown key is reported as ``unknown`` at ``severity``, hinted « vouliez-vous dire » or else ``hint``
    (default: the known keys); a wrong type is an error at the value's line, worded by ``wrong``. ``offset``:
    the lines of the file before the YAML text (front matter's « --- »).
    """
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1 + offset
        if not isinstance(key_node, yaml.ScalarNode):
            problems.error(path, line, "une valeur simple est attendue ici")
            continue
        name, key = key_node.value, schema.get(key_node.value)
        if key is None:
            known = f"clés possibles : {', '.join(schema)}" if hint is None else hint
            problems.add(SiteError(path, line, unknown.format(name), did_you_mean(name, schema) or known, severity))
            continue
        line = value_node.start_mark.line + 1 + offset
        lines.setdefault(name, line)  # a key written twice keeps the line of the value kept
        try:
            value = construct(value_node)
        except yaml.YAMLError as exc:
            problems.add(yaml_error(exc, path, offset))
            continue
        if key.types and (not isinstance(value, key.types) or (isinstance(value, bool) and bool not in key.types)
                          or (not key.blank and not value.strip())):  # bool: YAML's true is a Python int
            problems.error(path, line, wrong(name, key, value))
            continue
        values[name], lines[name] = value, line
    return values, lines


# PyYAML's English problems -> (French message, what to do)
_YAML_PROBLEMS = (
    ("'\\t'", "tabulation interdite", "YAML n'accepte pas les tabulations : indentez avec des espaces"),
    ("\t", "tabulation interdite", "YAML n'accepte pas les tabulations : indentez avec des espaces"),
    ("mapping values are not allowed", "deux-points inattendu dans une valeur",
     "mettez la valeur entre guillemets : titre: \"Partie : suite\""),
    ("found unexpected end of stream", "guillemet non fermé", "fermez la chaîne ouverte par \""),
    ("expected ',' or ']'", "liste entre crochets non fermée", "ajoutez le « ] » manquant"),
    ("expected ',' or '}'", "dictionnaire entre accolades non fermé", "ajoutez le « } » manquant"),
    ("could not find expected ':'", "deux-points manquant après une clé", "écrivez « clé: valeur »"),
    ("found duplicate anchor", "ancre YAML en double", "renommez l'une des ancres &nom"),
)
