"""Quarto's ``{{< var name >}}`` and ``{{< meta key >}}``, replaced in the source text before parsing.

``var`` reads the project's ``_variables.yml`` (beside ``_quarto.yml``, else in the content folder); ``meta``
reads the page's front matter, then the project's ``_quarto.yml``. Dotted names reach into mappings
(``{{< var email.info >}}``). As in Quarto, a value is Markdown, replaced everywhere, code included, and
``{{{< var x >}}}`` is left for the parser, which shows it as ``{{< var x >}}``. The other shortcodes are
read by the parser (``markdown.shortcodes``).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..config import Config
from ..errors import Problems
from ..yamlfile import compose, construct, decode_source, too_large, yaml_error

VARIABLES_FILE = "_variables.yml"
MAX_DEPTH = 3  # values inside values: a value naming itself stops there
# ``(\{?)`` / ``(\}?)``: a third brace on both sides escapes the shortcode. The name stops at a space, so that
# an opener without its closer costs one word, not the rest of the line.
_VALUE = re.compile(r"(\{?)\{\{<\s*(var|meta)\s+([^\s>]+)\s*>\}\}(\}?)")


@dataclass(frozen=True)
class ProjectValues:
    """What ``var`` and ``meta`` read besides the page: ``_variables.yml`` and ``_quarto.yml``, as written."""

    variables: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    variables_file: str = VARIABLES_FILE   # as messages name it
    has_variables: bool = False
    folder: Path | None = None              # the project's folder: ``{{< include /x.md >}}`` starts there


NO_VALUES = ProjectValues()


def project_dir(config: Config) -> Path:
    """The Quarto project's folder: the one of ``_quarto.yml`` when ``quarto_project`` names it, else content/."""
    return (config.root / config.quarto_project).parent if config.quarto_project else config.content_path


def load_values(config: Config, problems: Problems) -> ProjectValues:
    """Read ``_variables.yml`` (absent: no variables) and the ``_quarto.yml`` named by the config, if any."""
    folder = project_dir(config)
    path = folder / VARIABLES_FILE
    shown = _shown(path, config.root)
    outside = path.is_file() and not path.resolve().is_relative_to(config.root.resolve())
    if outside:  # a link to a file elsewhere on the machine: its values would be published
        where = path.relative_to(config.root).as_posix() if path.is_relative_to(config.root) else shown
        problems.error(where, 0, f"« {VARIABLES_FILE} » mène hors du projet (ignoré)",
                       "placez le fichier lui-même dans le projet, pas un lien vers un autre dossier")
    variables = _mapping(path, shown, problems) if path.is_file() and not outside else None
    metadata = None
    if config.quarto_project and (config.root / config.quarto_project).is_file():
        metadata = _mapping(config.root / config.quarto_project, config.quarto_project, Problems())  # reported there
    return ProjectValues(variables or {}, metadata or {}, shown, variables is not None, folder)


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def _mapping(path: Path, shown: str, problems: Problems) -> dict[str, Any] | None:
    """A YAML file that must hold a mapping; None (with an error at its line) when it cannot be read."""
    if too_large(path.stat().st_size, shown, problems):
        return None
    text = decode_source(path.read_bytes(), shown, problems)
    if text is None:
        return None
    try:  # through yamlfile, whose bounds stop an alias bomb
        node = compose(text)
        data = construct(node) if node is not None else {}
    except yaml.YAMLError as exc:
        problems.add(yaml_error(exc, shown, 0))
        return None
    if not isinstance(data, dict):
        line = node.start_mark.line + 1 if node is not None else 1
        problems.error(shown, line, "le fichier doit contenir des paires « nom: valeur »",
                       "écrivez par exemple « version: 1.2 », une variable par ligne")
        return None
    return data


def replace_values(text: str, page: dict[str, Any], project: ProjectValues, path: str, line: int,
                   problems: Problems, depth: int = 0) -> str:
    """``text`` (one line, or a title) with its ``var`` and ``meta`` shortcodes replaced by their values, and
    theirs (``{{< meta title >}}`` of a title holding a ``var``), a few levels deep."""
    if "{{<" not in text or depth > MAX_DEPTH:
        return text

    def value(match: re.Match[str]) -> str:
        before, kind, name, after = match.groups()
        if before and after:  # {{{< … >}}}: escaped, shown as written by the parser
            return match.group(0)
        if kind == "var":
            found = _lookup(project.variables, name)
            where = project.variables_file
            hint = (f"ajoutez « {name.split('.')[0]}: … » à {project.variables_file}" if project.has_variables
                    else f"créez {project.variables_file} avec une ligne « {name.split('.')[0]}: … »")
        else:
            found = _lookup(page, name)
            if found is _MISSING:
                found = _lookup(project.metadata, name)
            where = "l'en-tête de la page" + (" ni dans _quarto.yml" if project.metadata else "")
            hint = f"ajoutez « {name.split('.')[0]}: … » à l'en-tête de la page"
        if found is _MISSING:
            problems.warn(path, line, f"« {{{{< {kind} {name} >}}}} » : « {name} » introuvable dans {where}", hint)
            return before + f"?{kind}:{name}" + after
        shown = _text(found)
        if shown is None:
            problems.warn(path, line, f"« {{{{< {kind} {name} >}}}} » : la valeur de « {name} » n'est pas un texte "
                          "(liste ou dictionnaire)", "nommez une valeur simple, par exemple « " + name + ".nom »")
            return before + f"?{kind}:{name}" + after
        return before + replace_values(shown, page, project, path, line, problems, depth + 1) + after
    return _VALUE.sub(value, text)


_MISSING = object()


def _lookup(data: Any, name: str) -> Any:
    for part in name.split("."):
        if not isinstance(data, dict) or part not in data:
            return _MISSING
        data = data[part]
    return data


def _text(value: Any) -> str | None:
    """A value as Quarto prints it; a value on several lines joined into one (it must not change the blocks
    around it); None for a list or a mapping."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if value is None:
        return ""
    if isinstance(value, (str, int, float)):
        return " ".join(str(value).split("\n")).strip() if "\n" in str(value) else str(value)
    return None
