"""Shared helpers for reading author files: decoding with a located error, YAML errors at file:line, and the
one typed-key validator behind every schema (config, front matter, glossary, attention specs).

Every YAML file the tool reads goes through :func:`compose`. Anchors and aliases are allowed (Quarto projects
share options with them, in ``_quarto.yml`` as in front matter), within bounds checked while composing: what
aliases add, the nesting depth and the text's size; past them the file is refused at the alias's line, so that
no later step (construction, a message quoting a value, ``repr`` in a cache key) ever expands an alias bomb."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from pathlib import Path

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


def link_outside(path: Path, folder: Path, rel: str, what: str = "du dossier de contenu") -> SiteError | None:
    """The error for a file that is a symbolic link leading out of ``folder`` (never read: it could publish any
    file of the machine), or None."""
    if path.resolve().is_relative_to(folder.resolve()):
        return None
    return SiteError(rel, 0, f"ce fichier est un lien qui pointe hors {what}",
                     "copiez le fichier dans le projet au lieu d'un lien symbolique")


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


# Bounds on what a YAML file may cost once composed: aliases (« billion laughs »: ten aliases of ten aliases…
# of a short text grow past gigabytes) and nesting (construction, repr() in a cache key and messages recurse).
MAX_ALIAS_EXPANSION = 1_000_000  # characters that aliases may add, all together: far beyond any real reuse
MAX_YAML_DEPTH = 100             # levels of lists and mappings, aliases expanded
ALIAS_HINT = ("chaque alias *nom recopie toute la valeur de son ancre &nom : écrivez les valeurs répétées "
              "en entier ou évitez les alias d'alias")


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")  # 1 000 000, narrow no-break spaces


class YAMLRefused(yaml.MarkedYAMLError):
    """A document refused for what it would cost or a value Python cannot build, not for its syntax; ``problem``
    and ``hint`` are French."""

    def __init__(self, problem: str, mark: yaml.Mark | None, hint: str) -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.hint = hint


class _BoundedComposer(yaml.composer.Composer):
    """PyYAML's composer, counting as it goes: the characters aliases add (each alias adds the whole size of
    its anchor's value, its own aliases included), the nesting depth and the expanded height of every node.
    An alias inside the value of its own anchor (a cycle) is refused too. Cost: linear in the events."""

    def __init__(self) -> None:
        super().__init__()
        self._size: dict[yaml.Node, int] = {}    # expanded size of each finished node (identity keys)
        self._height: dict[yaml.Node, int] = {}  # expanded nesting height of each finished node
        self._expanded = 0
        self._depth = 0

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            node = super().compose_node(parent, index)
            size = self._size.get(node)
            if size is None:  # its anchor's value is still being composed
                raise YAMLRefused(f"l'alias « *{event.anchor} » figure dans la valeur de sa propre ancre",
                                  event.start_mark, "une valeur ne peut pas se contenir elle-même : retirez cet alias")
            self._expanded += size
            if self._expanded > MAX_ALIAS_EXPANSION:
                raise YAMLRefused(f"l'alias « *{event.anchor} » porte le document développé au-delà de "
                                  f"{_thousands(MAX_ALIAS_EXPANSION)} caractères", event.start_mark, ALIAS_HINT)
            return node
        if self._depth >= MAX_YAML_DEPTH:
            raise self._too_deep(event.start_mark)
        self._depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if isinstance(node, yaml.ScalarNode):
            self._size[node], self._height[node] = 1 + len(node.value), 0
            return node
        children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
        self._size[node] = 1 + sum(self._size[c] for c in children)
        height = self._height[node] = 1 + max((self._height[c] for c in children), default=0)
        if height > MAX_YAML_DEPTH:
            raise self._too_deep(node.start_mark)
        return node

    @staticmethod
    def _too_deep(mark: yaml.Mark) -> YAMLRefused:
        return YAMLRefused(f"listes et dictionnaires imbriqués sur plus de {MAX_YAML_DEPTH} niveaux (alias compris)",
                           mark, "réduisez l'imbrication")


class _Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, _BoundedComposer,
              yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
    """PyYAML's safe loader, its composer bounded."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        _BoundedComposer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)


