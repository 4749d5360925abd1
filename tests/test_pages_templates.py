import re
from pathlib import Path
from html import escape
from types import SimpleNamespace

import pytest

from conftest import REPO
from coursegen.errors import SiteError
from coursegen.pages.templates import Sidebar, make_environment, render_template, url_helper


def test_url_is_relative_to_the_page_or_absolute_on_404():
    assert url_helper("index.html")("static/site.css") == "static/site.css"
    assert url_helper("a/b/page.html")("static/site.css") == "../../static/site.css"
    assert url_helper("404.html", "/atelier-llm/")("static/site.css") == "/atelier-llm/static/site.css"


def test_autoescape_and_strict_undefined(tmp_path):
    (tmp_path / "t.html").write_text("<p>{{ x }}</p>\n{{ y }}\n", encoding="utf-8")
    env = make_environment(tmp_path)
    with pytest.raises(SiteError) as info:
        render_template(env, "t.html", {"x": "<b>"}, "templates")
    assert str(info.value).startswith("templates/t.html:2: variable indéfinie dans le gabarit : 'y' is undefined")
    assert render_template(env, "t.html", {"x": "<b>", "y": 1}, "templates") == "<p>&lt;b&gt;</p>\n1\n"


def test_syntax_error_names_template_and_line(tmp_path):
    (tmp_path / "t.html").write_text("a\n{% if %}\n", encoding="utf-8")
    with pytest.raises(SiteError) as info:
        render_template(make_environment(tmp_path), "t.html", {}, "templates")
    assert str(info.value).startswith("templates/t.html:2: erreur de syntaxe Jinja2")


def _heading(level, ident, text, number="", inline=""):
    return SimpleNamespace(level=level, id=ident, text=text, number=number, html=inline or escape(text, quote=False))


def _chapter(slug, title, number, toc, inline=""):
    return SimpleNamespace(slug=slug, url=f"{slug}.html", title=title, number=number, toc=toc,
                           title_html=inline or escape(title, quote=False), nav_title=title, opens=(), depth=0,
                           part=False)


def _sidebar_html(glossary_url="glossaire.html"):
    """The real partial rendered for three chapters: one without sections, one with an h3 only."""
    chapters = [
        _chapter("avant-propos", "Avant-propos", "", []),
        _chapter("bases", "Les <bases>", "1", [
            _heading(2, "listes", "Les listes", "1.1"), _heading(3, "detail", "Détail"),
            _heading(2, "questions", "Questions & réponses")]),
        _chapter("suite", "La suite de R", "2", [_heading(3, "seul", "h3"),
                                                 _heading(2, "code", "Le code R", "2.1", "Le code <code>R</code>")],
                 "La suite de <code>R</code>"),
    ]
    env = make_environment(REPO / "templates")
    return render_template(env, "partials/sidebar.html", {"chapters": chapters, "glossary_url": glossary_url,
                                                          "url": url_helper("index.html")}, "templates")


def _straightforward(html, current):
    """The reference: a pass over the whole sidebar per page (the algorithm Sidebar replaced)."""
    def sections(match):
        return match.group(2) if match.group(1) == current else ""
    html = re.sub(r"<!--sections (\S+?)-->\n?(.*?)<!--/sections-->\n?", sections, html, flags=re.S)
    if current:
        html = html.replace(f' data-page="{current}"', ' aria-current="page"', 1)
    return re.sub(r' data-page="[^"]*"', "", html)


def test_sidebar_partial_is_one_line_per_chapter():
    html = _sidebar_html()
    lines = html.splitlines()
    assert [line.startswith("<li>") for line in lines].count(True) == 3
    assert '<li><a href="bases.html" data-page="bases"><span class="numero">1</span> Les &lt;bases&gt;</a>' \
           '<!--sections bases--><ol class="sidebar-sections">' \
           '<li><a href="bases.html#listes"><span class="numero">1.1</span> Les listes</a></li>' \
           '<li><a href="bases.html#questions">Questions &amp; réponses</a></li></ol><!--/sections--></li>' in lines
    # a title written in Markdown (`R`) is shown as its inline HTML, in the chapter's link and its sections
    assert ('<li><a href="suite.html" data-page="suite"><span class="numero">2</span> La suite de <code>R</code></a>'
            '<!--sections suite--><ol class="sidebar-sections"><li><a href="suite.html#code"><span class="numero">2.1'
            '</span> Le code <code>R</code></a></li></ol><!--/sections--></li>') in lines


