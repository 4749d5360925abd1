"""Stage 1, where a page's references come from: ``bibliography:`` and ``csl:`` in its front matter, else in
the Quarto project's ``_quarto.yml`` (Quarto's rule: the page's own keys win). Paths are resolved from the
file that names them and checked here, so that a missing file is reported once at the line that names it.
Formatting the citations is a later stage's work (``pages.cite``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from ..config import Config
from ..errors import Problems
from ..yamlfile import compose, construct, decode_source, yaml_error

BIBLIOGRAPHY_TYPES = (".bib", ".bibtex", ".json", ".yaml", ".yml")  # what pandoc's citeproc reads


@dataclass(frozen=True)
class Bibliography:
    """The reference files of one page and its citation style, as paths relative to the project root."""

    files: tuple[str, ...]
    csl: str = ""          # "" : pandoc's default style (Chicago author-date), as in Quarto
    source: str = ""       # the file that names them (front matter or _quarto.yml), for messages
    line: int = 0


def page_bibliography(meta: dict[str, Any], lines: dict[str, int], page: str, config: Config,
                      problems: Problems) -> Bibliography | None:
    """The bibliography of the page ``page`` (root-relative): its own keys, else the project's; None if none."""
    if "bibliography" in meta:
        return _resolve(meta["bibliography"], meta.get("csl"), page, lines.get("bibliography", 0),
                        lines.get("csl", 0), config.root, problems)
    project = project_bibliography(config, problems)
    if project is None or "csl" not in meta:
        return project
    style = _style(meta["csl"], page, lines.get("csl", 0), config.root, problems)
    return Bibliography(project.files, style, project.source, project.line) if style is not None else None


def project_bibliography(config: Config, problems: Problems) -> Bibliography | None:
    """``bibliography`` and ``csl`` of the ``_quarto.yml`` named by ``quarto_project`` (the rest of that file
    is read elsewhere); None when there is none."""
    if not config.quarto_project:
        return None
    rel = PurePosixPath(config.quarto_project).as_posix()
    path = config.root / rel
    if not path.is_file():
        return None  # reported by the chapter list (source.quarto)
    text = decode_source(path.read_bytes(), rel, Problems())  # the same problem is reported by source.quarto
    if text is None:
        return None
    try:
        node = compose(text)
    except yaml.YAMLError:
        return None  # reported by source.quarto
    if not isinstance(node, yaml.MappingNode):
        return None
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value in ("bibliography", "csl"):
            try:
                values[key.value] = construct(value)
            except yaml.YAMLError as exc:
                problems.add(yaml_error(exc, rel, 0))
                return None
            lines[key.value] = value.start_mark.line + 1
    if "bibliography" not in values:
        return None
    return _resolve(values["bibliography"], values.get("csl"), rel, lines["bibliography"], lines.get("csl", 0),
                    config.root, problems)


def _resolve(files: Any, csl: Any, declared_in: str, line: int, csl_line: int, root: Path,
             problems: Problems) -> Bibliography | None:
    """Check the values and the files they name; None (and an error at ``line``) if nothing usable is left."""
    if files is None:
        return None
    names = [files] if isinstance(files, str) else files
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names):
        problems.error(declared_in, line, "« bibliography » doit être un chemin de fichier ou une liste de chemins",
                       "écrivez par exemple « bibliography: references.bib »")
        return None
    folder = PurePosixPath(declared_in).parent
    found = []
    for name in names:
        rel = _inside(folder, name, root)
        if rel is None or not (root / rel).is_file():
            problems.error(declared_in, line, f"bibliographie « {name} » introuvable",
                           "indiquez un chemin relatif au fichier qui la déclare (.bib ou CSL JSON)")
        elif not rel.lower().endswith(BIBLIOGRAPHY_TYPES):
            problems.error(declared_in, line, f"bibliographie « {name} » : format non reconnu",
                           "formats lus : " + ", ".join(BIBLIOGRAPHY_TYPES))
        else:
            found.append(rel)
    style = _style(csl, declared_in, csl_line or line, root, problems) if csl is not None else ""
    if len(found) != len(names) or style is None:
        return None
    return Bibliography(tuple(found), style, declared_in, line)


def _style(csl: Any, declared_in: str, line: int, root: Path, problems: Problems) -> str | None:
    """The root-relative path of the ``csl:`` style file, or None after an error at ``line``."""
    rel = _inside(PurePosixPath(declared_in).parent, csl, root) if isinstance(csl, str) and csl.strip() else None
    if rel is None or not (root / rel).is_file():
        problems.error(declared_in, line, f"style de citation « {csl} » introuvable",
                       "indiquez le chemin d'un fichier .csl, relatif au fichier qui le déclare, "
                       "ou retirez « csl: » pour le style par défaut")
        return None
    return rel


def _inside(folder: PurePosixPath, name: str, root: Path) -> str | None:
    """``name`` from ``folder`` (``/x``: from the project root), root-relative; None if it leaves the project."""
    target = (root / name.lstrip("/")) if name.startswith("/") else (root / folder / name)
    try:
        return target.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None