try:  # libyaml, when PyYAML was built with it
    from yaml.cyaml import CParser as _CParser
except ImportError:  # pragma: no cover - wheels for the supported platforms ship it
    _CParser = None

if _CParser is not None:
    class _FastLoader(_BoundedComposer, _CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        """libyaml's parser (its events), composed by the bounded composer: libyaml's own composer recurses
        in C without any limit and expands nothing it could be asked to count."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _BoundedComposer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)


def _compose_with(loader_class: type, text: str) -> yaml.Node | None:
    loader = loader_class(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def compose(text: str) -> yaml.Node | None:
    """The YAML nodes of ``text``, with their line marks (to report errors at the author's line).

    Bounded: a text past ``MAX_SOURCE_BYTES``, aliases adding more than ``MAX_ALIAS_EXPANSION`` characters,
    nesting deeper than ``MAX_YAML_DEPTH`` or a cyclic alias raise :class:`YAMLRefused` (a
    ``MarkedYAMLError``) at their line, so that nothing later (construction, messages, cache keys) expands them.

    libyaml parses ten times faster (a thousand front matters: 0.14 s -> 0.01 s); a document it refuses is
    parsed again by PyYAML itself, so that an error always has PyYAML's message and line.
    """
    if len(text) > MAX_SOURCE_BYTES:
        size = f"{len(text.encode('utf-8', 'surrogatepass')) / 1024 / 1024:.1f}".replace(".", ",")
        raise YAMLRefused(f"fichier trop volumineux ({size} Mo, au plus {MAX_SOURCE_BYTES // 1024 // 1024} Mo)",
                          None, "un fichier YAML de cette taille n'est pas écrit à la main : allégez-le")
    if _CParser is not None:
        try:
            return _compose_with(_FastLoader, text)
        except YAMLRefused:
            raise
        except yaml.YAMLError:
            pass
    return _compose_with(_Loader, text)


def construct(node: yaml.Node) -> object:
    """The Python value of one composed node (safe constructors), for files read node by node to keep lines.

    A value Python refuses to build (a date « 2026-13-45 », an integer of thousands of digits, which Python
    declines to convert because it would take quadratic time) is a :class:`YAMLRefused` at the node's line.
    """
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError) as exc:
        raise _unbuildable(exc, _failing_scalar(node) or node) from None
    finally:
        loader.dispose()


def _failing_scalar(node: yaml.Node) -> yaml.ScalarNode | None:
    """The first scalar of ``node``, in reading order, that Python cannot build (for its line)."""
    stack: list[yaml.Node] = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.ScalarNode):
            loader = yaml.SafeLoader("")
            try:
                loader.construct_object(current)
            except (ValueError, OverflowError):
                return current
            except yaml.YAMLError:
                pass
            finally:
                loader.dispose()
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(reversed(current.value))
        else:
            for key, value in reversed(current.value):
                stack += [value, key]
    return None


def _unbuildable(exc: Exception, node: yaml.Node) -> YAMLRefused:
    text = str(exc)
    if "digits" in text:  # int(): "Exceeds the limit (4300 digits) for integer string conversion"
        return YAMLRefused("nombre de plus de 4300 chiffres", node.start_mark,
                           "mettez-le entre guillemets pour qu'il soit lu comme un texte")
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":timestamp"):
        return YAMLRefused(f"date impossible « {node.value} »", node.start_mark,
                           "écrivez une date qui existe, au format AAAA-MM-JJ, ou mettez le texte entre guillemets")
    return YAMLRefused("valeur illisible", node.start_mark, "mettez-la entre guillemets pour qu'elle soit lue comme un texte")


def yaml_error(exc: yaml.YAMLError, path: str, line_offset: int) -> SiteError:
    """A YAML parser error as a French message at the right line of the author's file."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = (mark.line + 1 + line_offset) if mark is not None else line_offset + 1
    if isinstance(exc, YAMLRefused):
        return SiteError(path, line, exc.problem or "", exc.hint)
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
