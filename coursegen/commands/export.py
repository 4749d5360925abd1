"""``python build.py export-quarto``: the course as a Quarto book (``_quarto.yml`` + the same Markdown
files) that ``quarto render`` accepts as is; attention figures become SVG images, quizzes print their answer."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

from ..attention.render import static_svg
from ..config import load_config, output_refusal
from ..course.figures import AttentionFigures
from ..errors import Problems, UserError
from ..markdown.attrs import div_attrs
from ..markdown.titles import french_markdown
from ..output.staging import os_problem, remove_tree, swap
from ..source.chapters import load_chapters
from ..yamlfile import link_outside

EXPORT_MARKER = "# Généré par « python build.py export-quarto » depuis config.yaml"
OUTPUT_FILE = "cours"
ANSWER_TITLE = "Voir la réponse"  # the folded callout holding a quiz's answer (the book groups them)
_CELL_FENCE = re.compile(r"^(\s{0,3})(`{3,}|~{3,})\{([A-Za-z0-9_+-]+)[^}\n]*\}[ \t]*$", re.M)
_QUIZ_BLOCK = re.compile(r"^(:{3,})[ \t]*\{\.quiz[^}\n]*\}[ \t]*\n(.*?)^\1[ \t]*$", re.M | re.S)
_QUIZ_ITEM = re.compile(r"^[-*+][ \t]+\[([ xX=])\][ \t]+(.*)$")
_ATTENTION_DIV = re.compile(r"^:::+\s*\{[^}\n]*\.attention\b[^}\n]*\}\s*$")


def export(root: Path, dest: Path, problems: Problems) -> list[str]:
    """Write the Quarto book into ``dest``; returns the written files (relative to ``dest``)."""
    config = load_config(root, problems)
    if config is None:
        return []
    given = dest
    dest = (dest if dest.is_absolute() else Path.cwd() / dest).resolve()
    shown = str(dest)
    site = config.output_path
    refusal = output_refusal(dest, config) or (
        "touche le dossier du site" if dest == site or dest.is_relative_to(site) or site.is_relative_to(dest) else "")
    if refusal:
        problems.error(shown, 0, f"export-quarto : le dossier « {given} » {refusal} : l'export le remplacerait en "
                       "entier", "choisissez un dossier à part, vide ou absent")
        return []
    if dest.exists() and not dest.is_dir():
        problems.error(shown, 0, "export-quarto : ce chemin existe et n'est pas un dossier",
                       "choisissez un dossier vide ou absent")
        return []
    if dest.is_dir() and any(dest.iterdir()):
        marker = dest / "_quarto.yml"  # a previous export (its first line says so) is replaced as a whole
        if not marker.is_file() or not marker.read_bytes().startswith(EXPORT_MARKER.encode("utf-8")):
            problems.error(shown, 0, "export-quarto : le dossier n'est pas vide",
                           "choisissez un dossier vide (ou un export précédent, qui sera remplacé)")
            return []
    chapters = load_chapters(config, problems)
    if problems.errors:
        return []
    written: dict[str, str | bytes] = {}
    figures = AttentionFigures(config)
    figures.specs(problems)
    for chapter in chapters:
        body = _quarto_body(chapter.body, chapter.source, chapter.body_line, problems, figures, written)
        heading = f"# {french_markdown(chapter.title)}" + ("" if chapter.numbered else " {.unnumbered}")
        written[chapter.name] = f"{heading}\n\n{body}"
    for path in sorted(config.content_path.rglob("*")):
        rel = path.relative_to(config.content_path).as_posix()
        if not path.is_file() or rel.startswith("_freeze/") or rel in written or rel == "attention.yaml":
            continue
        if path.suffix in (".md", ".qmd") and not path.name.startswith("_"):
            continue  # unlisted or draft chapter
        outside = link_outside(path, config.content_path, f"{config.content_dir}/{rel}")
        if outside is not None:
            problems.add(outside)
            continue
        written[rel] = path.read_bytes()
    index = [f"# {config.title} {{.unnumbered}}", ""]
    index += [line for line in (config.subtitle, config.description) if line]
    written["index.md"] = "\n\n".join(index) + "\n"
    written["_quarto.yml"] = project_yaml(config, [c.name for c in chapters])
    if problems.errors:
        return []
    try:
        _write_book(dest, written, problems)
    except OSError as exc:
        error = os_problem(exc, root, shown)
        where = f" : « {error.path} »" if error.path != shown else ""
        problems.error(shown, 0, f"export-quarto : {error.message}{where}", error.hint)
        return []
    return sorted(written)


def _write_book(dest: Path, files: dict[str, str | bytes], problems: Problems) -> None:
    """Write the book into a folder beside ``dest``, then swap it in: an error leaves the previous export as it was."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.export-", dir=dest.parent))
    try:
        for rel, data in files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        previous = swap(staging, dest, dest.parent / f".{dest.name}.export-ancien-{os.getpid()}", remove=False)
    except OSError as exc:  # named as the file of the export it was to be, not the temporary folder
        name = Path(exc.filename) if exc.filename else None
        if name is not None and name.is_relative_to(staging):
            name = dest / name.relative_to(staging)
        raise OSError(exc.errno, exc.strerror, str(name) if name else None) from None
    finally:
        if staging.exists():
            remove_tree(staging)
    if previous is not None and not remove_tree(previous):
        problems.warn(str(previous), 0, "export-quarto : impossible de supprimer l'export précédent",
                      "supprimez ce dossier à la main (chmod -R u+w puis rm -r)")


