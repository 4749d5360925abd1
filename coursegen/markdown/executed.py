"""Reading the executed page of Quarto's freeze: where its cells are (``::: {.cell}`` divs, as knitr and Jupyter
write them), what each holds (code, text streams, displayed Markdown), and which cell and which line of the
executed page answer each cell and line of the source.

The source stays the reference for the prose (it may have been edited since the freeze); the executed page
gives only what running it added: cell outputs and the values of inline expressions. The two are aligned line
by line (each cell reduced to one marker named by its first line of code), so that a cell Quarto left out
(``include: false``) or a paragraph edited since does not shift the cells after it. The alignment is a
patience diff: lines found once in each text anchor it, in O(n log n); only the short stretches between two
anchors go through ``difflib``, whose cost grows with the square of what it compares.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections import Counter
from dataclasses import dataclass

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_DIV_OPEN = re.compile(r"^ {0,3}(:{3,})\s*(\{.*\}|[\w-]+)\s*$")
_DIV_CLOSE = re.compile(r"^ {0,3}:{3,}\s*$")
_CELL_CLASS = re.compile(r"(?:^|[\s{])\.cell(?=[\s}])")
_OUTPUT_CLASS = re.compile(r"\.cell-output-(stdout|stderr|error|display)\b")
CELL = "\0cell:"  # a cell, as the alignment sees it (followed by its ``code_key``)


@dataclass(frozen=True)
class Part:
    """One piece of an executed cell: its code, a text stream, or Markdown to show as it is."""

    kind: str   # "code" | "stdout" | "stderr" | "error" | "markdown"
    text: str
    info: str = ""  # the code fence's attributes (``{.r .cell-code code-fold="true"}``)


@dataclass(frozen=True)
class ExecutedCell:
    attrs: str            # the cell div's attributes (``{#fig-x .cell}``)
    parts: tuple[Part, ...]


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(fence) and set(stripped) == {fence[0]}


def blocks(lines: list[str]) -> list[tuple[int, int, str]]:
    """The outermost divs whose class is ``.cell``: (first line, last line, attributes)."""
    out: list[tuple[int, int, str]] = []
    fence = ""
    depth = cell_depth = 0
    start, attrs = -1, ""
    for i, line in enumerate(lines):
        if fence:
            if _closes(line, fence):
                fence = ""
            continue
        match = _FENCE.match(line)
        if match and not ("`" in match.group(2) and match.group(1)[0] == "`"):
            fence = match.group(1)
            continue
        opening = _DIV_OPEN.match(line)
        if opening:
            depth += 1
            if start < 0 and _CELL_CLASS.search(opening.group(2)):
                start, attrs, cell_depth = i, opening.group(2), depth
        elif _DIV_CLOSE.match(line) and depth:
            if start >= 0 and depth == cell_depth:
                out.append((start, i, attrs))
                start = -1
            depth -= 1
    return out


def read_cell(attrs: str, lines: list[str]) -> ExecutedCell:
    """The parts of one executed cell (``lines``: between its div's fences)."""
    parts: list[Part] = []
    pending: list[str] = []

    def flush() -> None:
        text = "\n".join(pending).strip("\n")
        if text.strip():
            parts.append(Part("markdown", text))
        pending.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        opening = _DIV_OPEN.match(line)
        if fence and ".cell-code" in fence.group(2):
            end = _fence_end(lines, i, fence.group(1))
            flush()
            parts.append(Part("code", "\n".join(lines[i + 1:end]), fence.group(2).strip()))
            i = end + 1
            continue
        if opening and (kind := _OUTPUT_CLASS.search(opening.group(2))):
            end = _div_end(lines, i)
            inner = lines[i + 1:end]
            flush()
            stream = _only_fence(inner)
            if kind.group(1) != "display" and stream is not None:
                parts.append(Part(kind.group(1), stream))
            else:
                pending.extend(inner)
                flush()
            i = end + 1
            continue
        pending.append(line)
        i += 1
    flush()
    return ExecutedCell(attrs, tuple(parts))


def _fence_end(lines: list[str], start: int, fence: str) -> int:
    for j in range(start + 1, len(lines)):
        if _closes(lines[j], fence):
            return j
    return len(lines)


def _div_end(lines: list[str], start: int) -> int:
    depth, fence = 0, ""
    for j in range(start, len(lines)):
        line = lines[j]
        if fence:
            fence = "" if _closes(line, fence) else fence
            continue
        match = _FENCE.match(line)
        if match:
            fence = match.group(1)
        elif _DIV_OPEN.match(line):
            depth += 1
        elif _DIV_CLOSE.match(line):
            depth -= 1
            if depth == 0:
                return j
    return len(lines)


def _only_fence(lines: list[str]) -> str | None:
    """The text of a block that is one plain code fence and nothing else (a stream's output), else None."""
    body = [line for line in lines if line.strip()]
    if len(body) >= 2 and (fence := _FENCE.match(body[0])) and _closes(body[-1], fence.group(1)):
        first = lines.index(body[0])
        last = len(lines) - 1 - lines[::-1].index(body[-1])
        return "\n".join(lines[first + 1:last])
    return None


@dataclass(frozen=True)
class Alignment:
    cells: dict[int, ExecutedCell]   # source cell index -> its executed cell
    lines: dict[int, str]            # source line -> the executed page's line in its place (when it differs)


def code_key(code: str) -> str:
    """What identifies a cell in both texts: its first line of code (knitr may add outputs after it)."""
    return next((line.rstrip() for line in code.split("\n") if line.strip()), "")


def align(source: list[str], source_cells: list[tuple[int, int, str]], executed: str) -> Alignment:
    """Which executed cell and line answer each source cell (by index) and each edited source line.
    ``source_cells``: (first line, last line, ``code_key`` of the code it shows, "" if it shows none)."""
    frozen = executed.split("\n")
    found = blocks(frozen)
    frozen_cells = [read_cell(attrs, frozen[a + 1:b]) for a, b, attrs in found]
    keys = [code_key(next((p.text for p in cell.parts if p.kind == "code"), "")) for cell in frozen_cells]
    src_items, src_where = _items(source, [(a, b) for a, b, _ in source_cells], [k for _, _, k in source_cells])
    frz_items, frz_where = _items(frozen, [(a, b) for a, b, _ in found], keys)
    cells: dict[int, ExecutedCell] = {}
    lines: dict[int, str] = {}

    def pair_cells(i1: int, i2: int, j1: int, j2: int) -> None:
        src = [src_where[k] for k in range(i1, i2) if src_items[k].startswith(CELL)]
        frz = [frz_where[k] for k in range(j1, j2) if frz_items[k].startswith(CELL)]
        for s, f in zip(src, frz) if len(src) == len(frz) else ():
            cells[s] = frozen_cells[f]
        alone = all(src_items[k].startswith(CELL) for k in range(i1, i2))
        if len(src) == 1 and alone and not frz and j2 > j1:  # output written without a cell div (``output: asis``)
            text = "\n".join(frozen[frz_where[j1]:frz_where[j2 - 1] + 1])
            cells[src[0]] = ExecutedCell("", (Part("markdown", text),))

    for tag, i1, i2, j1, j2 in _opcodes(src_items, frz_items):
        if tag in ("equal", "replace"):
            pair_cells(i1, i2, j1, j2)
        if tag == "replace":
            src_text = [k for k in range(i1, i2) if not src_items[k].startswith(CELL)]
            frz_text = [k for k in range(j1, j2) if not frz_items[k].startswith(CELL)]
            if len(src_text) == len(frz_text):
                for s, f in zip(src_text, frz_text):
                    lines[src_where[s]] = frz_items[f]
    return Alignment(cells, lines)


def _items(lines: list[str], cells: list[tuple[int, int]], keys: list[str]) -> tuple[list[str], list[int]]:
    """The non-blank lines outside cells, each cell as one ``CELL`` marker with its key; and where each item
    comes from (a line number, or the cell's index for a marker)."""
    items: list[str] = []
    where: list[int] = []
    starts = {a: (k, b) for k, (a, b) in enumerate(cells)}
    i = 0
    while i < len(lines):
        if i in starts:
            k, end = starts[i]
            items.append(CELL + keys[k])
            where.append(k)
            i = end + 1
            continue
        if lines[i].strip():
            items.append(lines[i].rstrip())
            where.append(i)
        i += 1
    return items, where


MAX_COMPARED = 40_000  # items of one stretch times items of the other, past which difflib is not asked


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """``difflib.SequenceMatcher.get_opcodes`` in O(n log n): anchored on the items found once in ``a`` and
    once in ``b`` (their longest run in the same order), the stretches between anchors compared by difflib when
    short, else taken as one replaced stretch."""
    count_a, count_b = Counter(a), Counter(b)
    where_b = {item: j for j, item in enumerate(b) if count_b[item] == 1}
    pairs = [(i, where_b[item]) for i, item in enumerate(a) if count_a[item] == 1 and item in where_b]
    ops: list[tuple[str, int, int, int, int]] = []
    i0 = j0 = 0
    for i, j in _increasing(pairs) + [(len(a), len(b))]:
        ops += _stretch(a, b, i0, i, j0, j)
        if i < len(a):
            ops.append(("equal", i, i + 1, j, j + 1))
        i0, j0 = i + 1, j + 1
    return ops


def _stretch(a: list[str], b: list[str], i1: int, i2: int, j1: int, j2: int) -> list[tuple[str, int, int, int, int]]:
    if i1 == i2 and j1 == j2:
        return []
    if (i2 - i1) * (j2 - j1) > MAX_COMPARED:
        return [("replace", i1, i2, j1, j2)]
    matcher = difflib.SequenceMatcher(None, a[i1:i2], b[j1:j2], autojunk=False)
    return [(tag, x1 + i1, x2 + i1, y1 + j1, y2 + j1) for tag, x1, x2, y1, y2 in matcher.get_opcodes()]


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of ``pairs`` (sorted by their first item) whose second items increase too."""
    tails: list[int] = []       # smallest last second item of a run of each length
    tail_index: list[int] = []  # which pair ends it
    previous = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        n = bisect.bisect_left(tails, j)
        if n == len(tails):
            tails.append(j)
            tail_index.append(k)
        else:
            tails[n], tail_index[n] = j, k
        previous[k] = tail_index[n - 1] if n else -1
    run: list[tuple[int, int]] = []
    k = tail_index[-1] if tail_index else -1
    while k >= 0:
        run.append(pairs[k])
        k = previous[k]
    return run[::-1]
