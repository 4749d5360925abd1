"""Quarto code cells as a reader sees them: options honoured, outputs from Quarto's freeze, inline values,
``include_graphics`` as an image; and the fixture project ``tests/fixtures/cells`` built end to end."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import FIXTURES, make_project, run_build

from coursegen.course.nav import build_nav
from coursegen.errors import Problems
from coursegen.markdown.parse import parse_page
from coursegen.pages.chapter import render_page
from coursegen.source.chapters import Chapter
from coursegen.source.freeze import Frozen

UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
EXPECTED = FIXTURES / "cells" / "expected"


def render(body: str, frozen: Frozen | None = None, root: Path = Path("/nonexistent")):
    chapter = Chapter(source="content/01-essai.md", name="01-essai.md", slug="essai", title="Essai", description="",
                      numbered=True, draft=False, body=body, body_line=4)
    problems = Problems()
    page = parse_page(replace(chapter, frozen=frozen), problems)
    site = build_nav([page])
    result = render_page(page, site.pages[0], site, problems, lambda *a: "", root)
    return result.html, [str(p) for p in problems.items]


def frozen(markdown: str) -> Frozen:
    return Frozen("content/_freeze/01-essai/execute-results/html.json", markdown, "knitr", "01-essai_files/",
                  "_freeze/01-essai/", False)


def test_option_lines_never_show_and_the_language_highlights():
    html, problems = render("```{r nom, eval=FALSE}\n#| code-fold: false\nx <- c(1, 2)\n```\n")
    assert problems == []
    assert "#|" not in html and "nom" not in html and "eval" not in html
    assert ('<div class="cell" data-lang="r">\n<div class="code" data-lang="r"><pre class="highlight">'
            '<code class="language-r"><span class="n">x</span>') in html


def test_without_freeze_code_shows_and_one_warning_names_the_first_cell():
    body = ("Texte.\n\n```{python}\n#| echo: false\nimport os\n```\n\n```{python}\nprint(os.name)\n```\n\n"
            "```{r, include=FALSE}\nlibrary(x)\n```\n\n```{r}\n#| output: false\ny <- 2\n```\n")
    html, problems = render(body)
    assert "import os" not in html and "library" not in html  # echo: false, include: false
    assert "os</span><span class=\"o\">.</span><span class=\"n\">name" in html and "y</span>" in html
    assert problems == [
        "content/01-essai.md:6: avertissement : 2 cellules de code sans résultat : la page n'a pas de résultats "
        "figés par Quarto (_freeze/), seul le code est affiché (exécutez le projet avec Quarto : ajoutez "
        "« execute: freeze: auto » à _quarto.yml, lancez « quarto render », puis gardez le dossier _freeze/ avec "
        "les sources)"]


def test_code_fold_is_a_details_with_its_summary():
    html, _ = render("```{python}\n#| eval: false\n#| code-fold: true\nx = 1\n```\n\n"
                     "```{python}\n#| eval: false\n#| code-fold: show\n#| code-summary: \"Le détail\"\ny = 2\n```\n")
    assert '<details class="code-fold"><summary>Code</summary>\n<div class="code" data-lang="python">' in html
    assert '<details class="code-fold" open><summary>Le détail</summary>' in html


def test_labelled_cell_is_a_numbered_figure_that_references_reach():
    html, problems = render("```{r}\n#| label: fig-courbe\n#| fig-cap: \"Une *courbe*\"\nplot(x)\n```\n\n"
                            "La @fig-courbe le montre.\n")
    assert '<figure class="figure cell" id="fig-courbe">' in html
    assert ('<p class="cell-missing">Résultat non disponible\u00a0: la page n’a pas été exécutée par Quarto.</p>\n'
            '<figcaption><span class="figure-label">Figure 1.1</span> : Une <em>courbe</em></figcaption></figure>'
            ) in html
    assert '<p>La <a class="xref" href="#fig-courbe">figure 1.1</a> le montre.</p>' in html
    assert len(problems) == 1 and "1 cellule de code sans résultat" in problems[0]


def test_table_label_puts_its_caption_first():
    html, _ = render("```{r}\n#| label: tbl-t\n#| tbl-cap: Les valeurs\n#| eval: false\nkable(d)\n```\n")
    assert html.startswith('<figure class="table cell" id="tbl-t">\n<figcaption><span class="figure-label">'
                           'Tableau 1.1</span> : Les valeurs</figcaption>\n<div class="code"')


def test_include_graphics_is_the_image_with_caption_and_alt(tmp_path):
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    body = ('```{r}\n#| label: fig-a\n#| echo: false\n#| fig-cap: "Un schéma"\n#| fig-alt: "Des boîtes"\n'
            '#| out-width: 60%\nknitr::include_graphics("img/a.png", dpi = 270)\n```\n\nVoir @fig-a.\n')
    html, problems = render(body, root=tmp_path)
    assert problems == []
    assert ('<figure class="figure" id="fig-a"><img src="img/a.png" alt="Des boîtes" class="largeur-60" '
            'loading="lazy"><figcaption><span class="figure-label">Figure 1.1</span> : Un schéma</figcaption>'
            '</figure>') in html
    assert 'href="#fig-a">figure 1.1</a>' in html


def test_inline_expressions_take_literals_and_else_warn_once():
    html, problems = render("```{r}\n#| eval: false\nx\n```\n\nUn `r \"mot\"` et `r 3`.\n\nPuis `r n` et\n"
                            "`{python} len(a)`.\n\nDu `code` ordinaire.\n")
    assert "<p>Un mot et 3.</p>" in html
    assert "<code>r n</code>" in html and "<code>{python} len(a)</code>" in html
    assert problems == [
        "content/01-essai.md:11: avertissement : 2 expressions en ligne (`r …`, `{python} …`) sans valeur : "
        "affichées comme du code (exécutez le projet avec Quarto : ajoutez « execute: freeze: auto » à "
        "_quarto.yml, lancez « quarto render », puis gardez le dossier _freeze/ avec les sources)"]


def test_freeze_supplies_outputs_figures_and_inline_values(tmp_path):
    body = ("Il y a `r n` lignes.\n\n```{r}\n#| label: fig-p\n#| fig-cap: \"Nuage\"\nplot(d)\n```\n\n"
            "```{r}\nsummary(d)\n```\n")
    executed = ("Il y a 12 lignes.\n\n::: {.cell}\n\n```{.r .cell-code}\nplot(d)\n```\n\n"
                "::: {.cell-output-display}\n![Nuage](01-essai_files/figure-html/fig-p-1.png){#fig-p "
                "fig-alt='Un nuage de « points »' width=672}\n:::\n:::\n\n::: {.cell}\n\n```{.r .cell-code}\n"
                "summary(d)\n```\n\n::: {.cell-output .cell-output-stdout}\n\n```\n  Min. 1 <b>\n```\n\n:::\n:::\n")
    (tmp_path / "_freeze/01-essai/figure-html").mkdir(parents=True)
    (tmp_path / "_freeze/01-essai/figure-html/fig-p-1.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    html, problems = render(body, frozen(executed), tmp_path)
    assert problems == []
    assert "<p>Il y a 12 lignes.</p>" in html
    assert ('<figure class="figure" id="fig-p"><img src="_freeze/01-essai/figure-html/fig-p-1.png" '
            'alt="Un nuage de « points »" width="672" loading="lazy"><figcaption><span class="figure-label">'
            'Figure 1.1</span> : Nuage</figcaption></figure>') in html
    assert ('<div class="cell-output cell-output-stdout"><pre><code>  Min. 1 &lt;b&gt;</code></pre></div>') in html
    assert html.count('<figure') == 1  # the figure is the output's, not a second one around the cell


def test_output_lines_are_those_of_the_cell():
    executed = ("::: {.cell}\n::: {.cell-output-display}\n![A](01-essai_files/a.png){#fig-a}\n:::\n"
                "::: {.cell-output-display}\n![B](01-essai_files/b.png){#fig-b}\n:::\n:::\n")
    _, problems = render("Texte.\n\n```{r}\n#| echo: false\nplot(a)\nplot(b)\n```\n", frozen(executed))
    # two figures of one cell, each reported (and numbered) at its own line inside the cell
    assert [p.split(": fichier")[0] for p in problems] == ["content/01-essai.md:7", "content/01-essai.md:8"]


def test_cell_missing_from_the_freeze_is_reported():
    html, problems = render("```{r}\nx\n```\n\n```{r}\nnouveau()\n```\n",
                            frozen("::: {.cell}\n```{.r .cell-code}\nx\n```\n:::\n"))
    assert "nouveau" in html
    assert problems == [
        "content/01-essai.md:8: avertissement : 1 cellule de code absente des résultats figés "
        "(content/_freeze/01-essai/execute-results/html.json) : seul le code est affiché (relancez « quarto "
        "render » sur la page)"]


def test_malformed_header_and_yaml_are_located_and_the_code_still_shows():
    html, problems = render("Texte.\n\n```{r, fig.cap=\"ouvert}\nx <- 1\n```\n\n"
                            "```{r}\n#| eval: false\n#| echo: [true\ny <- 2\n```\n", None)
    assert "x</span>" in html and "y</span>" in html and "#|" not in html
    assert problems[0].startswith("content/01-essai.md:6: avertissement : en-tête de cellule illisible "
                                  "« {r, fig.cap=\"ouvert} » : guillemet ou parenthèse non fermé")
    assert problems[1].startswith("content/01-essai.md:12: avertissement : options « #| » de la cellule : "
                                  "YAML invalide")


def test_escaped_cell_and_pandoc_attributes():
    html, problems = render("```{{r}}\n1 + 1\n```\n\n```{.python .numberLines}\nx = 1\n```\n")
    assert problems == []
    assert '<code class="language-markdown">```{r}\n1 + 1\n```\n</code>' in html  # shown as written, never run
    assert '<code class="language-python"><span class="n">x</span>' in html


@pytest.fixture(scope="module")
def cells_site(tmp_path_factory) -> tuple[Path, str]:
    root = make_project(tmp_path_factory.mktemp("cellules") / "projet", "cells")
    (root / "expected").exists() and __import__("shutil").rmtree(root / "expected")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    return root, result.stderr


def article(page: str) -> str:
    return page[page.index("<article"):page.index("</article>") + len("</article>")]


@pytest.mark.parametrize("name", ["analyse.html", "sans-gel.html"])
def test_fixture_pages_match_their_expected_html(cells_site, name):
    """Golden-like: the article of each page, byte for byte (UPDATE_GOLDEN=1 regenerates; review the diff)."""
    root, _ = cells_site
    html = article((root / "site" / name).read_text(encoding="utf-8"))
    path = EXPECTED / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(html, encoding="utf-8")
    assert html == path.read_text(encoding="utf-8"), f"sortie différente de {path.name} (UPDATE_GOLDEN=1)"


def test_fixture_publishes_the_frozen_figure_and_reports_only_the_unexecuted_page(cells_site):
    root, stderr = cells_site
    assert (root / "site/_freeze/01-analyse/figure-html/fig-nuage-1.png").read_bytes() == \
        (root / "content/_freeze/01-analyse/figure-html/fig-nuage-1.png").read_bytes()
    assert "content/01-analyse.md" not in stderr
    assert [line.split(": avertissement : ")[0] for line in stderr.splitlines() if "avertissement" in line] == [
        "content/02-sans-gel.md:5", "content/02-sans-gel.md:7"]
    for name in ("analyse.html", "sans-gel.html"):
        text = re.sub(r"<[^>]+>", "", article((root / "site" / name).read_text(encoding="utf-8")))
        for raw in ("#|", "{r", "```", "{#fig", "@fig-", "@tbl-", "fig-alt"):
            assert raw not in text, f"{name} : « {raw} » visible"


def test_fixture_edited_page_reports_its_stale_freeze(tmp_path):
    root = make_project(tmp_path / "projet", "cells")
    page = root / "content" / "01-analyse.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nUne phrase ajoutée.\n", encoding="utf-8")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    assert ("content/01-analyse.md: avertissement : résultats figés plus anciens que la page "
            "(content/_freeze/01-analyse/execute-results/html.json)") in result.stderr
    assert "Une phrase ajoutée" in (root / "site" / "analyse.html").read_text(encoding="utf-8")
    assert '[1] 150' in (root / "site" / "analyse.html").read_text(encoding="utf-8")


def test_cells_quarto_renders_itself_keep_their_warning_and_hide_their_options():
    html, problems = render("```{ojs}\n//| echo: false\nviewof x = Inputs.range()\n```\n\n"
                            "```{mermaid}\n%%| fig-cap: Graphe\nflowchart LR\n  A --> B\n```\n")
    assert "//|" not in html and "%%|" not in html and "viewof x" in html and "flowchart LR" in html
    assert [p.split(": avertissement : ")[1][:28] for p in problems] == [
        "cellule « {ojs} » non exécut", "cellule « {mermaid} » non ex"]


def test_jupyter_freeze_with_labelled_figure_and_plain_output(tmp_path):
    (tmp_path / "_freeze/01-essai/figure-html").mkdir(parents=True)
    (tmp_path / "_freeze/01-essai/figure-html/fig-polar-output-1.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    body = ("```{python}\n#| label: fig-polar\n#| fig-cap: \"Une spirale\"\nplt.plot(r)\n```\n\n"
            "```{python}\n1 + 1\n```\n")
    executed = ("::: {#cell-fig-polar .cell execution_count=1}\n``` {.python .cell-code}\nplt.plot(r)\n```\n\n"
                "::: {.cell-output .cell-output-display}\n![Une spirale](01-essai_files/figure-html/"
                "fig-polar-output-1.png){#fig-polar width=450 height=439}\n:::\n:::\n\n"
                "::: {.cell execution_count=2}\n``` {.python .cell-code}\n1 + 1\n```\n\n"
                "::: {.cell-output .cell-output-display execution_count=2}\n```\n2\n```\n:::\n:::\n")
    html, problems = render(body, replace(frozen(executed), engine="jupyter"), tmp_path)
    assert problems == []
    assert ('<figure class="figure" id="fig-polar"><img src="_freeze/01-essai/figure-html/fig-polar-output-1.png" '
            'alt="Une spirale" width="450" height="439" loading="lazy"><figcaption><span class="figure-label">'
            'Figure 1.1</span> : Une spirale</figcaption></figure>') in html
    assert '<code class="language-python"><span class="mi">1</span>' in html
    assert '<div class="code"><pre class="highlight"><code>2\n</code></pre></div>' in html


def test_a_new_freeze_reaches_the_page_through_the_build_cache(tmp_path):
    root = make_project(tmp_path / "projet", "cells")
    assert run_build(root).returncode == 0
    freeze = root / "content/_freeze/01-analyse/execute-results/html.json"
    freeze.write_text(freeze.read_text(encoding="utf-8").replace("[1] 150", "[1] 151"), encoding="utf-8")
    result = run_build(root)  # same page, same config: only the freeze changed
    assert result.returncode == 0, result.stderr
    page = (root / "site" / "analyse.html").read_text(encoding="utf-8")
    assert "[1] 151" in page and "[1] 150" not in page
