"""Bounded work on any input: an adversarial input twice as large takes at most ~2.5 times as long.

Each generator writes ``n`` units of something that once hit a quadratic step (a run of spaces, thousands of
``{{<`` openers, identical headings, ``@sec-x`` references, runs of ``[``, `````, ``*``, ``:``…). The stage
that reads it runs at ``n`` and ``2 n``: linear work doubles (ratio 2), quadratic work quadruples (4). Times
are this process's CPU time (other processes on a busy machine do not count), medians of interleaved runs;
``n`` first grows until the smaller input takes long enough for the timer's noise not to matter. The YAML limits that
stop an alias bomb are checked here too, with the messages an author reads.
"""

from __future__ import annotations

import gc
import statistics
import time
from pathlib import Path
from typing import Callable

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from coursegen.course.nav import build_nav
from coursegen.errors import Problems
from coursegen.markdown.parse import parse_page
from coursegen.pages.chapter import render_page
from coursegen.source.chapters import Chapter
from coursegen.source.includes import expand_includes
from coursegen.text import french
from coursegen.yamlfile import YAMLRefused, compose, construct, yaml_error

RATIO = 2.5          # linear: 2; quadratic: 4
RUNS = 3             # per size, interleaved; the median is kept
ATTEMPTS = 3         # a ratio above RATIO is measured again (a burst of load), a quadratic step fails each time
MIN_SECONDS = 0.02   # the smaller input grows until one run takes this long
MAX_UNITS = 1 << 20


def _seconds(run: Callable[[str], object], text: str) -> float:
    gc.collect()
    gc.disable()  # a collection during one run, not the other, would skew the ratio
    try:
        start = time.process_time()
        run(text)
        return time.process_time() - start
    finally:
        gc.enable()


def growth_ratio(make: Callable[[int], str], run: Callable[[str], object], units: int) -> float:
    """Time of ``run(make(2 n))`` over time of ``run(make(n))``, ``n`` grown from ``units`` until measurable."""
    run(make(units))  # warm up: compiled patterns, engines built once
    while units < MAX_UNITS and _seconds(run, make(units)) < MIN_SECONDS:
        units *= 2
    small, large = make(units), make(2 * units)
    best = float("inf")
    for _ in range(ATTEMPTS):
        times: dict[str, list[float]] = {small: [], large: []}
        for _ in range(RUNS):
            for text in (small, large):
                times[text].append(_seconds(run, text))
        best = min(best, statistics.median(times[large]) / statistics.median(times[small]))
        if best <= RATIO:
            break
    return best


# -- typography: one text node -------------------------------------------------------------------------------

TEXT_NODES = {
    "spaces": lambda n: "Un mot" + " " * n + "puis la fin.",
    "spaces then a mark": lambda n: "Un mot" + " " * n + "x ; fin",
    "spaces in a node with a URL": lambda n: "voir www.exemple.fr" + " " * n + "x : fin",
    "no-break spaces": lambda n: "Un mot" + "\u00a0\u202f" * n + "fin ?",
    "digits": lambda n: "1" * n + " fin.",
    "digits and colons": lambda n: "1:" * n + " fin.",
    "marks": lambda n: "a" + "!?;" * n + "b",
    "colons": lambda n: "a" + ":" * n + " b",
    "dots": lambda n: "a" + "." * n + " b",
    "guillemets": lambda n: "« " * n + "fin",
    "e-mail-like": lambda n: "a" + ".a" * n + "@b",
}


@pytest.mark.parametrize("name", TEXT_NODES)
def test_typography_is_linear(name):
    ratio = growth_ratio(TEXT_NODES[name], french, 1000)
    assert ratio <= RATIO, f"french() sur « {name} » : ×{ratio:.1f} quand le texte double"


# -- one chapter, from its Markdown to its HTML --------------------------------------------------------------

def _chapter(body: str) -> Chapter:
    return Chapter(source="content/01-essai.md", name="01-essai.md", slug="essai", title="Essai", description="",
                   numbered=True, draft=False, body=body, body_line=4)


def build_chapter(body: str) -> str:
    """What the build does with one chapter: includes and shortcodes, parse, navigation, render."""
    problems = Problems()
    chapter, _ = expand_includes(_chapter(body), Path("."), problems)
    page = parse_page(chapter, problems)
    site = build_nav([page])
    return render_page(page, site.pages[0], site, problems, lambda figure, number, caption: "", Path(".")).html


