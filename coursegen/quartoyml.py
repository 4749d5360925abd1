"""A Quarto project's ``_quarto.yml``, read with its lines: the settings it gives the site (title, author,
language, address, repository, footer, favicon, numbering) for ``config``, and its nodes for ``source.quarto``,
which reads the page list."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Callable

import yaml

from .errors import Problems
from .yamlfile import compose, construct, decode_source, shown, yaml_error

PROJECT_FILE = "_quarto.yml"
REPO_ACTIONS = ("edit", "issue", "source")
# _quarto.yml key -> Config field; read at the top level, then under format: html:, then under book: or website:
# (the later one wins, as in Quarto, and config.yaml wins over all of them)
_SETTINGS = {"title": "title", "subtitle": "subtitle", "author": "author", "description": "description",
             "lang": "language", "site-url": "site_url", "repo-url": "repo_url", "repo-branch": "repo_branch", "repo-subdir": "repo_subdir",
             "repo-actions": "repo_actions", "page-footer": "page_footer", "favicon": "favicon",
             "number-sections": "number_sections", "number-depth": "number_depth"}


@dataclass(frozen=True)
class QuartoFile:
    rel: str                  # path shown in messages, relative to the project root
    folder: Path              # the folder of _quarto.yml: page paths are relative to it
    node: yaml.MappingNode

    @property
    def kind(self) -> str:
        """« book » or « website » (``project: type:``; a ``book:`` key makes a book, anything else a website)."""
        declared = scalar(get(get(self.node, "project"), "type"))
        if declared in ("book", "website"):
            return declared
        return "book" if get(self.node, "book") is not None else "website"

    @property
    def section(self) -> yaml.Node | None:
        """The ``book:`` or ``website:`` mapping, whichever the project's type reads."""
        return get(self.node, self.kind)


FAVICON_TYPES = (".ico", ".png", ".svg", ".jpg", ".jpeg", ".gif", ".webp")

