"""Markdown in the titles of real Quarto projects: how many page and section titles hold Markdown, and how
much Markdown punctuation the site would print literally before and after parsing them.

    .venv/bin/python benchmarks/quarto_titles.py PROJECT_FOLDER...

Each folder is a Quarto project copied under the git-ignored ``benchmarks/_work/`` (never committed). The title
of a page is its ``title:`` or else its first ``#`` heading (Quarto's rule); section titles are its ``##``-``######``
headings outside code blocks. "before" is the title as text (what the site printed); "after" is the text of
``<title>`` and the HTML of the sidebar with its tags removed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coursegen.errors import Problems  # noqa: E402
from coursegen.markdown.parse import parse_inline  # noqa: E402
from coursegen.text import french  # noqa: E402

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(\{[^{}]*\})?\s*$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_PUNCTUATION = re.compile(r"`|\*\*|\]\(|(?<!\w)_\w")


def titles(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    found: list[str] = []
    body = text
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        meta, body = text[4:end], text[end + 4:]
        title = re.search(r"^title:\s*[\"']?(.*?)[\"']?\s*$", meta, re.M)
        if title:
            found.append(title.group(1))
    fence = ""
    for line in body.split("\n"):
        opener = _FENCE.match(line)
        if opener and (not fence or opener.group(1)[0] == fence[0]):
            fence = "" if fence else opener.group(1)
            continue
        match = None if fence else _HEADING.match(line)
        if match:
            found.append(match.group(2))
    return found


def main(folders: list[str]) -> None:
    for folder in folders:
        pages = [p for p in sorted(Path(folder).rglob("*.qmd")) if "_extensions" not in p.parts]
        all_titles = [(p, t) for p in pages for t in titles(p)]
        with_markdown = [(p, t) for p, t in all_titles if _PUNCTUATION.search(t)]
        before = sum(len(_PUNCTUATION.findall(french(t))) for _, t in all_titles)
        after_text = after_html = 0
        for _, t in all_titles:
            parsed = parse_inline(t, "", 0, Problems())
            after_text += len(_PUNCTUATION.findall(parsed.text))
            after_html += len(_PUNCTUATION.findall(re.sub(r"<[^>]+>", "", parsed.html)))
        print(f"{Path(folder).name}: {len(pages)} pages, {len(all_titles)} titres, {len(with_markdown)} avec du "
              f"Markdown sur {len({p for p, _ in with_markdown})} pages ; ponctuation Markdown affichée : "
              f"avant {before}, après {after_text} (texte) / {after_html} (HTML)")


if __name__ == "__main__":
    main(sys.argv[1:])