@pytest.mark.parametrize("current", ["", "avant-propos", "bases", "suite", "glossaire", "inconnu"])
def test_sidebar_for_page_equals_the_straightforward_algorithm(current):
    html = _sidebar_html()
    assert Sidebar(html).for_page(current) == _straightforward(html, current)


def test_sidebar_marks_exactly_the_current_link_and_shows_only_its_sections():
    sidebar = Sidebar(_sidebar_html())
    for slug, href in (("avant-propos", "avant-propos.html"), ("bases", "bases.html"), ("suite", "suite.html"),
                       ("glossaire", "glossaire.html")):
        page = sidebar.for_page(slug)
        assert page.count('aria-current="page"') == 1
        assert f'<a href="{href}" aria-current="page">' in page
        assert ("bases.html#listes" in page) == (slug == "bases")
        assert page.count('class="sidebar-sections"') == (slug in ("bases", "suite"))
        assert "data-page" not in page and "<!--" not in page
    assert 'aria-current' not in sidebar.for_page() and "sidebar-sections" not in sidebar.for_page()
    assert sidebar.for_page("inconnu") == sidebar.for_page()
    assert "glossaire" not in Sidebar(_sidebar_html(glossary_url="")).for_page("glossaire")


def test_sidebar_still_reads_the_former_multiline_markup():
    html = ('<ol>\n    <li>\n      <a href="a.html" data-page="a">A</a>\n<!--sections a-->\n'
            '      <ol class="sidebar-sections">\n        <li><a href="a.html#x">X</a></li>\n      </ol>\n'
            '<!--/sections-->\n    </li>\n</ol>\n')
    sidebar = Sidebar(html)
    assert sidebar.for_page() == '<ol>\n    <li>\n      <a href="a.html">A</a>\n    </li>\n</ol>\n'
    assert sidebar.for_page("a") == ('<ol>\n    <li>\n      <a href="a.html" aria-current="page">A</a>\n'
                                     '      <ol class="sidebar-sections">\n        <li><a href="a.html#x">X</a></li>\n'
                                     '      </ol>\n    </li>\n</ol>\n')


def test_page_footer_reads_inline_markdown_with_attributes_and_html():
    """Quarto's page-footer is Markdown: ``[Quarto](url){.external target="_blank"}`` is a link, not text."""
    from coursegen.config import Config
    from coursegen.pages.context import footer_html

    config = Config(root=Path("."), title="T", author="", page_footer={
        "right": 'Fait avec [Quarto](https://quarto.org/){.external target="_blank"} <br> *vite*',
        "left": '<li><a href="https://exemple.org/">Code</a></li><script>x()</script>'})
    sides, removed = footer_html(config)
    assert sides["right"].startswith('Fait avec <a href="https://quarto.org/"') and "<em>vite</em>" in sides["right"]
    assert "{" not in sides["right"] and sides["left"].startswith('<ul class="footer-list"><li><a href=')
    assert "script" not in sides["left"] and [e.message.split(" ")[0] for e in removed] == ["élément"]


@pytest.mark.parametrize("name", ["site.css", "attention.css"])
def test_theme_stylesheets_close_every_block(name):
    """An unclosed ``@media print {`` swallows every rule after it (columns, tabs and callout icons vanished
    on screen once); browsers say nothing, so the test does."""
    css = (Path(__file__).resolve().parent.parent / "templates" / "static" / name).read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/|\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'", "", css, flags=re.S)
    depth = 0
    for number, line in enumerate(css.splitlines(), 1):
        for char in line:
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0, f"{name}:{number}: « }} » sans bloc ouvert"
    assert depth == 0, f"{name} : {depth} bloc(s) jamais fermé(s)"
