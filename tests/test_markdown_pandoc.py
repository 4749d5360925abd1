"""Pandoc as the reference: the block structure this tool parses from each Quarto fixture page (our own
writing, tests/fixtures/quarto/) equals what ``pandoc -f markdown -t json`` (the pinned pypandoc-binary wheel,
Quarto's own parser) reads, except for the documented differences in ``EXCEPTIONS``.

Compared, in reading order: headings (level and explicit id), code blocks (language), raw blocks (format),
divs (id, classes and number of blocks inside), lists (kind and number of items), tables (columns, body rows, caption id) and figures
(id). Executable cells are first given to Pandoc as Quarto's engine gives them (``{r label, echo=FALSE}`` →
a ``r`` code block): plain Pandoc reads ``{r}`` as inline code, Quarto never lets it.

    python tests/test_markdown_pandoc.py     # prints the agreement figures
"""

from __future__ import annotations

import difflib
import json
import re
import subprocess
import sys
from pathlib import Path

if __name__ == "__main__":  # run as a script from the repository
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coursegen.errors import Problems  # noqa: E402
from coursegen.markdown.parse import parse_page  # noqa: E402
from coursegen.pandoc import pandoc_binary  # noqa: E402
from coursegen.source.chapters import Chapter  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "quarto"
PAGES = sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*.md"))
OTHER_BRANCH = "en cours (autre branche)"

# (page, side whose block has no match — "atelier" or "pandoc" —, block, reason). A difference not listed
# fails the test, and so does an entry that no longer matches anything (the list stays true).
EXCEPTIONS = [
    ("constructs/content/02-blocs.md", "atelier", ("code", "=html"),
     f"{OTHER_BRANCH} (q-constructs) : bloc brut {{=html}} lu comme du code"),
    ("constructs/content/02-blocs.md", "pandoc", ("brut", "html"),
     f"{OTHER_BRANCH} (q-constructs) : le même bloc, brut pour Pandoc"),
    ("constructs/content/02-blocs.md", "atelier", ("div", "", ("callout-warning",), 1),
     f"{OTHER_BRANCH} (q-constructs) : « :::: » dans « ::: » : sa clôture ferme aussi le bloc extérieur, "
     "dont la suite sort (règle de Pandoc : elle ne ferme que le bloc intérieur)"),
    ("constructs/content/02-blocs.md", "pandoc", ("div", "", ("callout-warning",), 2),
     f"{OTHER_BRANCH} (q-constructs) : le même encadré, avec ses deux blocs pour Pandoc"),
]


def body_of(text: str) -> tuple[str, int]:
    """The page's Markdown after its front matter, and the line where it starts."""
    match = re.match(r"---\n.*?\n(?:---|\.\.\.)[ \t]*\n", text, re.S)
    return (text[match.end():], text[:match.end()].count("\n") + 1) if match else (text, 1)


def fence_language(info: str) -> str:
    """The language the page renderer gives a fence (``pages.html._fence``)."""
    lang = info.strip().split()[0] if info.strip() else ""
    if lang.startswith("{") and lang.endswith("}"):
        lang = lang[1:-1].split(",")[0].strip()
    return lang.lower()


def atelier_blocks(body: str) -> list[tuple]:
    chapter = Chapter("page.md", "page.md", "page", "Page", "", True, False, body, 1)
    tokens = parse_page(chapter, Problems()).tokens
    out: list[tuple] = []
    skip_until = -1
    for i, tok in enumerate(tokens):
        if i < skip_until:
            continue
        if tok.type == "heading_open":
            out.append(("titre", int(tok.tag[1]), tok.meta.get("attrs", {}).get("id", "")))
        elif tok.type in ("cell_open", "cell_hidden"):  # a cell: the code block Quarto's engine hands Pandoc
            out.append(("code", tok.meta["lang"].lower()))
            if tok.type == "cell_open":
                skip_until = next(j for j in range(i, len(tokens))
                                  if tokens[j].type == "cell_close" and tokens[j].level == tok.level)
        elif tok.type == "fence":
            out.append(("code", fence_language(tok.info)))
        elif tok.type == "code_block":
            out.append(("code", ""))
        elif tok.type == "container_div_open":
            attrs = tok.meta.get("attrs", {})
            children = 0
            for later in tokens[i + 1:]:
                if later.level == tok.level and later.type == "container_div_close":
                    break
                children += later.level == tok.level + 1 and later.nesting != -1
            out.append(("div", attrs.get("id", ""), tuple(sorted(attrs.get("class", "").split())), children))
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            items = 0
            for later in tokens[i + 1:]:
                if later.level == tok.level and later.type == tok.type.replace("_open", "_close"):
                    break
                items += later.type == "list_item_open" and later.level == tok.level + 1
            out.append(("liste", "puces" if tok.type.startswith("bullet") else "numérotée", items))
        elif tok.type == "table_open":
            end = next(j for j in range(i, len(tokens)) if tokens[j].type == "table_close")
            cols = sum(1 for t in tokens[i:end] if t.type == "th_open")
            rows = sum(1 for t in tokens[i:end] if t.type == "tr_open") - 1
            out.append(("tableau", cols, rows, tok.meta.get("caption_id", "")))
            skip_until = end
        elif tok.type == "paragraph_open" and tok.meta.get("figure"):
            image = next(c for c in tokens[i + 1].children if c.type == "image")
            out.append(("figure", str(image.attrGet("id") or "")))
    return out


