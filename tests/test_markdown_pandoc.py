"""markdown.pandoc: fenced divs and code fences read as Pandoc reads them (checked against pandoc itself,
Quarto's own parser), and raw blocks."""

from __future__ import annotations

from dataclasses import replace
import json
import subprocess

import pypandoc
import pytest

from conftest import chapter, tokens_of, warnings
from coursegen.errors import Problems
from coursegen.markdown.parse import parse_page




# --- the same block structure as pandoc -------------------------------------------------------------------

def ours(body: str) -> list:
    """Divs (classes), code blocks (text), paragraphs, headings (level) and lists, as nested lists."""
    root: list = []
    stack = [root]
    for tok in tokens_of(body)[0]:
        if tok.type == "container_div_open":
            node = ["div", tok.info.strip("{} ").split()[0].lstrip("."), []]
            stack[-1].append(node)
            stack.append(node[2])
        elif tok.type in ("bullet_list_open", "ordered_list_open", "list_item_open", "blockquote_open"):
            node = [{"list_item_open": "item", "blockquote_open": "quote"}.get(tok.type, "list"), []]
            stack[-1].append(node)
            stack.append(node[1])
        elif tok.type in ("container_div_close", "bullet_list_close", "ordered_list_close", "list_item_close",
                          "blockquote_close"):
            stack.pop()
        elif tok.type in ("fence", "code_block"):
            stack[-1].append(["code", tok.content.rstrip("\n")])
        elif tok.type == "paragraph_open":
            stack[-1].append(["para"])
        elif tok.type == "heading_open":
            stack[-1].append(["header", int(tok.tag[1])])
    return root


def pandocs(body: str) -> list:
    """The same tree from ``pandoc -f markdown -t json`` (Pandoc is Quarto's own parser)."""
    out = subprocess.run([pypandoc.get_pandoc_path(), "-f", "markdown", "-t", "json"], input=body,
                         capture_output=True, text=True, check=True).stdout

    def blocks(items: list) -> list:
        tree: list = []
        for block in items:
            kind, content = block["t"], block.get("c")
            if kind == "Div":
                tree.append(["div", content[0][1][0], blocks(content[1])])
            elif kind in ("BulletList", "OrderedList"):
                items = content if kind == "BulletList" else content[1]
                tree.append(["list", [["item", blocks(item)] for item in items]])
            elif kind == "BlockQuote":
                tree.append(["quote", blocks(content)])
            elif kind == "CodeBlock":
                tree.append(["code", content[1]])
            elif kind in ("Para", "Plain"):
                tree.append(["para"])
            elif kind == "Header":
                tree.append(["header", content[0]])
        return tree
    return blocks(json.loads(out)["blocks"])


PANDOC_CASES = {
    "inner fence longer than the outer one": "::: {.a}\n:::: {.b}\nintérieur\n::::\nextérieur\n:::\n",
    "outer fence longer (the usual way)": ":::: {.a}\n::: {.b}\nintérieur\n:::\nextérieur\n::::\n",
    "closing fence shorter than its opener": ":::: {.a}\ntexte\n:::\naprès\n",
    "three levels, same length": "::: {.a}\n::: {.b}\n::: {.c}\nx\n:::\n:::\n:::\n",
    "bare name as the attribute": "::: callout-note\ntexte\n:::\n",
    "colons inside a code fence": "::: {.a}\n```\n:::\n```\n:::\n",
    "an indented code block holding colons": "::: {.a}\nTexte.\n\n    ::: {.b}\n    x\n\nSuite.\n:::\n",
    "a div in a block quote": "> ::: {.a}\n> x\n> :::\n",
    "closing colons after the attributes": "::: {.a} :::\nx\n:::\n",
    "a longer code fence holding a shorter one and colons": "::: {.a}\n````\n```\n:::\n```\n````\n:::\n",
    "a paragraph closed by the div's fence": "::: {.a}\npara\n:::\naprès\n",
    "code fence in an ordered list closing less indented": "1. a\n\n   ```r\n   x\n  ```\n\n2. b\n",
    "a div holding a list": "::: {.a}\n- un\n- deux\n:::\n",
    "a div inside a list item": "- élément\n\n  ::: {.a}\n  dedans\n  :::\n\n- suivant\n",
    # InseeFrLab/utilitR, Fiche_comment_choisir_un_package.qmd: the closing fence is one space less indented
    # than the item's text; CommonMark ends the item there and a new fence swallows the rest of the page.
    "closing code fence less indented than the list item": (
        "- on veut tester\nsuite du texte :\n  \n  ``` r\n  is_odd <- function(x) {\n    x %% 2 != 0\n  }\n"
        " ```\n\n- élément suivant\n\n## Section suivante\n\nTexte.\n"),
    "code fence nested deeper in a list": "- a\n    + b\n\n        ```r\n        x\n        ```\n\n    + c\n",
    # hadley/r4ds, data-transform.qmd: exercises « a. » under « 5. », each holding a code cell
    "letter items holding code (fancy_lists)": (
        "5.  Question\n\n    a.  Write\n\n        ```r\n        df\n        ```\n\n    b.  Second\n\nAfter.\n"),
    "roman numerals": "i. un\nii. deux\niii. trois\n",
    "letters in parentheses": "(a) un\n(b) deux\n",
    "a capital letter and one space is text": "A. Dupont est venu.\n",
    "numbered by #.": "#. un\n#. deux\n",
}