def get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value node of ``key`` in a mapping node (the last one if written twice), None if absent or not a mapping."""
    found = None
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                found = value
    return found


def scalar(node: yaml.Node | None) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) and node.tag != "tag:yaml.org,2002:null" else None


def line(node: yaml.Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 1


def read(root: Path, rel: str, problems: Problems, where: tuple[str, int]) -> QuartoFile | None:
    """``root/rel`` composed; a missing, unreadable or non-mapping file is an error (``where`` names who asked)."""
    path = root / rel
    if not path.is_file():
        problems.error(*where, f"« quarto_project » : fichier « {rel} » introuvable",
                       "indiquez le chemin du _quarto.yml, relatif à config.yaml")
        return None
    if not path.resolve().is_relative_to(root.resolve()):  # a link to a file elsewhere on the machine
        problems.error(*where, f"« quarto_project » : « {rel} » mène hors du projet",
                       "placez le _quarto.yml dans le projet (pas un lien vers un autre dossier)")
        return None
    text = decode_source(path.read_bytes(), rel, problems)
    if text is None:
        return None
    try:  # through yamlfile, whose bounds stop an alias bomb; anchors and aliases are allowed, as in Quarto
        node = compose(text)
    except yaml.YAMLError as exc:
        problems.add(yaml_error(exc, rel, 0))
        return None
    if not isinstance(node, yaml.MappingNode):
        problems.error(rel, line(node), f"{PROJECT_FILE} doit être un dictionnaire de clés « clé: valeur »",
                       "commencez par « project: » puis « book: » ou « website: » (voir quarto.org)")
        return None
    return QuartoFile(rel, path.parent, node)


def fill(values: dict[str, Any], root: Path, where: tuple[str, int], problems: Problems,
         check_url: Callable[[str], tuple[str, str]]) -> None:
    """Complete ``values`` (config.yaml's, or those of ``--quarto``) with the settings of the Quarto project they
    name; each value is checked at its line of _quarto.yml."""
    project = read(root, values["quarto_project"], problems, where)
    if project is None:
        return
    values["project_type"] = project.kind
    found: dict[str, yaml.Node] = {}
    for section in (project.node, get(get(project.node, "format"), "html"), project.section):
        if isinstance(section, yaml.MappingNode):
            for key_node, value in section.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value in _SETTINGS:
                    found[_SETTINGS[key_node.value]] = value
    content = (root / values.get("content_dir", "content")).resolve()
    metadata: dict[str, Any] | None = None
    for key, node in found.items():
        if key in values:
            continue  # config.yaml wins
        try:
            value = construct(node)
            if "{{<" in str(value):  # Quarto expands {{< meta x >}} / {{< var x >}} in its own settings too
                metadata = _metadata(project, problems) if metadata is None else metadata
                value = _expand(value, metadata, project.rel, line(node), problems)
        except yaml.YAMLError as exc:
            problems.add(yaml_error(exc, project.rel, 0))
            continue
        converted = _convert(key, value, project, node, content, problems, check_url)
        if converted is not None:
            values[key] = converted
            values.setdefault("quarto_lines", {})[key] = line(node)
    if not values.get("title"):
        values["title"] = project.folder.resolve().name
        problems.warn(project.rel, line(project.section), "titre du site absent : le nom du dossier le remplace",
                      f"ajoutez « title: … » sous « {project.kind}: »")
    values.setdefault("author", "")
    for name, fmt in _formats(project.node):  # format: html: or an extension's HTML format (bookup-html)
        extension = scalar(get(fmt, "default-image-extension"))
        if name == "html" or name.endswith("-html"):
            if extension:
                values["image_extension"] = extension.lstrip(".")
                break
    values.setdefault("number_depth", 6)  # quarto.org: « by default, all headings … create a numbered section »


_SHORTCODE = re.compile(r"\{\{<\s*(meta|var)\s+([\w.-]+)\s*>\}\}")


def _metadata(project: QuartoFile, problems: Problems) -> dict[str, Any]:
    """What ``meta`` reads (_quarto.yml itself) and ``var`` reads (``_variables.yml`` beside it)."""
    variables: Any = {}
    path = project.folder / "_variables.yml"
    if path.is_file() and path.resolve().is_relative_to(project.folder.resolve()):  # never a link elsewhere
        text = decode_source(path.read_bytes(), "_variables.yml", problems)
        node = compose(text) if text else None
        variables = (construct(node) if node is not None else None) or {}
    return {"meta": construct(project.node) or {}, "var": variables if isinstance(variables, dict) else {}}


def _expand(value: Any, metadata: dict[str, Any], rel: str, at: int, problems: Problems) -> Any:
    """``value`` with its meta/var shortcodes replaced (in texts, lists and dictionaries); an unknown name is
    a warning and becomes empty."""
    if isinstance(value, list):
        return [_expand(v, metadata, rel, at, problems) for v in value]
    if isinstance(value, dict):
        return {k: _expand(v, metadata, rel, at, problems) for k, v in value.items()}
    if not isinstance(value, str):
        return value

    def one(m: re.Match[str]) -> str:
        found: Any = metadata[m.group(1)]
        for part in m.group(2).split("."):
            found = found.get(part) if isinstance(found, dict) else None
        if found is None or isinstance(found, (dict, list)):
            problems.warn(rel, at, f"« {{{{< {m.group(1)} {m.group(2)} >}}}} » : valeur introuvable (remplacée par rien)",
                          "définissez-la dans _quarto.yml (meta) ou dans _variables.yml (var)")
            return ""
        return str(found)
    return _SHORTCODE.sub(one, value)


def _formats(node: yaml.MappingNode) -> list[tuple[str, yaml.Node]]:
    formats = get(node, "format")
    if not isinstance(formats, yaml.MappingNode):
        return []
    return [(k.value, v) for k, v in formats.value if isinstance(k, yaml.ScalarNode)]


def _convert(key: str, value: Any, project: QuartoFile, node: yaml.Node, content: Path, problems: Problems,
             check_url: Callable[[str], tuple[str, str]]) -> Any:
    """A _quarto.yml value as the Config field wants it, or None (reported at its line) if it cannot be used."""
    at = (project.rel, line(node))
    wanted = {"number_sections": bool, "number_depth": int}.get(key, str)
    if key == "author":
        names = [a if isinstance(a, str) else a.get("name") if isinstance(a, dict) else None
                 for a in (value if isinstance(value, list) else [value])]
        names = [n.get("literal", "") if isinstance(n, dict) else n for n in names]
        if all(isinstance(n, str) for n in names):
            return ", ".join(n.strip() for n in names)
    elif key == "page_footer":
        parts = {"center": value} if isinstance(value, str) else value
        if isinstance(parts, dict) and all(k in ("left", "center", "right") and isinstance(v, str)
                                           for k, v in parts.items()):
            return {k: v.strip() for k, v in parts.items()}
        problems.warn(*at, "« page-footer » : seuls des textes sous left, center et right sont repris (ignoré)",
                      "écrivez par exemple « left: \"Texte\" » (le HTML et le Markdown en ligne sont acceptés)")
        return None
    elif key == "repo_actions":
        actions = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        if value is False or value == "none":
            return []
        unknown = [a for a in actions if a not in REPO_ACTIONS]
        if not unknown and actions:
            return actions
        problems.warn(*at, f"« repo-actions » : action inconnue {shown(unknown[0] if unknown else value)} (ignorée)",
                      "actions possibles : " + ", ".join(REPO_ACTIONS))
        return [a for a in actions if a in REPO_ACTIONS]
    elif isinstance(value, wanted) and not (wanted is int and isinstance(value, bool)):
        if key in ("site_url", "repo_url") and value:
            checked, message = check_url(value)
            if message:
                problems.error(*at, f"« {_key_name(key)} » : {message}", "exemple : https://exemple.github.io/projet/")
                return None
            return checked if key == "site_url" else value.rstrip("/")
        if key == "favicon":
            try:
                target = (project.folder / value).resolve()
            except (OSError, ValueError):  # a NUL byte, a loop of links
                target = project.folder
            if PurePosixPath(value).suffix.lower() not in FAVICON_TYPES:  # never a page or a script on the site
                problems.warn(*at, f"« favicon » : « {value} » n'est pas une image (ignorée)",
                              "indiquez une image " + ", ".join(FAVICON_TYPES))
                return None
            if not target.is_file() or not target.is_relative_to(content):
                problems.warn(*at, f"« favicon » : image « {value} » introuvable dans le projet (ignorée)",
                              "indiquez le chemin de l'image, relatif au dossier de _quarto.yml")
                return None
            return PurePosixPath(target.relative_to(content).as_posix()).as_posix()
        return value.strip() if isinstance(value, str) else value
    kinds = {bool: "true ou false", int: "un entier", str: "un texte"}
    kind = kinds[wanted] if key != "author" else "un nom ou une liste de noms"
    problems.error(*at, f"« {_key_name(key)} » doit être {kind} "
                   f"(reçu {shown(value)})", "corrigez la valeur dans " + PROJECT_FILE)
    return None


def _key_name(field: str) -> str:
    return next(k for k, v in _SETTINGS.items() if v == field)