CHAPTERS = {
    "heading then spaces": lambda n: "## Titre" + " " * n + "suite\n",
    "heading, spaces, attributes": lambda n: "## Titre" + " " * n + "{.unnumbered}\n",
    "identical headings": lambda n: "## Titre\n\n" * n,
    "paragraph of spaces": lambda n: "Début" + " " * n + "fin ?\n",
    "shortcode openers": lambda n: "Texte " + "{{< a " * n + "\n",
    "shortcode openers, one closer": lambda n: "`{{< a`" + " {{< a" * n + " >}}\n",
    "shortcodes beside code spans": lambda n: "`x` {{< a >}} " * n + "\n",
    "escaped shortcode openers": lambda n: "{{{< a " * n + ">}}\n",
    "value shortcodes": lambda n: "{{< var a >}} {{< meta b " * n + "\n",
    "key shortcodes": lambda n: "{{< kbd Ctrl-C >}} " * n + "\n",
    "attribute openers": lambda n: "Texte " + "{#a " * n + "\n",
    "cross-references": lambda n: "## Titre {#sec-cible}\n\n" + "Voir @sec-cible. " * n + "\n",
    "bracketed references": lambda n: "## Titre {#sec-cible}\n\n" + "[@sec-cible] " * n + "\n",
    "unresolved references": lambda n: "".join(f"## T {{#sec-t{i}}}\n\n@sec-u{i}\n\n" for i in range(n)),
    "opening brackets": lambda n: "[" * n + "x\n",
    "nested brackets": lambda n: "[" * n + "x" + "]" * n + "\n",
    "image openers": lambda n: "![" * n + "x\n",
    "backticks": lambda n: "`" * n + "x\n",
    "backtick pairs": lambda n: "``a` " * n + "\n",
    "asterisks": lambda n: "*a " * n + "\n",
    "underscores": lambda n: "_" * n + "a\n",
    "line of colons": lambda n: ":" * n + "\n",
    "stray fences": lambda n: ":::\n\n" * n,
    "dashed attribute": lambda n: "[x]{" + "a-" * n + "b} 5 %\n",
    "captioned tables": lambda n: "".join(f"| a |\n|---|\n| {i} |\n\n: Légende {{#tbl-t{i}}}\n\n" for i in range(n)),
    "labelled equations": lambda n: "".join(f"$$x_{i}$$ {{#eq-e{i}}}\n\n" for i in range(n)),
    "dollars": lambda n: "$" * n + "x\n",
    "less-than signs": lambda n: "<" * n + "x\n",
    "quote markers": lambda n: "> " * n + "x\n",
    "list markers": lambda n: "- " * n + "x\n",
    "citation keys after an unclosed bracket": lambda n: "[" + "@a " * n + "\n",
    "knitr header with spaces and a backtick": lambda n: "```{a " + " " * n + "`\nx\n```\n",
    "letter list markers": lambda n: "a.  x\n\n" * n,
}


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_is_linear(name):
    ratio = growth_ratio(CHAPTERS[name], build_chapter, 200)
    assert ratio <= RATIO, f"chapitre « {name} » : ×{ratio:.1f} quand l'entrée double"


def test_broken_anchor_links_are_linear():
    ratio = growth_ratio(lambda n: "".join(f"## T{i}\n\n[x](#t{i}y)\n\n" for i in range(n)), build_chapter, 50)
    assert ratio <= RATIO, f"liens vers des ancres absentes : ×{ratio:.1f} quand l'entrée double"


@pytest.mark.parametrize("body,hints", [
    ("## Cible\n\n[voir](#cibel)\n", ["vouliez-vous dire « cible » ?"]),
    ("## Cible {#sec-cible}\n\nVoir @sec-cibel.\n", ["vouliez-vous dire « sec-cible » ?"]),
    # past the first 20 misses of a page, no « vouliez-vous dire » (each costs a pass over every id)
    ("## Cible\n\n" + "[voir](#cibel) " * 21 + "\n", ["vouliez-vous dire « cible » ?"] * 20 + [""]),
])
def test_unresolved_links_and_references_keep_their_hint_while_few(body, hints):
    problems = Problems()
    page = parse_page(_chapter(body), problems)
    site = build_nav([page])
    render_page(page, site.pages[0], site, problems, lambda figure, number, caption: "", Path("."))
    assert [p.hint for p in problems.items] == hints


def test_identical_headings_get_the_next_free_number():
    problems = Problems()
    page = parse_page(_chapter("## A\n\n## A\n\n## A 2\n\n## A\n\n## A\n"), problems)
    assert [h.id for h in page.headings] == ["a", "a-2", "a-2-2", "a-3", "a-4"]


def test_a_trailing_attribute_block_after_spaces_is_still_read():
    page = parse_page(_chapter("## Titre   {#sec-x .unnumbered}  \n"), Problems())
    assert [(h.id, h.text, h.numbered) for h in page.headings] == [("sec-x", "Titre", False)]


