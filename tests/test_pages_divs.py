"""pages.divs: what callouts, tabsets, columns, layouts, margin notes and raw blocks look like in the page."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from coursegen.course.nav import build_nav
from coursegen.errors import Problems, UserError
from coursegen.markdown.parse import parse_page
from coursegen.pages.chapter import render_page
from coursegen.pages.divs import icon
from coursegen.source.chapters import Chapter

from conftest import make_project, run_build
from test_quality import VNU, _need


def render(body: str) -> tuple[str, list[str]]:
    problems = Problems()
    chapter = Chapter(source="content/01-essai.md", name="01-essai.md", slug="essai", title="Essai", description="",
                      numbered=True, draft=False, body=body, body_line=4)
    page = parse_page(chapter, problems)
    site = build_nav([page])

    def no_figures(fig, number, caption):
        raise UserError("pas de figures ici")
    html = render_page(page, site.pages[0], site, problems, no_figures, Path("/nonexistent")).html
    return html, [str(p) for p in problems.items]


def title_of(html: str) -> str:
    return re.search(r'class="callout-title">(.*?)</(?:p|summary)>', html).group(1)


@pytest.mark.parametrize("kind,label", [("note", "Note"), ("tip", "Astuce"), ("warning", "Avertissement"),
                                        ("caution", "Attention"), ("important", "Important")])
def test_each_callout_has_its_icon_and_french_label(kind, label):
    html, problems = render(f"::: {{.callout-{kind}}}\nTexte.\n:::\n")
    assert problems == []
    assert title_of(html) == icon(kind) + label
    assert f'<div class="callout callout-{kind}" role="note">' in html


def test_icon_is_kept_with_a_custom_title_and_the_kind_is_said_to_screen_readers():
    html, _ = render('::: {.callout-warning title="Piège courant"}\nTexte.\n:::\n')
    assert title_of(html) == icon("warning") + '<span class="visually-hidden">Avertissement\u00a0: </span>Piège courant'


def test_icons_are_inline_svg_without_style():
    for kind in ("note", "tip", "warning", "caution", "important"):
        svg = icon(kind)
        assert svg.startswith("<svg ") and 'aria-hidden="true"' in svg and "style" not in svg


def test_heading_title_keeps_its_markdown_and_is_not_a_section():
    html, problems = render("::: {.callout-tip}\n## Utiliser `dplyr` *vite*\n\nTexte.\n:::\n")
    assert problems == []
    assert title_of(html).endswith('</span>Utiliser <code>dplyr</code> <em>vite</em>')
    assert "<h2" not in html


@pytest.mark.parametrize("attrs,has_icon,classes", [
    ('appearance="simple"', True, "callout callout-note callout-simple"),
    ('appearance="minimal"', False, "callout callout-note callout-minimal"),
    ("icon=false", False, "callout callout-note"),
    ('appearance="default" icon=true', True, "callout callout-note"),
])
def test_appearance_and_icon(attrs, has_icon, classes):
    html, problems = render(f"::: {{.callout-note {attrs}}}\nTexte.\n:::\n")
    assert problems == []
    assert f'<div class="{classes}" role="note">' in html
    assert ('<svg class="callout-icon"' in html) == has_icon


@pytest.mark.parametrize("value,opened", [("true", ""), ("false", " open")])
def test_collapse_is_a_details_closed_or_open(value, opened):
    html, _ = render(f'::: {{.callout-tip collapse="{value}"}}\nTexte.\n:::\n')
    assert html.startswith(f'<details class="callout callout-tip"{opened}><summary class="callout-title">'
                           f'{icon("tip")}Astuce</summary><div class="callout-body">\n<p>Texte.</p>\n</div></details>')


def test_tabset_panels_read_in_order_under_their_headings():
    html, problems = render('::: {.panel-tabset group="langage"}\nAvant.\n\n## Python\n\nA.\n\n## R\n\nB.\n:::\n')
    assert problems == []
    assert re.sub(r' <a class="ancre".*?</a>', "", html) == (
        '<div class="panel-tabset" data-group="langage">\n<p>Avant.</p>\n'
        '<section class="tab-panel">\n<h2 id="python" class="unnumbered">Python</h2>\n<p>A.</p>\n</section>\n'
        '<section class="tab-panel">\n<h2 id="r" class="unnumbered">R</h2>\n<p>B.</p>\n</section>\n</div>\n')


def test_columns_widths_are_classes_never_styles():
    html, problems = render(':::: {.columns}\n::: {.column width="40%"}\nA\n:::\n::: {.column width="58%"}\nB\n:::\n'
                            '::: {.column}\nC\n:::\n::::\n')
    assert problems == []
    assert html == ('<div class="columns">\n<div class="column col-40">\n<p>A</p>\n</div>\n'
                    '<div class="column col-60">\n<p>B</p>\n</div>\n<div class="column">\n<p>C</p>\n</div>\n</div>\n')


def test_layout_rows_and_cells():
    html, problems = render('::: {#grille layout="[[1,1],[1]]"}\nA.\n\nB.\n\nC.\n:::\n')
    assert problems == []
    assert html == ('<div id="grille" class="quarto-layout-panel">\n'
                    '<div class="quarto-layout-row">\n<div class="quarto-layout-cell col-50">\n<p>A.</p>\n</div>\n'
                    '<div class="quarto-layout-cell col-50">\n<p>B.</p>\n</div>\n</div>\n'
                    '<div class="quarto-layout-row">\n<div class="quarto-layout-cell col-100">\n<p>C.</p>\n</div>\n'
                    '</div>\n</div>\n')


def test_margin_notes_and_asides_are_classes():
    html, problems = render("::: {.column-margin}\nEn marge.\n:::\n\nUn [aparté]{.aside} ici.\n")
    assert problems == []
    assert '<div class="column-margin">\n<p>En marge.</p>\n</div>' in html
    assert '<span class="aside">aparté</span>' in html


def test_raw_html_is_sanitised_like_all_raw_html_with_warnings_at_their_lines():
    html, problems = render("Texte.\n\n```{=html}\n<p onclick=\"x()\">brut</p>\n<script>alert(1)</script>\n```\n")
    assert '<p>brut</p>' in html and "script" not in html and "onclick" not in html
    assert problems and [p.split(" : ")[0] for p in problems] == [
        "content/01-essai.md:7: avertissement", "content/01-essai.md:8: avertissement"]


def test_hidden_content_is_not_in_the_page():
    html, _ = render('::: {.content-visible when-format="pdf"}\nPour le PDF.\n:::\n\n::: {.hidden}\nCaché.\n:::\n')
    assert html == ""


def test_constructs_fixture_builds_without_any_inline_style(tmp_path):
    root = make_project(tmp_path / "projet", "constructs")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    assert sum(line.startswith("content/") and "avertissement" in line
               for line in result.stderr.splitlines()) == 2  # the two LaTeX snippets of 04-brut.md, by design
    for page in (root / "site").glob("*.html"):
        text = re.sub(r"<pre.*?</pre>", "", page.read_text(encoding="utf-8"), flags=re.S)
        assert " style=" not in text and ":::" not in text, page
    _need(VNU)
    if not shutil.which("java"):
        pytest.fail("java absent : le Nu HTML Checker en a besoin (apt-get install default-jre-headless)")
    checked = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json",
                              *map(str, sorted((root / "site").glob("*.html")))], capture_output=True, text=True)
    assert [m["message"] for m in json.loads(checked.stderr or '{"messages": []}')["messages"]] == []


def test_figure_div_is_numbered_with_its_last_paragraph_as_caption():
    html, problems = render("::: {#fig-deux layout-ncol=2}\n![A](a.png)\n\n![B](b.png)\n\nDeux *images*.\n:::\n\n"
                            "Voir @fig-deux.\n")
    assert [p for p in problems if "fig-deux" in p] == []
    assert html.startswith('<figure class="figure quarto-layout-panel" id="fig-deux">\n<div class="quarto-layout-row">')
    assert ('</div>\n<figcaption><span class="figure-label">Figure 1.1</span>\u00a0: Deux <em>images</em>.</figcaption>'
            '</figure>\n<p>Voir <a class="xref" href="#fig-deux">figure 1.1</a>.</p>') in html


def test_a_heading_title_gives_its_id_to_the_callout():
    html, problems = render("::: {.callout-note}\n## Titre {#sec-note}\n\nTexte.\n:::\n\nVoir [la note](#sec-note).\n")
    assert problems == []
    assert '<div class="callout callout-note" id="sec-note" role="note">' in html
    assert '<a href="#sec-note">la note</a>' in html


def test_a_broken_link_in_a_heading_title_is_reported_at_its_line():
    _, problems = render("Texte.\n\n::: {.callout-note}\n## Voir [ailleurs](#nulle-part)\n\nTexte.\n:::\n")
    assert [p.split(" introuvable")[0] for p in problems] == ["content/01-essai.md:7: ancre « #nulle-part »"]


def test_contents_list_no_heading_of_a_tabset_as_in_quarto():
    problems = Problems()
    chapter = Chapter(source="content/01-essai.md", name="01-essai.md", slug="essai", title="Essai", description="",
                      numbered=True, draft=False, body="::: {.panel-tabset}\n## Un\n\n## Deux\n:::\n\n## Suite\n",
                      body_line=4)
    site = build_nav([parse_page(chapter, problems)])
    assert [(s.id, s.number) for s in site.pages[0].toc] == [("suite", "1.1")]
    assert set(site.anchors["essai.html"]) >= {"un", "deux", "suite"}  # still link targets
