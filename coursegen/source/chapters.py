"""Stage 1, source: discover the chapters named in the config (or its Quarto project) and split each into
validated front matter and body."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..config import Config
from ..errors import Problems, did_you_mean
from ..yamlfile import Key, compose, decode_source, link_outside, read_mapping, too_large, yaml_error
from ..text import french
from .bibliography import Bibliography, page_bibliography
from .freeze import Frozen
from .quarto import chapters_from_project

_META_SCHEMA = {"title": Key((str,), "un texte"), "description": Key((str,), "un texte"),
                "numbered": Key((bool,), "true ou false"), "draft": Key((bool,), "true ou false"),
                "bibliography": Key((str, list), "un chemin ou une liste de chemins"),
                "csl": Key((str,), "un chemin vers un fichier .csl")}
_PREFIX = re.compile(r"^\d+[-_]")
_SLUG_OK = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Chapter:
    """One source file: where it is, its validated metadata and its Markdown body."""

    source: str          # path relative to the project root, as shown in messages
    name: str            # file name as listed in config.yaml (e.g. "01-transformers.md")
    slug: str            # output page name without extension
    title: str
    description: str
    numbered: bool
    draft: bool
    body: str
    body_line: int       # 1-based line of the body's first line in the source file
    bibliography: Bibliography | None = None  # where its citations are looked up (``pages.cite``)
    frozen: Frozen | None = None  # the page as Quarto executed it (``source.freeze``)


def slug_for(name: str) -> str:
    """``01-les-transformers.md`` -> ``les-transformers``."""
    return _PREFIX.sub("", Path(name).stem)


def discover(config: Config, problems: Problems) -> list[Path]:
    """The chapter files in the order of ``config.yaml`` (never filesystem order)."""
    content = config.content_path
    chapters = chapters_from_project(config, problems) if config.quarto_project else list(config.chapters)
    if not content.is_dir():
        problems.error(config.content_dir, 0, "dossier de contenu introuvable",
                       f"créez « {config.content_dir}/ » et placez-y les chapitres")
        return []
    if chapters is None:
        return []
    listed = set(chapters)
    on_disk = sorted(p.name for p in content.glob("*.md") if not p.name.startswith("_"))
    for name in on_disk:
        if name not in listed:
            problems.warn(f"{config.content_dir}/{name}", 0,
                          "chapitre absent de la liste « chapters » de config.yaml : il n'est pas publié",
                          "ajoutez-le à « chapters » ou renommez-le en « _" + name + " »")
    paths = []
    for name in chapters:
        path = content / name
        rel = f"{config.content_dir}/{name}"
        if not path.is_file():
            problems.error("config.yaml", 0, f"chapitre « {name} » introuvable dans {config.content_dir}/",
                           did_you_mean(name, on_disk) or "vérifiez le nom dans « chapters »")
            continue
        outside = link_outside(path, content, rel) if path.is_symlink() or "/" in name or "\\" in name else None
        if outside is not None:
            problems.add(outside)
            continue
        paths.append(path)
    return paths


def parse_chapter(path: Path, config: Config, problems: Problems) -> Chapter | None:
    """Split front matter from body; every problem is reported at ``content/FILE.md:LINE``."""
    rel = path.relative_to(config.root).as_posix()
    if too_large(path.stat().st_size, rel, problems):
        return None
    text = decode_source(path.read_bytes(), rel, problems)
    if text is None:
        return None
    if not text.strip():
        problems.error(rel, 1, "le fichier est vide",
                       "commencez par un en-tête YAML entre deux lignes « --- » avec au moins « title: »")
        return None
    if not text.startswith("---\n"):
        problems.error(rel, 1, "en-tête YAML (front matter) absent",
                       "la première ligne doit être « --- », suivie de « title: … » puis d'une ligne « --- »")
        return None
    end = re.search(r"^(---|\.\.\.)[ \t]*$", text[4:], re.M)
    if end is None:
        problems.error(rel, 1, "en-tête YAML non terminé",
                       "fermez-le par une ligne « --- » avant le texte du chapitre")
        return None
    raw_meta = text[4:4 + end.start()]
    body_start = 4 + end.end() + 1
    body_line = text[:body_start].count("\n") + 1
    loaded = _load_meta(raw_meta, rel, problems)
    if loaded is None:
        return None
    meta, lines = loaded
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.error(rel, 2, "« title » manquant dans l'en-tête",
                       "ajoutez une ligne « title: \"Titre du chapitre\" »")
        return None
    slug = slug_for(path.name)
    if not _SLUG_OK.match(slug):
        problems.error(rel, 0, f"nom de fichier « {path.name} » inutilisable comme adresse de page",
                       "utilisez des minuscules sans accents, des chiffres et des tirets : 03-mon-chapitre.md")
        return None
    return Chapter(
        source=rel, name=path.name, slug=slug, title=french(title.strip()),
        description=french(str(meta.get("description", "")).strip()),
        numbered=bool(meta.get("numbered", True)), draft=bool(meta.get("draft", False)),
        body=text[body_start:] if body_start <= len(text) else "", body_line=body_line,
        bibliography=page_bibliography(meta, lines, rel, config, problems),
    )


def _load_meta(raw: str, rel: str, problems: Problems) -> tuple[dict[str, Any], dict[str, int]] | None:
    """Parse and type-check the front matter; unknown keys are warnings (ignored), wrong types errors."""
    offset = 1  # the opening "---" line
    try:
        node = compose(raw)
    except yaml.YAMLError as exc:
        problems.add(yaml_error(exc, rel, offset))
        return None
    if node is None:
        return {}, {}
    if not isinstance(node, yaml.MappingNode):
        problems.error(rel, node.start_mark.line + 1 + offset,
                       "l'en-tête doit contenir des paires « clé: valeur »")
        return None
    before = len(problems.errors)
    meta, lines = read_mapping(node, _META_SCHEMA, rel, problems, offset=offset, severity="warning",
                               unknown="clé d'en-tête inconnue « {} » (ignorée)", hint="", wrong=_wrong_type)
    return (meta, lines) if len(problems.errors) == before else None


def _wrong_type(name: str, key: Key, value: object) -> str:
    """Unlike config.yaml, front matter shows the received value in full, an empty one as None."""
    received = f"\"{value}\"" if isinstance(value, str) else repr(value)
    return f"« {name} » doit être {key.kind} (reçu {received})"


def load_chapters(config: Config, problems: Problems) -> list[Chapter]:
    """Discover, parse and de-duplicate the published chapters (drafts left out)."""
    chapters: list[Chapter] = []
    by_slug: dict[str, str] = {}
    for path in discover(config, problems):
        chapter = parse_chapter(path, config, problems)
        if chapter is None or chapter.draft:
            continue
        if chapter.slug in by_slug or chapter.slug in RESERVED_SLUGS:
            other = by_slug.get(chapter.slug, "une page du site")
            problems.error(chapter.source, 0,
                           f"l'adresse « {chapter.slug}.html » est déjà prise par {other}",
                           "renommez l'un des fichiers")
            continue
        by_slug[chapter.slug] = chapter.source
        chapters.append(chapter)
    if not chapters and not problems.errors:
        problems.error(config.content_dir, 0, "aucun chapitre à publier",
                       "ajoutez un fichier .md et listez-le dans « chapters » de config.yaml")
    return chapters


RESERVED_SLUGS = frozenset({"index", "404"})
