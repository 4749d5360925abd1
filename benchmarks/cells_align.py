"""How long aligning a page with Quarto's executed page takes (``coursegen.markdown.executed.align``), on a
realistic page and on pages built to be the worst case of a line-by-line diff (lines repeated many times).

    .venv/bin/python benchmarks/cells_align.py

Prints seconds per case; a plain ``difflib.SequenceMatcher`` took 122 s on the second case and 153 s on the
third (quadratic in repeated lines), which is why the alignment anchors on lines found once in each text.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coursegen.markdown.executed import align  # noqa: E402


def realistic(cells: int) -> tuple[list[str], list[tuple[int, int, str]], str]:
    """A page of paragraphs and R cells, half of them ``echo: false``, and the page knitr would write."""
    src: list[str] = []
    frz: list[str] = []
    spans = []
    for i in range(cells):
        src += [f"Paragraphe {i} avec du texte.", "", "```{r}", "#| echo: false" if i % 2 else "", f"x{i} <- {i}",
                "```", ""]
        spans.append((len(src) - 5, len(src) - 2, "" if i % 2 else f"x{i} <- {i}"))
        code = [] if i % 2 else ["```{.r .cell-code}", f"x{i} <- {i}", "```"]
        frz += [f"Paragraphe {i} avec du texte.", "", "::: {.cell}", *code, "::: {.cell-output .cell-output-stdout}",
                "```", f"[1] {i}", "```", ":::", ":::", ""]
    return src, spans, "\n".join(frz)


def main() -> None:
    src, spans, executed = realistic(3000)
    start = time.perf_counter()
    result = align(src, spans, executed)
    print(f"page réaliste : {len(src)} lignes, {len(result.cells)}/3000 cellules appariées, "
          f"{time.perf_counter() - start:.2f} s")
    for lines, distinct in ((20000, 1), (20000, 150), (50000, 600), (100000, 100000)):
        src = [f"ligne {i % distinct}" for i in range(lines)]
        executed = "\n".join(f"ligne {(i * 7) % distinct}" for i in range(lines))
        start = time.perf_counter()
        align(src, [], executed)
        print(f"{lines} lignes, {distinct} distinctes : {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
