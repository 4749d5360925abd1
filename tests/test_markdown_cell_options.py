"""Cell options as Quarto reads them: knitr headers (R values) and ``#|`` YAML lines."""

import pytest

from coursegen.markdown.cell_options import Expr, cell_language, read_cell


@pytest.mark.parametrize("info,lang", [
    ("{r}", "r"), ("{python}", "python"), ("{r label, echo=FALSE}", "r"), ("{r,eval=FALSE}", "r"),
    ("{ojs}", "ojs"), ("python", None), ("{.python .cell-code}", None), ("{=html}", None),
])
def test_cell_language(info, lang):
    assert cell_language(info) == lang


def test_knitr_header_with_label_and_r_values():
    cell = read_cell('{r ma-figure, echo=FALSE, fig.cap="Une légende, avec virgule", out.width = \'80%\', '
                     'fig.width=6.5, eval = T, results=NULL}', "plot(1)\n")
    assert cell.lang == "r"
    assert cell.values == {"label": "ma-figure", "echo": False, "fig-cap": "Une légende, avec virgule",
                           "out-width": "80%", "fig-width": 6.5, "eval": True, "results": None}
    assert cell.code == "plot(1)\n" and cell.problems == []


def test_knitr_label_may_hold_spaces_and_values_may_be_code():
    cell = read_cell("{r exemple millesime, eval = F, code=readLines('a, b.R')}", "")
    assert cell.values == {"label": "exemple millesime", "eval": False, "code": Expr("readLines('a, b.R')")}
    assert cell.flag("eval") is False


def test_yaml_option_lines_win_over_the_header_and_are_removed_from_the_code():
    code = ("#| label: fig-x\n#| echo: false\n#| fig-cap: |\n#|   Sur deux\n#|   lignes.\n#| fig.alt: Texte\n"
            "x <- 1\n#| pas une option\n")
    cell = read_cell("{r, echo=TRUE}", code)
    assert cell.values["echo"] is False
    assert cell.values["fig-cap"] == "Sur deux\nlignes.\n" and cell.values["fig-alt"] == "Texte"
    assert cell.code == "x <- 1\n#| pas une option\n"
    assert not cell.flag("echo") and cell.shows_output


def test_expr_tag_and_comment_styles():
    cell = read_cell("{r}", '#| eval: !expr "!file.exists(\'x\')"\nx\n')
    assert cell.values["eval"] == Expr("!file.exists('x')") and cell.flag("eval") and cell.executed
    sql = read_cell("{sql}", "--| eval: false\nSELECT 1\n")
    assert sql.values == {"eval": False} and sql.code == "SELECT 1\n" and not sql.shows_output


def test_include_and_output_false_show_no_output():
    assert not read_cell("{r, include=FALSE}", "x").shows_output
    assert not read_cell("{python}", "#| output: false\nx").shows_output
    assert read_cell("{python}", "#| output: asis\nx").shows_output


@pytest.mark.parametrize("info,message", [
    ('{r, fig.cap="non fermée}', "en-tête de cellule illisible"),
    ("{r, echo=(TRUE}", "en-tête de cellule illisible"),
    ("{r nom, FALSE}", "option de cellule « FALSE » sans valeur : ignorée"),
    ("{r, =FALSE}", "option de cellule « =FALSE » illisible : ignorée"),
])
def test_malformed_header_is_reported_at_the_fence(info, message):
    cell = read_cell(info, "x\n")
    assert [(line, msg[:len(message)]) for line, msg, _ in cell.problems] == [(0, message)]


def test_malformed_yaml_lines_are_reported_at_their_line_and_ignored():
    cell = read_cell("{r}", "#| echo: false\n#| fig-cap: Partie : suite\n#| eval: false\nx\n")
    assert cell.values == {} and cell.code == "x\n"
    [(line, message, _)] = cell.problems
    assert (line, message) == (2, "options « #| » de la cellule : YAML invalide : deux-points inattendu dans une "
                                  "valeur ; ignorées")
    assert read_cell("{r}", "#| - echo\nx").problems[0][1].startswith("options « #| » de la cellule : des lignes")