def project_yaml(config, chapter_names: list[str]) -> str:
    book: dict[str, Any] = {"title": config.title}
    if config.subtitle:
        book["subtitle"] = config.subtitle
    book["author"] = config.author
    if config.date:
        book["date"] = config.date.isoformat()
    book["output-file"] = OUTPUT_FILE
    book["chapters"] = ["index.md", *chapter_names]
    data = {
        "project": {"type": "book", "output-dir": "_book"},
        "book": book,
        "lang": "fr",
        "number-depth": 3,
        "format": {"html": {"toc": True}, "typst": {"toc": True},
                   "epub": {"toc": True}},
    }
    return f"{EXPORT_MARKER} : ne pas modifier à la main.\n" + yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, default_flow_style=False)


def _quarto_body(body: str, source: str, body_line: int, problems: Problems, figures,
                 written: dict[str, str | bytes]) -> str:
    """The chapter body as Quarto should read it: cells shown, not run; attention figures as SVG images."""
    body = _CELL_FENCE.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3).lower()}", body)
    body = _QUIZ_BLOCK.sub(_quiz_for_print, body)
    lines = body.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not _ATTENTION_DIV.match(line):
            out.append(line)
            i += 1
            continue
        start, end = i, i + 1
        while end < len(lines) and not re.match(r"^:::+\s*$", lines[end]):
            end += 1
        caption = " ".join(part.strip() for part in lines[start + 1:end] if part.strip())
        attrs = div_attrs(line.lstrip(":").strip()) or {}
        name = attrs.get("data", "")
        where = f"{source}:{body_line + start}"
        try:
            resolved = figures.resolve(attrs, problems)
            if resolved is None:  # invalid frozen file, already reported at the JSON file
                i = end + 1
                continue
            spec, data, layer, head = resolved
            svg, shown = static_svg(data, spec, layer=layer, head=head)
        except UserError as exc:
            problems.error(source, body_line + start, f"export-quarto : {exc.message}",
                           exc.hint or f"corrigez la figure ({where})")
            i = end + 1
            continue
        file_name = f"figures/{name}" + (f"-c{layer}t{head}" if layer else "") + ".svg"
        written[file_name] = svg
        out.append(f"![{caption} ({shown}.)]({file_name})" + (f"{{#{attrs['id']}}}" if "id" in attrs else ""))
        i = end + 1
    return "\n".join(out)


def _quiz_for_print(match: re.Match[str]) -> str:
    """A quiz for Quarto's PDF/EPUB: the choices without their ticks, the answer in a folded callout."""
    question: list[str] = []
    choices: list[str] = []
    right: list[str] = []
    explanation: list[str] = []
    for line in match.group(2).rstrip("\n").split("\n"):
        item = _QUIZ_ITEM.match(line)
        if item:
            mark, text = item.groups()
            if mark != "=":
                choices.append(f"- {text}")
            if mark in "xX=":
                right.append(text)
        elif choices or right:
            explanation.append(line)
        else:
            question.append(line)
    answer = "Réponse : " + " ; ".join(right) + "."
    rest = "\n".join(explanation).strip()
    return ("\n".join(question).rstrip() + "\n\n" + "\n".join(choices) + "\n\n"
            f'::: {{.callout-tip collapse="true" title="{ANSWER_TITLE}"}}\n{answer}\n\n{rest}\n:::')