FANCY_STYLES = {"LowerAlpha": "a", "UpperAlpha": "A", "LowerRoman": "i", "UpperRoman": "I"}


@pytest.mark.parametrize("name", sorted(PANDOC_CASES))
def test_block_structure_is_pandocs(name):
    body = PANDOC_CASES[name]
    assert ours(body) == pandocs(body)


@pytest.mark.parametrize("body", ["a. un\nb. deux\n", "c) trois\nd) quatre\n", "iv. quatre\nv. cinq\n",
                                  "B.  deux\nC.  trois\n", "3. trois\n4. quatre\n"])
def test_fancy_list_style_and_start_are_pandocs(body):
    tokens = tokens_of(body)[0]
    ol = next(t for t in tokens if t.type == "ordered_list_open")
    out = subprocess.run([pypandoc.get_pandoc_path(), "-f", "markdown", "-t", "json"], input=body,
                         capture_output=True, text=True, check=True).stdout
    start, style, _ = json.loads(out)["blocks"][0]["c"][0]
    assert (ol.attrGet("type"), int(ol.attrGet("start") or 1)) == (FANCY_STYLES.get(style["t"]), start)


def test_unclosed_div_ends_with_the_page_and_is_reported_at_its_line():
    body = "Avant.\n\n::: {.callout-note}\nTexte.\n\nEncore.\n"
    assert ours(body) == pandocs(body)  # Pandoc closes it at the end too ("closing implicitly")
    assert warnings(body) == [(3, "bloc « ::: {.callout-note} » jamais fermé : il s'étend jusqu'à la fin de la "
                                  "page (ou du bloc qui le contient)")]


def test_stray_closing_fence_is_reported_not_shown():
    assert warnings("Texte.\n\n:::\n") == [(3, "« ::: » sans bloc à fermer ou mal formé : ligne retirée de la page")]


def test_a_list_fence_closing_where_commonmark_would_not_leaves_no_warning():
    problems = Problems()
    page = parse_page(chapter(PANDOC_CASES["closing code fence less indented than the list item"]), problems)
    assert problems.items == []
    assert [h.text for h in page.headings] == ["Section suivante"]


def test_unclosed_fence_in_a_list_item_is_reported_at_its_opening_line():
    problems = Problems()
    body = "- élément\n\n  ```r\n  x\n\nTexte hors de la liste.\n"
    parse_page(chapter(body), problems)
    assert [(p.line, p.message.split(" : ")[0]) for p in problems.items] == [
        (6, "bloc de code ouvert par « ``` » jamais fermé")]


# --- raw blocks ---------------------------------------------------------------------------------------------

def test_raw_html_block_becomes_html_and_other_formats_are_dropped_with_a_warning():
    tokens, found = tokens_of("```{=html}\n<b>gras</b>\n```\n\n```{=latex}\n\\newpage\n```\n\n```{=typst}\n#x\n```\n")
    assert [(t.type, t.content, t.meta.get("raw_format")) for t in tokens] == [
        ("html_block", "<b>gras</b>\n", "html"), ("raw_dropped", "", "latex"), ("raw_dropped", "", "typst")]
    assert [(line0 + 1, m.split(" : ")[0]) for line0, m, _ in found] == [
        (5, "bloc brut « {=latex} » retiré de la page"), (9, "bloc brut « {=typst} » retiré de la page")]


def test_raw_inline():
    tokens, found = tokens_of("Une `<kbd>A</kbd>`{=html} touche,\net `\\LaTeX`{=latex} retiré.\n")
    kids = [(c.type, c.content) for c in tokens[1].children]
    assert ("html_inline", "<kbd>A</kbd>") in kids
    assert not any("LaTeX" in content or "{=" in content for _, content in kids)
    assert [(line0 + 1, m.split(" : ")[0]) for line0, m, _ in found] == [
        (2, "texte brut « `\\LaTeX`{=latex} » retiré de la page")]




def test_knitr_header_with_backticks_in_its_options_is_a_cell():
    """knitr reads the chunk before Pandoc: backticks inside ``fig.cap`` do not stop the fence (CommonMark's
    rule would make it inline code, and the cell's code would leak as text)."""
    tokens, found = tokens_of('```{r , fig.cap = "Le modèle `m2`"}\nplot(m2)\n```\n\nTexte.\n')
    assert [t.type for t in tokens][:2] == ["cell_open", "cell_code"] and tokens[1].content == "plot(m2)\n"
    assert found == []
    tokens, _ = tokens_of("``` `x` ```\n")  # not a knitr header: CommonMark's inline code, as before
    assert tokens[0].type == "paragraph_open"


def test_an_empty_heading_of_a_quarto_page_is_a_warning_and_leaves_nothing():
    """Pandoc reads ``### {auto-animate=true}`` (a slide without title); a course page keeps its error."""
    problems = Problems()
    page = parse_page(replace(chapter("## Diapo\n\n### {auto-animate=true}\n\nTexte.\n"), quarto=True), problems)
    assert [(p.line, p.severity, p.message) for p in problems.items] == [
        (6, "warning", "titre de section vide : retiré de la page")]
    assert [h.text for h in page.headings] == ["Diapo"]
    problems = Problems()
    parse_page(chapter("### {#x}\n"), problems)
    assert [(p.severity, p.message) for p in problems.items] == [("error", "titre de section vide")]
