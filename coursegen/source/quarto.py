"""Quarto projects as a source: the chapter list of a ``_quarto.yml`` named by ``quarto_project``."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import yaml

from ..config import CONFIG_NAME, Config, check_chapter_list
from ..errors import Problems
from ..yamlfile import compose, construct, decode_source, yaml_error


def chapters_from_project(config: Config, problems: Problems) -> list[str] | None:
    """``book: chapters:`` (parts flattened) or a website's sidebar, relative to ``content_dir``."""
    root, name = config.root, CONFIG_NAME
    rel = config.quarto_project
    path = root / rel
    line = config.key_lines.get("quarto_project", 0)
    if not path.is_file():
        problems.error(name, line, f"« quarto_project » : fichier « {rel} » introuvable",
                       "indiquez le chemin du _quarto.yml, relatif à config.yaml")
        return None
    text = decode_source(path.read_bytes(), rel, problems)
    if text is None:
        return None
    try:  # through yamlfile, whose bounds stop an alias bomb; anchors and aliases are allowed, as in Quarto
        node = compose(text)
        data = (construct(node) if node is not None else None) or {}
    except yaml.YAMLError as exc:
        problems.add(yaml_error(exc, rel, 0))
        return None
    entries = _book_entries(data)
    if not entries:
        problems.error(rel, 1, "aucun chapitre trouvé (ni « book: chapters: », ni « website: sidebar: contents: »)",
                       "listez les chapitres du livre dans book: chapters:")
        return None
    content = config.content_path.resolve()
    project_dir = path.parent.resolve()
    chapters = []
    for entry in entries:
        file = (project_dir / entry).resolve()
        if PurePosixPath(entry).stem == "index":
            problems.warn(rel, 1, f"« {entry} » (page d'accueil Quarto) n'est pas repris comme chapitre",
                          "la page d'accueil du site vient de config.yaml (title, description)")
            continue
        if not file.is_relative_to(content):
            problems.error(rel, 1, f"le chapitre « {entry} » est hors du dossier de contenu",
                           f"indiquez « content_dir: {project_dir.relative_to(root.resolve()).as_posix() or '.'} » "
                           "dans config.yaml")
            continue
        chapters.append(file.relative_to(content).as_posix())
    before = len(problems.errors)
    check_chapter_list(chapters, name, line, problems)
    return chapters if len(problems.errors) == before else None


def _book_entries(data: Any) -> list[str]:
    if not isinstance(data, dict):
        return []
    book = data.get("book")
    if isinstance(book, dict) and isinstance(book.get("chapters"), list):
        return _flatten(book["chapters"], "chapters")
    website = data.get("website")
    sidebar = website.get("sidebar") if isinstance(website, dict) else None
    if isinstance(sidebar, list):
        sidebar = sidebar[0] if sidebar else None
    if isinstance(sidebar, dict) and isinstance(sidebar.get("contents"), list):
        return _flatten(sidebar["contents"], "contents")
    return []


def _flatten(items: list, key: str) -> list[str]:
    out: list[str] = []
    for item in items:
        if isinstance(item, str) and item.endswith((".md", ".qmd")):
            out.append(item)
        elif isinstance(item, dict):
            if isinstance(item.get("href"), str) and item["href"].endswith((".md", ".qmd")):
                out.append(item["href"])
            if isinstance(item.get("part"), str) and item["part"].endswith((".md", ".qmd")):
                out.append(item["part"])
            if isinstance(item.get(key), list):
                out.extend(_flatten(item[key], key))
    return out
