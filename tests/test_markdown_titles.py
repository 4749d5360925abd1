"""Titles written in Markdown: inline HTML wherever the site shows a title, plain text where only text fits
(``<title>``, ``<meta>``, llms.txt, search), French typography on the text and never inside code."""

import re

import pytest

from conftest import make_project, run_build
from coursegen.errors import Problems
from coursegen.markdown.parse import parse_inline
from coursegen.markdown.titles import french_markdown


def parsed(source: str, line: int = 2):
    problems = Problems()
    return parse_inline(source, "content/01-a.md", line, problems), [str(p) for p in problems.items]


@pytest.mark.parametrize("source,html,text", [
    ("Rédiger un script `R`", "Rédiger un script <code>R</code>", "Rédiger un script R"),
    ("Le *package* **styler**", "Le <em>package</em> <strong>styler</strong>", "Le package styler"),
    ("Le _package_ [`conflicted`](https://github.com/r-lib/conflicted)",
     "Le <em>package</em> <code>conflicted</code>", "Le package conflicted"),
    ("Une image ![un schéma](a.png) ici", "Une image un schéma ici", "Une image un schéma ici"),
    ("Les <code>tibbles</code><br>et le reste", "Les <code>tibbles</code> et le reste", "Les tibbles et le reste"),
    ("A <span onclick=\"x()\">b</span> & c", "A b &amp; c", "A b & c"),
    ("Le ~~vieux~~ code", "Le <s>vieux</s> code", "Le vieux code"),
])
def test_markdown_of_a_title_as_html_and_as_text(source, html, text):
    title, problems = parsed(source)
    assert (title.html, title.text, problems) == (html, text, [])


def test_french_typography_on_the_text_never_inside_code():
    title, _ = parsed("Pourquoi `a ; b` ? Voir « `x:y` » : l'exemple")
    assert title.html == ("Pourquoi <code>a ; b</code>\u202f? Voir «\u202f<code>x:y</code>\u202f»\u00a0: "
                          "l’exemple")
    assert title.text == "Pourquoi a ; b\u202f? Voir «\u202fx:y\u202f»\u00a0: l’exemple"


def test_an_unknown_shortcode_in_a_title_is_a_warning_at_the_title_line():
    title, problems = parsed("Projet avec {{< fa brands r-project >}}", line=3)
    assert title.text == "Projet avec"
    assert problems == ["content/01-a.md:3: avertissement : shortcode Quarto « fa » non pris en charge : retiré de "
                        "la page (shortcodes reconnus : include, var, meta, pagebreak, kbd, video ; remplacez "
                        "celui-ci par du texte ou une image)"]


def test_french_markdown_keeps_code_spans_as_written():
    assert french_markdown("Un `a : b` ou ``c ? d`` : fin !") == "Un `a : b` ou ``c ? d``\u00a0: fin\u202f!"
    assert french_markdown("`x`") == "`x`"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("titres") / "projet", "quarto-pages")
    result = run_build(root, "--strict")
    assert result.returncode == 0, result.stderr
    return {p.name: p.read_text(encoding="utf-8") for p in (root / "site").iterdir() if p.is_file()}


CODE_TITLE = "Rédiger un script <code>R</code>\u00a0: <em>vite</em> et <strong>bien</strong>"


def test_the_title_is_inline_html_in_heading_sidebar_pager_and_cards(site):
    page = site["titres.html"]
    assert f'<h1><span class="numero">1</span> {CODE_TITLE}</h1>' in page
    assert f'<a href="titres.html" aria-current="page"><span class="numero">1</span> {CODE_TITLE}</a>' in page
    assert '<span class="pager-title">Raccourcis de <code>Quarto</code></span>' in page
    assert f'<span class="pager-title">1 {CODE_TITLE}</span>' in site["raccourcis.html"]
    assert f'<span class="numero">Chapitre 1</span> {CODE_TITLE}</a></h3>' in site["index.html"]
    assert "<p>Les bases de <code>dplyr</code>\u202f; voir la doc.</p>" in site["index.html"]
    # a section title: in the sidebar and « Sur cette page », the link reduced to its text, the code kept
    assert '<span class="numero">1.1</span> Le <em>package</em> <code>conflicted</code></a></li>' in page


def test_the_title_is_plain_text_in_title_and_metadata(site):
    page = site["titres.html"]
    text = "Rédiger un script R\u00a0: vite et bien"
    assert f"<title>{text} – Pages Quarto</title>" in page
    assert f'<meta property="og:title" content="{text} – Pages Quarto">' in page
    assert '<meta name="description" content="Les bases de dplyr\u202f; voir la doc.">' in page
    assert f"- [1 {text}](https://exemple.org/pages/titres.md)" in site["llms.txt"]
    assert "`" not in site["llms.txt"] and "*" not in site["llms.txt"]
    for name in ("titres.html", "raccourcis.html", "index.html"):
        head = site[name].split("<body", 1)[0]
        assert "`" not in head and "*" not in head and "](" not in head, name


def test_subtitle_authors_and_date_are_shown_as_quartos_title_block(site):
    page = site["titres.html"]
    assert '<p class="chapter-subtitle">Avec le <em>package</em> <code>styler</code></p>' in page
    assert '<p class="chapter-meta">Ada Lovelace et Grace Hopper · 1er mars 2024</p>' in page


def test_number_sections_false_leaves_the_page_unnumbered(site):
    page = site["raccourcis.html"]
    assert "<h1>Raccourcis de <code>Quarto</code></h1>" in page
    assert '<h2 id="suite">Suite <a' in page


def test_no_markdown_punctuation_left_in_titles(site):
    for name in ("titres.html", "raccourcis.html", "index.html"):
        titles = re.findall(r"<(?:h1|h2|h3|title)[^>]*>(.*?)</(?:h1|h2|h3|title)>", site[name], re.S)
        titles += re.findall(r'class="(?:pager-title|sidebar-list)">(.*?)</', site[name], re.S)
        assert titles and not [t for t in titles if "`" in t or "**" in t or "](" in t], name


def test_toc_false_leaves_out_on_this_page_and_toc_depth_limits_it(site):
    assert 'class="page-toc"' not in site["raccourcis.html"]
    assert '<li class="toc-level-2"><a href="#sec-conflicted">' in site["titres.html"]
