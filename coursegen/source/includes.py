"""Quarto includes and value shortcodes, before parsing.

:func:`expand_includes` replaces ``{{< include _file.md >}}`` (alone on its line, relative to the including
file's folder, as in Quarto) by the file's text, and ``{{< var >}}`` / ``{{< meta >}}`` by their values
(``source.values``); the other shortcodes are left for the parser (``markdown.shortcodes``). A
:class:`SourceMap` remembers where every line of the expanded body came from, so that
:meth:`SourceMap.place` points each problem found later into the right file and line.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from ..errors import Problems, SiteError
from ..yamlfile import MAX_SOURCE_BYTES, decode_source, too_large
from .chapters import Chapter
from .values import NO_VALUES, ProjectValues, replace_values

# Replaces the value shortcodes of one line: (text, file, line) -> text.
Values = Callable[[str, str, int], str]

# A shortcode runs to the first ``>}}`` after its name; ``_drop_includes`` searches only up to the last
# ``>}}`` of the line, so that no opener reads to the end of the line in vain (quadratic on many openers).
_SHORTCODE = re.compile(r"\{\{<\s*([A-Za-z][\w-]*)(.*?)>\}\}", re.DOTALL)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADER = re.compile(r"---[ \t]*\n(?:.*\n)*?(?:---|\.\.\.)[ \t]*(?:\n|\Z)")
_BACKTICKS = re.compile(r"`+")

INCLUDE_HINT = "les fichiers inclus se placent dans le projet, par exemple content/_partie.md"
# Bounds on what includes may cost: a file included twice by a file included twice… doubles at each level.
MAX_EXPANDED_CHARS = MAX_SOURCE_BYTES  # the expanded chapter, as large as a chapter may be
MAX_INCLUDES = 1000                    # per chapter: each one reads a file
MAX_INCLUDE_DEPTH = 20


@dataclass(frozen=True)
class SourceMap:
    """Where each line of an expanded body comes from: ``lines[i]`` = (file, line) of body line i."""

    source: str
    body_line: int
    lines: tuple[tuple[str, int], ...]

    def locate(self, line: int) -> tuple[str, int]:
        index = line - self.body_line
        if 0 <= index < len(self.lines):
            return self.lines[index]
        return self.source, line

    def place(self, problem: SiteError) -> SiteError:
        """A problem found in the expanded body, at its real file and line (other problems unchanged)."""
        if problem.path != self.source or not problem.line or not self.lines:
            return problem
        path, line = self.locate(problem.line)
        if (path, line) == (problem.path, problem.line):
            return problem
        return SiteError(path, line, problem.message, problem.hint, problem.severity)


def expand_includes(chapter: Chapter, root: Path, problems: Problems,
                    project: ProjectValues = NO_VALUES) -> tuple[Chapter, SourceMap]:
    """The chapter with its includes and value shortcodes expanded (in its title and description too), and
    its source map."""
    if "{{<" not in chapter.body + chapter.title + chapter.description + chapter.subtitle:
        return chapter, SourceMap(chapter.source, chapter.body_line, ())  # nearly every chapter: nothing to do

    def values(text: str, path: str, line: int) -> str:
        return replace_values(text, chapter.meta, project, path, line, problems)
    line = chapter.title_line or 1
    chapter = replace(chapter, title=values(chapter.title, chapter.source, line),
                      description=values(chapter.description, chapter.source, line),
                      subtitle=values(chapter.subtitle, chapter.source, line))
    if "{{<" not in chapter.body:
        return chapter, SourceMap(chapter.source, chapter.body_line, ())
    origin = [(chapter.source, chapter.body_line + i) for i in range(chapter.body.count("\n") + 1)]
    budget = [MAX_EXPANDED_CHARS - len(chapter.body), MAX_INCLUDES]  # characters and includes still allowed
    lines, where = _expand(chapter.body, origin, root, (chapter.source,), problems, budget, values,
                          project.folder or root)
    body = "\n".join(lines)
    return replace(chapter, body=body), SourceMap(chapter.source, chapter.body_line, tuple(where))


def _expand(text: str, origin: list[tuple[str, int]], root: Path, chain: tuple[str, ...],
            problems: Problems, budget: list[int], values: Values,
            top: Path) -> tuple[list[str], list[tuple[str, int]]]:
    out: list[str] = []
    where: list[tuple[str, int]] = []
    fence = ""
    for raw, (path, line) in zip(text.split("\n"), origin):
        opener = _FENCE.match(raw)
        if fence:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence) \
                    and not raw.strip()[len(opener.group(1)):].strip():
                fence = ""
            out.append(values(raw, path, line))  # as in Quarto, values reach into code
            where.append((path, line))
            continue
        if opener:
            fence = opener.group(1)
            out.append(values(raw, path, line))
            where.append((path, line))
            continue
        include = re.fullmatch(r"\s*\{\{<\s*include\s+(\S+?)\s*>\}\}\s*", raw)
        if include:
            sub = _include(include.group(1), path, line, root, chain, problems, budget, values, top)
            lines, origin_lines = sub if sub is not None else ([""], [(path, line)])
            out.extend(lines)
            where.extend(origin_lines)
            continue
        out.append(values(_drop_includes(raw, path, line, problems), path, line))
        where.append((path, line))
    return out, where


def _include(target: str, path: str, line: int, root: Path, chain: tuple[str, ...], problems: Problems,
             budget: list[int], values: Values, top: Path) -> tuple[list[str], list[tuple[str, int]]] | None:
    """The lines of one included file: ``target`` relative to the including file's folder, or, starting with
    « / », to the project's folder (``top``), as in Quarto."""
    target = target.strip("\"'")
    if budget[0] < 0:  # a bound already reached: reported once, where it was reached
        return None
    budget[1] -= 1
    if budget[1] < 0:
        problems.error(path, line, f"inclusion de « {target} » refusée : plus de {MAX_INCLUDES} inclusions dans "
                       "ce chapitre", "regroupez les fichiers inclus ou découpez le chapitre")
        budget[0] = -1
        return None
    file = top / target.lstrip("/") if target.startswith("/") else (root / path).parent / target
    resolved = file.resolve()
    if not resolved.is_relative_to(root.resolve()):
        problems.error(path, line, f"inclusion de « {target} » refusée : le fichier est hors du projet",
                       INCLUDE_HINT)
        return None
    if not file.is_file():
        folder = top.resolve().relative_to(root.resolve()).as_posix() if top.resolve().is_relative_to(root.resolve()) \
            else top.name
        problems.error(path, line, f"fichier inclus « {target} » introuvable",
                       f"un chemin qui commence par « / » part du dossier du projet ({folder}/)"
                       if target.startswith("/") else f"le chemin est relatif au fichier qui l'inclut ({path})")
        return None
    rel = resolved.relative_to(root.resolve()).as_posix()
    if rel in chain:
        cycle = " → ".join(chain + (rel,))
        problems.error(path, line, f"inclusion circulaire : {cycle}", "retirez l'une de ces inclusions")
        return None
    if len(chain) > MAX_INCLUDE_DEPTH:
        problems.error(path, line, f"inclusion de « {target} » refusée : plus de {MAX_INCLUDE_DEPTH} inclusions "
                       "imbriquées", "incluez les fichiers directement depuis le chapitre")
        budget[0] = -1
        return None
    if too_large(file.stat().st_size, rel, problems):
        return None
    text = decode_source(file.read_bytes(), rel, problems)
    if text is None:
        return None
    if text.endswith("\n"):
        text = text[:-1]
    budget[0] -= len(text) + 1
    if budget[0] < 0:
        problems.error(path, line, f"inclusion de « {target} » refusée : avec ses inclusions, le chapitre dépasserait "
                       f"{MAX_EXPANDED_CHARS // 1024 // 1024} Mo", "incluez moins de fichiers ou découpez le chapitre")
        budget[0] = -1
        return None
    first = 1
    header = _HEADER.match(text)
    if header:  # an included page's own front matter is metadata, never text (Pandoc reads it so)
        first += header.group(0).count("\n")
        text = text[header.end():]
    origin = [(rel, first + i) for i in range(text.count("\n") + 1)]
    return _expand(text, origin, root, chain + (rel,), problems, budget, values, top)