def test_misplaced_includes_are_dropped_outside_code_spans_only():
    problems = Problems()
    chapter, _ = expand_includes(_chapter("`{{< include a.md >}}` x {{< include b.md >}} {{< kbd K >}} fin\n"),
                                 Path("."), problems)
    assert chapter.body == "`{{< include a.md >}}` x  {{< kbd K >}} fin\n"
    assert [p.message for p in problems.items] == ["« {{< include … >}} » doit être seul sur sa ligne : ignoré"]


# -- YAML -----------------------------------------------------------------------------------------------------

def billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a "lol"']
    for level in range(1, levels + 1):
        previous = chr(ord("a") + level - 1)
        lines.append(f"{chr(ord('a') + level)}: &{chr(ord('a') + level)} [{', '.join(['*' + previous] * 10)}]")
    return "\n".join(lines) + "\n"


def refused(text: str) -> tuple[int, str, str]:
    with pytest.raises(YAMLRefused) as caught:
        node = compose(text)
        construct(node)
    error = yaml_error(caught.value, "config.yaml", 0)
    return error.line, error.message, error.hint


def test_an_alias_bomb_is_refused_at_the_alias_that_goes_over():
    start = time.perf_counter()
    line, message, hint = refused(billion_laughs())
    assert time.perf_counter() - start < 1  # refused as it is read, never expanded
    assert (line, message) == (7, "l'alias « *f » porte le document développé au-delà de 1\u202f000\u202f000 caractères")
    assert hint.startswith("chaque alias *nom recopie toute la valeur de son ancre &nom")


def test_a_few_aliases_are_read_as_quarto_projects_use_them():
    node = compose("base: &base {toc: true, lang: fr}\nhtml: *base\npdf:\n  <<: *base\n  toc: false\n")
    assert construct(node) == {"base": {"toc": True, "lang": "fr"}, "html": {"toc": True, "lang": "fr"},
                               "pdf": {"toc": False, "lang": "fr"}}


def test_aliases_of_one_large_value_are_bounded_too():
    text = f"a: &a \"{'x' * 1000}\"\nb: [{', '.join(['*a'] * 2000)}]\n"
    line, message, _ = refused(text)
    assert line == 2 and "au-delà de 1\u202f000\u202f000 caractères" in message
    assert compose(f"a: &a \"{'x' * 1000}\"\nb: [{', '.join(['*a'] * 900)}]\n") is not None  # 0.9 million


def test_a_recursive_alias_is_refused():
    assert refused("a: &a [1, *a]\n")[:2] == (1, "l'alias « *a » figure dans la valeur de sa propre ancre")


def test_nesting_is_bounded_even_through_aliases():
    assert refused("[" * 150 + "]" * 150 + "\n")[:2] == (
        1, "listes et dictionnaires imbriqués sur plus de 100 niveaux (alias compris)")
    deep = "[" * 60 + "x" + "]" * 60
    assert refused(f"a: &a {deep}\nb: &b [{'[' * 50}*a{']' * 50}]\n")[1].startswith("listes et dictionnaires")
    assert compose(f"a: &a {deep}\n") is not None


def test_values_python_cannot_build_are_located_errors():
    node = compose("titre: x\nnombre: " + "7" * 5000 + "\n")
    with pytest.raises(YAMLRefused) as caught:
        construct(node.value[1][1])
    assert yaml_error(caught.value, "content/01-essai.md", 1).line == 3
    assert caught.value.problem == "nombre de plus de 4300 chiffres"
    with pytest.raises(YAMLRefused) as caught:
        construct(compose("date: 2026-13-45\n"))
    assert caught.value.problem == "date impossible « 2026-13-45 »"


def test_yaml_reading_is_linear_in_the_number_of_aliases():
    def make(n: int) -> str:
        return "a: &a [1, 2]\nb: [" + ", ".join(["*a"] * n) + "]\n"

    ratio = growth_ratio(make, lambda text: construct(compose(text)), 500)
    assert ratio <= RATIO, f"YAML : ×{ratio:.1f} quand le nombre d'alias double"


@settings(deadline=None, database=None, max_examples=60)
@given(st.lists(st.sampled_from(["&a ", "*a", "&b ", "*b", "[", "]", "{", "}", ", ", ": ", "- ", "\n", "  ", "x",
                                 "<<: ", "? "]), max_size=40).map("".join))
def test_any_yaml_with_anchors_is_read_or_refused_with_a_yaml_error(text):
    try:
        node = compose(text)
        if node is not None:
            repr(construct(node))
    except yaml.YAMLError as exc:
        error = yaml_error(exc, "config.yaml", 0)
        assert error.line >= 1 and error.message
