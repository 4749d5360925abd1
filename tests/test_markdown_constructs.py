"""The table of Quarto constructs (coursegen/markdown/constructs.py) and ``check``'s summary of a Quarto project."""

import json
from collections import Counter

import pytest

from conftest import make_project, run_build
from coursegen.errors import Problems
from coursegen.markdown.constructs import CONSTRUCTS, Status, count_constructs, count_shortcodes, table
from coursegen.markdown.parse import parse_page
from coursegen.source.chapters import Chapter


def found(body: str) -> Counter:
    chapter = Chapter("content/01-a.md", "01-a.md", "a", "A", "", True, False, body, 4)
    return count_constructs([parse_page(chapter, Problems()).tokens])


@pytest.mark.parametrize("body, expected", [
    ("::: {.callout-note}\n## Titre\n\nCorps.\n:::\n", {"callout": 1, "callout-heading": 1}),
    ("::: {.callout-tip title=\"T\"}\nCorps.\n:::\n", {"callout": 1}),
    ("::: {.panel-tabset}\n## A\n\nx\n:::\n", {"tabset": 1}),
    (":::: {.columns}\n::: {.column width=\"50%\"}\nx\n:::\n::::\n", {"columns": 1}),
    ("::: {.column-margin}\nx\n:::\n\n::: {.aside}\ny\n:::\n", {"margin": 2}),
    ("::: {layout-ncol=2}\nx\n:::\n", {"layout": 1}),
    ("::: {.content-visible when-format=\"html\"}\nx\n:::\n", {"conditional": 1}),
    ("```{python}\nprint(1)\n```\n", {"cell": 1, "cell-missing": 1}),
    ("```{r}\n#| echo: false\nx\n```\n", {"cell": 1, "cell-options": 1, "cell-missing": 1}),
    ("```{r nom, eval=FALSE}\nx\n```\n", {"cell": 1, "cell-options": 1}),
    ("```{r}\nknitr::include_graphics(\"a.png\")\n```\n", {"cell": 1, "include-graphics": 1}),
    ("```{mermaid}\ngraph LR\n```\n", {"cell-diagram": 1}),
    ("```{=html}\n<b>x</b>\n```\n\n```{=latex}\n\\x\n```\n", {"raw-html": 1, "raw-other": 1}),
    ("```python\nx\n```\n", {}),
    ("La valeur `r mean(x)` et `{python} n` mais pas `rm -rf`.\n", {"inline-code": 2}),
    ("Voir [@a] et @b, @sec-x, un [mot]{.c}.\n\n## X {#sec-x}\n", {"citation": 2, "xref": 1, "span": 1}),
    ("![Légende](a.png){#fig-a}\n", {"figure": 1}),
    ("| a |\n|---|\n| 1 |\n\n: Légende {#tbl-a}\n", {"table-caption": 1}),
    ("$$ x $$ {#eq-x}\n", {"equation": 1}),
])
def test_each_construct_is_recognised(body, expected):
    assert dict(found(body)) == expected


def test_shortcodes_are_counted_in_the_source_outside_code():
    source = "{{< include _a.md >}}\n\nUn {{< meta title >}} et `{{< var x >}}`.\n\n```\n{{< kbd K >}}\n```\n"
    assert count_shortcodes(source) == Counter({"shortcode-include": 1, "shortcode": 1})


def test_every_counted_name_is_declared_once_with_a_status():
    assert all(isinstance(c.status, Status) and c.label and c.note for c in CONSTRUCTS.values())
    assert len({c.label for c in CONSTRUCTS.values()}) == len(CONSTRUCTS)


def test_table_groups_by_status_with_totals():
    lines = table(Counter({"citation": 3, "tabset": 2, "raw-html": 1, "callout": 0}))
    assert lines[0] == "Constructions Quarto trouvées :"
    assert [line.split()[0] for line in lines[2:5]] == ["citation", "onglets", "bloc"]
    assert "encadré" not in "\n".join(lines)
    assert lines[-1] == "Total : 3 rendu, 2 dégradé, 1 non pris en charge."
    assert table(Counter()) == ["Constructions Quarto : aucune trouvée."]


def test_check_on_a_quarto_project_ends_with_the_table(tmp_path):
    root = make_project(tmp_path / "projet", "quarto/constructs")
    result = run_build(root, "check")
    lines = result.stdout.splitlines()
    start = lines.index("Constructions Quarto trouvées :")
    assert lines[start - 1].startswith("Vérification : ")
    assert lines[-1] == "Total : 24 rendu, 7 dégradé, 2 non pris en charge."
    tabs = next(line for line in lines[start:] if "onglets" in line)
    assert tabs.split()[2:5] == ["dégradé", "1", "panneaux"]
    json_run = run_build(root, "check", "--format", "json")
    assert json.loads(json_run.stdout)["constructs"]["citation"] == 5


def test_check_on_a_course_of_this_tool_prints_no_table(project):
    result = run_build(project, "check")
    assert result.stdout.splitlines()[-1].startswith("Vérification : ")