def quarto_input(body: str) -> str:
    """What Quarto's engine hands Pandoc for a cell: a code block in the cell's language."""
    return re.sub(r"(?m)^(\s*`{3,})\{([A-Za-z][\w-]*)[^}\n]*\}[ \t]*$", r"\1\2", body)


def pandoc_blocks(body: str) -> list[tuple]:
    done = subprocess.run([str(pandoc_binary()), "--sandbox", "-f", "markdown-auto_identifiers", "-t", "json"],
                          input=quarto_input(body).encode("utf-8"), capture_output=True, check=True)
    out: list[tuple] = []
    _walk(json.loads(done.stdout)["blocks"], out)
    return out


def _walk(blocks: list, out: list[tuple]) -> None:
    for block in blocks:
        kind, c = block["t"], block.get("c")
        if kind == "Header":
            out.append(("titre", c[0], c[1][0]))
        elif kind == "CodeBlock":
            out.append(("code", (c[0][1][0] if c[0][1] else "").lower()))
        elif kind == "RawBlock":
            out.append(("brut", c[0]))
        elif kind == "Div":
            out.append(("div", c[0][0], tuple(sorted(c[0][1])), len(c[1])))
            _walk(c[1], out)
        elif kind in ("BulletList", "OrderedList"):
            items = c if kind == "BulletList" else c[1]
            out.append(("liste", "puces" if kind == "BulletList" else "numérotée", len(items)))
            for item in items:
                _walk(item, out)
        elif kind == "BlockQuote":
            _walk(c, out)
        elif kind == "Table":
            attr, _caption, colspecs, _head, bodies, _foot = c
            rows = sum(len(b[2]) + len(b[3]) for b in bodies)
            out.append(("tableau", len(colspecs), rows, attr[0]))
        elif kind == "Figure":
            out.append(("figure", c[0][0]))


def compare(page: str) -> tuple[int, int, list[tuple]]:
    """(blocks compared, blocks equal, differences as (page, side, block)) for one fixture page."""
    body, _ = body_of((FIXTURES / page).read_text(encoding="utf-8"))
    ours, theirs = atelier_blocks(body), pandoc_blocks(body)
    matcher = difflib.SequenceMatcher(a=ours, b=theirs, autojunk=False)
    equal = sum(block.size for block in matcher.get_matching_blocks())
    differences = []
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag != "equal":
            differences += [(page, "atelier", block) for block in ours[a0:a1]]
            differences += [(page, "pandoc", block) for block in theirs[b0:b1]]
    return max(len(ours), len(theirs)), equal, differences


def agreement() -> tuple[int, int, list[tuple]]:
    compared = equal = 0
    differences: list[tuple] = []
    for page in PAGES:
        n, same, diff = compare(page)
        compared, equal, differences = compared + n, equal + same, differences + diff
    return compared, equal, differences


def test_block_structure_agrees_with_pandoc():
    compared, equal, differences = agreement()
    documented = [(page, side, block) for page, side, block, _ in EXCEPTIONS]
    assert [d for d in differences if d not in documented] == []   # a new difference: fix it or document it
    assert [d for d in documented if d not in differences] == []   # an exception that no longer happens
    assert compared >= 40 and equal == compared - len(EXCEPTIONS) // 2  # each exception pairs a block with its twin


def test_every_construct_of_the_fixtures_is_compared():
    kinds = {block[0] for page in PAGES for block in pandoc_blocks(body_of((FIXTURES / page).read_text())[0])}
    assert kinds >= {"titre", "code", "brut", "div", "liste", "tableau", "figure"}


def test_a_difference_is_seen():
    assert atelier_blocks("## A {#sec-a}\n\n- x\n") == [("titre", 2, "sec-a"), ("liste", "puces", 1)]
    assert pandoc_blocks("## A {#sec-a}\n\n- x\n- y\n") == [("titre", 2, "sec-a"), ("liste", "puces", 2)]


if __name__ == "__main__":
    total, same, diffs = agreement()
    print(f"pages : {len(PAGES)} ; blocs comparés : {total} ; identiques : {same} ; "
          f"différences documentées : {len(diffs)} ({len(EXCEPTIONS)} exceptions listées)")
    for page, side, block in diffs:
        print(f"  {page} [{side}] {block}")
