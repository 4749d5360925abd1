"""markdown.divs: callout titles, tabsets, layouts, figure divs, hidden content, and a warning at its line for
what the site cannot render."""

from __future__ import annotations

import pytest

from conftest import chapter, tokens_of, warnings
from coursegen.errors import Problems
from coursegen.markdown.parse import parse_page




# --- callouts, tabsets, layouts ------------------------------------------------------------------------------

def parsed(body: str):
    problems = Problems()
    return parse_page(chapter(body), problems), problems


def test_first_heading_of_a_callout_is_its_title_not_a_section():
    page, problems = parsed("::: {.callout-tip}\n## Le `titre` {#titre}\n\nTexte.\n:::\n\n## Vraie section\n")
    assert problems.items == []
    assert [h.text for h in page.headings] == ["Vraie section"]
    opening = next(t for t in page.tokens if t.type == "container_div_open")
    assert [c.content for c in opening.meta["title_inline"].children if c.content] == ["Le ", "titre"]
    assert not any(t.type == "heading_open" and t.map and t.map[0] == 1 for t in page.tokens)


def test_a_title_attribute_keeps_the_heading_as_a_section():
    page, _ = parsed('::: {.callout-tip title="Titre"}\n## Section dans l\'encadré\n:::\n')
    assert [h.text for h in page.headings] == ["Section dans l’encadré"]


def test_tabset_headings_start_panels_and_are_never_numbered():
    page, problems = parsed("::: {.panel-tabset}\nIntro.\n\n## Un\n\nA.\n\n### Détail\n\n## Deux\n\nB.\n:::\n")
    assert problems.items == []
    types = [t.type for t in page.tokens]
    assert types.count("tab_panel_open") == types.count("tab_panel_close") == 2
    assert types.index("tab_panel_open") > types.index("paragraph_open")  # the intro stays above the tabs
    assert [(h.text, h.numbered) for h in page.headings] == [("Un", False), ("Détail", True), ("Deux", False)]


@pytest.mark.parametrize("attrs,widths", [
    ("layout-ncol=2", [["col-50", "col-50"], ["col-50"]]),
    ("layout-nrow=1", [["col-35", "col-35", "col-35"]]),
    ('layout="[[1,1],[1]]"', [["col-50", "col-50"], ["col-100"]]),
    ('layout="[70,30]"', [["col-70", "col-30"], ["col-100"]]),
    ('layout="[[40,-20,40]]"', [["col-40", "col-20 spacer", "col-40"], ["col-100"]]),
])
def test_layouts_group_blocks_into_rows_of_cells(attrs, widths):
    page, problems = parsed(f"::: {{{attrs}}}\nA.\n\nB.\n\nC.\n:::\n")
    assert problems.items == []
    rows, row = [], None
    for tok in page.tokens:
        if tok.type == "layout_row_open":
            row = []
            rows.append(row)
        elif tok.type == "layout_cell_open":
            row.append(tok.meta["width"])
    assert rows == widths


def test_images_on_their_own_lines_in_a_layout_become_one_figure_each():
    page, _ = parsed("::: {layout-ncol=2}\n![Un](a.png)\n![Deux](b.png)\n:::\n")
    assert [(f.kind, f.line) for f in page.figures] == [("image", 5), ("image", 6)]


@pytest.mark.parametrize("body,expected", [
    ('::: {.column width="37%"}\nx\n:::\n', None),
    ('::: {.column width="12em"}\nx\n:::\n', "largeur de colonne « 12em » non prise en charge : ignorée"),
    ("::: {layout-ncol=7}\nx\n:::\n", "disposition de plus de 6 colonnes : blocs affichés l'un sous l'autre"),
    ("::: {layout-ncol=deux}\nx\n:::\n",
     "disposition « layout-ncol=\"deux\" » illisible : blocs affichés l'un sous l'autre"),
    ("::: {.g-col-6}\nx\n:::\n",
     "classe « .g-col-6 » sans rendu sur ce site : le contenu est affiché sans sa mise en forme"),
    ("::: {.column-page}\nx\n:::\n", None),
    ('::: {.callout-note icon="peut-être"}\nx\n:::\n', "« icon=\"peut-être\" » : valeur inconnue, ignorée"),
    ('::: {.callout-note couleur="rouge"}\nx\n:::\n', "attribut « couleur » d'encadré non pris en charge : ignoré"),
])
def test_what_cannot_be_rendered_is_a_warning_at_its_line(body, expected):
    found = warnings("Avant.\n\n" + body)
    assert found == ([] if expected is None else [(3, expected)])


def test_a_class_without_rendering_is_reported_once_per_page_at_its_first_use():
    """A project's own class on every exercise (241 times in a real book) is one warning per page, not 241."""
    found = warnings("::: {.corrige}\na\n:::\n\nTexte.\n\n::: {.corrige}\nb\n:::\n\n::: {.corrige}\nc\n:::\n")
    assert found == [(1, "classe « .corrige » sans rendu sur ce site : le contenu est affiché sans sa mise en "
                         "forme (3 blocs dans la page ; les suivants ne sont pas signalés)")]


def test_width_classes_round_to_five_percent():
    tokens, _ = tokens_of('::: {.column width="37%"}\nx\n:::\n\n::: {.column width="2%"}\nx\n:::\n')
    assert [t.meta.get("width_class") for t in tokens if t.type == "container_div_open"] == ["col-35", "col-5"]


@pytest.mark.parametrize("attrs,shown", [
    ('.content-visible when-format="html"', True), ('.content-visible when-format="pdf"', False),
    ('.content-hidden when-format="html"', False), ('.content-hidden unless-format="html"', True),
    (".hidden", False), (".content-visible", True),
])
def test_content_visible_and_hidden(attrs, shown):
    tokens, found = tokens_of(f"::: {{{attrs}}}\nTexte conditionnel.\n:::\n")
    assert found == []
    assert any(t.type == "inline" and "conditionnel" in t.content for t in tokens) == shown


def test_headings_of_tabsets_and_callouts_are_not_in_the_contents():
    page, _ = parsed("## Avant\n\n::: {.panel-tabset}\n## Un\n\n### Détail\n\n## Deux\n:::\n\n"
                     "::: {.callout-note}\nTexte.\n\n## Dans l'encadré\n:::\n\n## Après {.unlisted}\n\n## Fin\n")
    assert [(h.text, h.listed) for h in page.headings] == [
        ("Avant", True), ("Un", False), ("Détail", False), ("Deux", False), ("Dans l’encadré", False),
        ("Après", False), ("Fin", True)]