def _drop_includes(raw: str, path: str, line: int, problems: Problems) -> str:
    """Remove an include that is not alone on its line (outside code spans), with a warning; the parser reads
    the other shortcodes."""
    if "{{<" not in raw or "include" not in raw:
        return raw
    spans = code_spans(raw)
    starts = [start for start, _ in spans]
    parts: list[str] = []
    last = 0
    for match in _SHORTCODE.finditer(raw, 0, raw.rfind(">}}") + 3):
        at = bisect.bisect_right(starts, match.start()) - 1
        if at >= 0 and match.start() < spans[at][1]:
            continue
        if match.group(1) != "include" or raw[match.start() - 1:match.start()] == "{":  # {{{< include >}}}: escaped
            continue
        problems.warn(path, line, "« {{< include … >}} » doit être seul sur sa ligne : ignoré",
                      "placez l'inclusion sur une ligne à part")
        parts.append(raw[last:match.start()])
        last = match.end()
    parts.append(raw[last:])
    return "".join(parts)


def code_spans(raw: str) -> list[tuple[int, int]]:
    """The code spans of one line, in order: a run of backticks up to the next run of the same length
    (CommonMark's rule), found in one pass over the runs."""
    runs = [m.span() for m in _BACKTICKS.finditer(raw)]
    later: dict[int, list[int]] = {}  # run length -> indexes of the runs of that length, last first
    for index in range(len(runs) - 1, -1, -1):
        start, end = runs[index]
        later.setdefault(end - start, []).append(index)
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(runs):
        start, end = runs[index]
        same = later[end - start]
        while same and same[-1] <= index:
            same.pop()
        if not same:
            index += 1
            continue
        closer = same.pop()
        spans.append((start, runs[closer][1]))
        index = closer + 1
    return spans


def expand_all(chapters: list[Chapter], root: Path, problems: Problems,
               project: ProjectValues = NO_VALUES) -> tuple[list[Chapter], dict[str, SourceMap]]:
    """Every chapter with its includes expanded, and the source map of each (by chapter source path)."""
    expanded, maps = [], {}
    for chapter in chapters:
        chapter, maps[chapter.source] = expand_includes(chapter, root, problems, project)
        expanded.append(chapter)
    return expanded, maps
