"""Leak scanner: Quarto syntax left as text in a built site, where a reader would see it.

    python tests/leaks.py SITE_FOLDER        # prints the leaks by construct, exits 1 if any

Scans every ``.html`` page's visible text (scripts, styles and the search UI aside): ``:::`` fences,
``{{<`` shortcodes, ``#|`` cell options (in prose, and at the start of a line in a code block that is not a
Markdown example), ``{r`` cell headers, ``@sec-``/``@fig-``… cross-references, raw ``$$``, ``[@…]``
citations, inline `` `r …` `` shown as code, and Markdown punctuation (backticks, ``**``, ``_x_``) in
titles: ``<title>``, headings, navigation links and the page's metadata. A code example may show any of it
on purpose: code blocks and inline code are not prose (except the two cell leaks above).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

PROSE = {
    "div :::": re.compile(r"(?<!:):::"),
    "shortcode {{<": re.compile(r"\{\{<"),
    "options #|": re.compile(r"(?m)^\s*#\|"),
    "cellule {r": re.compile(r"\{(?:r|python|julia)[\s,}]"),
    "référence @sec-/@fig-": re.compile(r"(?<![\w.])@(?:sec|fig|tbl|eq)-"),
    "math $$": re.compile(r"\$\$"),
    "citation [@…]": re.compile(r"\[-?@[\w{]"),
    "attributs {#…}": re.compile(r"\{[#.][A-Za-z][^{}]*\}"),
}
TITLE = re.compile(r"`|\*\*|__|(?<![\w*])\*[^\s*][^*]*\*(?![\w*])|(?<!\w)_[^\s_][^_]*_(?!\w)")
CODE_OPTIONS = re.compile(r"(?m)^[ \t]*#\|")
INLINE_CELL = re.compile(r"^(?:r|\{r\}|\{python\})\s")
MARKDOWN_LANGS = {"markdown", "md", "qmd", "quarto", "rmarkdown", "rmd"}
HIDDEN = {"script", "style", "template", "noscript"}
TITLED = {"title", "h1", "h2", "h3", "h4", "h5", "h6"}


@dataclass(frozen=True)
class Leak:
    page: str
    construct: str
    excerpt: str


class _Page(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.leaks: list[Leak] = []
        self.stack: list[tuple[str, dict]] = []
        self.text: list[str] = []  # the parser may cut a run of text (at a lone « < »): read it whole

    def flush(self) -> None:
        data, self.text = "".join(self.text), []
        if data:
            self._text(data)

    def _inside(self, *tags: str) -> dict | None:
        return next((attrs for tag, attrs in reversed(self.stack) if tag in tags), None)

    def handle_starttag(self, tag, attrs):
        self.flush()
        attrs = {k: v or "" for k, v in attrs}
        if tag == "meta" and attrs.get("property", attrs.get("name", "")) in ("og:title", "twitter:title"):
            self._title(attrs.get("content", ""), "les métadonnées")
        if tag not in ("meta", "link", "img", "br", "hr", "input", "source", "wbr", "col", "area", "base"):
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        self.flush()
        for k in range(len(self.stack) - 1, -1, -1):
            if self.stack[k][0] == tag:
                del self.stack[k:]
                return

    def handle_data(self, data):
        self.text.append(data)

    def _text(self, data: str) -> None:
        if not data.strip() or self._inside(*HIDDEN) is not None:
            return
        pre = self._inside("pre")
        code = self._inside("code")
        if pre is not None:
            classes = (pre.get("class", "") + " " + (code or {}).get("class", "")).lower()
            example = data.lstrip().startswith(("```", "~~~"))  # a block that shows a whole cell, fence included
            if not example and not any(lang in classes.replace("language-", " ").split() for lang in MARKDOWN_LANGS) \
                    and CODE_OPTIONS.search(data):
                self._add("options #|", data)
            return
        if code is not None:
            if INLINE_CELL.match(data):
                self._add("code en ligne `r`", data)
            return
        for construct, pattern in PROSE.items():
            if pattern.search(data):
                self._add(construct, data)
        if self._inside(*TITLED) is not None or (self._inside("a") is not None and self._inside("nav") is not None):
            self._title(data, "un titre")

    def _title(self, text: str, where: str) -> None:
        if TITLE.search(text):
            self._add(f"Markdown dans {where}", text)

    def _add(self, construct: str, text: str) -> None:
        self.leaks.append(Leak(self.page, construct, " ".join(text.split())[:80]))


def scan_page(html: str, page: str = "") -> list[Leak]:
    parser = _Page(page)
    parser.feed(html)
    parser.close()
    parser.flush()
    return parser.leaks


def scan_site(folder: Path) -> list[Leak]:
    """Every leak of every page below ``folder`` (the search UI's own files aside), in a stable order."""
    leaks: list[Leak] = []
    for path in sorted(folder.rglob("*.html")):
        rel = path.relative_to(folder).as_posix()
        if not rel.startswith(("pagefind/", "static/")):
            leaks += scan_page(path.read_text(encoding="utf-8", errors="replace"), rel)
    return leaks


def by_construct(leaks: list[Leak]) -> Counter[str]:
    return Counter(leak.construct for leak in leaks)


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage : python tests/leaks.py DOSSIER_DU_SITE", file=sys.stderr)
        return 2
    leaks = scan_site(Path(argv[0]))
    for construct, n in sorted(by_construct(leaks).items()):
        first = next(leak for leak in leaks if leak.construct == construct)
        print(f"{construct} : {n} (par exemple {first.page} : « {first.excerpt} »)")
    print(f"Fuites : {len(leaks)}.")
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
