"""Stage 1, Quarto's own freeze as a source: the executed Markdown that ``quarto render`` stores in
``_freeze/<page>/execute-results/html.json`` (with ``execute: freeze``), attached to its chapter.

Quarto keeps the MD5 of the page's text (line ends made ``\\n``) in ``hash`` and reuses the file only while the
page is unchanged; a page edited since is reported here (its outputs may no longer match its code) and its
freeze is still used, as Quarto itself does with ``freeze: true``. Figures of the executed page are written as
``<page>_files/figure-html/…`` and kept by Quarto in ``_freeze/<page>/figure-html/…``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..config import Config
from ..errors import Problems
from ..yamlfile import MAX_SOURCE_BYTES

FREEZE_COMMAND = "quarto render"
FREEZE_HINT = ("exécutez le projet avec Quarto : ajoutez « execute: freeze: auto » à _quarto.yml, lancez "
               f"« {FREEZE_COMMAND} », puis gardez le dossier _freeze/ avec les sources")


@dataclass(frozen=True)
class Frozen:
    """The executed page Quarto stored for one chapter."""

    path: str             # the html.json file, relative to the project root (for messages)
    markdown: str         # the executed page (front matter removed)
    engine: str           # "knitr", "jupyter"…
    files_prefix: str     # how the executed Markdown names its figure folder: "arrow_files/"
    files_dir: str        # where Quarto keeps that folder, relative to the page's folder: "_freeze/arrow/"
    stale: bool           # the page changed after it was executed


def project_dir(config: Config) -> Path:
    """The folder of ``_quarto.yml`` (``_freeze/`` sits beside it), else the content folder."""
    if config.quarto_project:
        return (config.root / config.quarto_project).parent
    return config.content_path


def freeze_file(source: Path, project: Path) -> PurePosixPath:
    """``_freeze/<page path in the project, without extension>/execute-results/html.json``, relative to ``project``."""
    page = PurePosixPath(source.resolve().relative_to(project.resolve()).as_posix())
    return PurePosixPath("_freeze") / page.with_suffix("") / "execute-results" / "html.json"


def source_hash(text: str) -> str:
    """What Quarto stores as ``hash``: the MD5 of the page's text with ``\\n`` line ends."""
    return hashlib.md5(text.replace("\r\n", "\n").encode("utf-8")).hexdigest()


def load_freeze(page: str, config: Config, problems: Problems) -> Frozen | None:
    """The executed page of ``page`` (a chapter's source, relative to the project root), or None (none
    written, or unreadable: then reported)."""
    project = project_dir(config)
    source = config.root / page
    try:
        rel = freeze_file(source, project)
    except ValueError:  # the page lies outside the Quarto project: Quarto would not freeze it
        return None
    path = project / rel
    if not path.is_file():
        return None
    shown = path.relative_to(config.root).as_posix() if path.is_relative_to(config.root) else rel.as_posix()
    if not path.resolve().is_relative_to(config.root.resolve()) or path.stat().st_size > 4 * MAX_SOURCE_BYTES:
        problems.warn(shown, 0, "résultats figés ignorés : fichier hors du projet ou trop volumineux",
                      "copiez le dossier _freeze/ dans le projet")
        return None
    raw = path.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        problems.warn(shown, 0, "résultats figés illisibles : le fichier n'est pas encodé en UTF-8", FREEZE_HINT)
        return None
    except json.JSONDecodeError as exc:
        conflict = b"<<<<<<<" in raw and b">>>>>>>" in raw
        problems.warn(shown, exc.lineno, "résultats figés illisibles : "
                      + ("conflit de fusion Git non résolu" if conflict else f"JSON invalide ({_json_problem(exc)})"),
                      "résolvez le conflit ou relancez « quarto render » sur la page" if conflict else FREEZE_HINT)
        return None
    result = data.get("result") if isinstance(data, dict) else None
    if not isinstance(result, dict) or not isinstance(result.get("markdown"), str):
        problems.warn(shown, 1, "résultats figés illisibles : « result.markdown » manquant", FREEZE_HINT)
        return None
    text = source.read_bytes().decode("utf-8-sig", "replace")
    stored = data.get("hash")
    if isinstance(stored, str):
        stale = stored != source_hash(text)
    else:  # an older Quarto without hash: compare the files' dates
        stale = path.stat().st_mtime < source.stat().st_mtime
    if stale:
        problems.warn(page, 0, f"résultats figés plus anciens que la page ({shown}) : les sorties "
                      "affichées peuvent ne plus correspondre au code",
                      f"relancez « {FREEZE_COMMAND} {source.relative_to(project).as_posix()} » puis gardez le "
                      "dossier _freeze/ avec les sources")
    if result.get("preserve"):
        problems.warn(shown, 0, "sorties HTML interactives (widgets) des résultats figés non reprises",
                      "remplacez le widget par une image statique dans la page")
    # The figures' folder as the page links it: relative to the page's own folder.
    files_dir = PurePosixPath(os.path.relpath(path.parent.parent, source.parent)).as_posix() + "/"
    stem = source.stem
    return Frozen(shown, _without_front_matter(result["markdown"]), str(result.get("engine", "")),
                  f"{stem}_files/", files_dir, stale)


def _json_problem(exc: json.JSONDecodeError) -> str:
    known = {"Expecting value": "valeur attendue", "Expecting ',' delimiter": "virgule manquante",
             "Unterminated string starting at": "texte entre guillemets non fermé",
             "Expecting property name enclosed in double quotes": "nom de clé entre guillemets attendu",
             "Extra data": "texte après la fin du document",
             "Invalid control character at": "retour à la ligne ou caractère de contrôle dans un texte"}
    return known.get(exc.msg, exc.msg) + f", colonne {exc.colno}"


def _without_front_matter(markdown: str) -> str:
    """The executed page starts with the front matter it was given: the chapter has its own."""
    text = markdown.replace("\r\n", "\n")
    if text.startswith("---\n"):
        end = text.find("\n---\n", 3)
        if end >= 0:
            return text[end + 5:]
    return text
