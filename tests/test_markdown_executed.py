"""The executed page of Quarto's freeze: its cells, their parts, and how they line up with the source."""

from coursegen.markdown.executed import Part, align, blocks, read_cell

EXECUTED = """Intro modifiée depuis.

::: {.cell}

```{.r .cell-code}
x <- 1
x
```

::: {.cell-output .cell-output-stdout}

```
[1] 1
```

:::

::: {.cell-output-display}
![Une figure](page_files/figure-html/fig-a-1.png){#fig-a}
:::
:::

Texte avec 42 valeurs.

::: {.callout-note}
::: {#tbl-b .cell tbl-cap='Un tableau'}
::: {.cell-output-display}
| a |
|---|
| 1 |
:::
:::
:::

::: {.cell}
```{.python .cell-code code-fold="true"}
print(":::")
```
:::
"""


def test_blocks_finds_cells_at_any_depth_and_ignores_fenced_colons():
    lines = EXECUTED.split("\n")
    found = blocks(lines)
    assert [(lines[a], lines[b]) for a, b, _ in found] == [
        ("::: {.cell}", ":::"), ("::: {#tbl-b .cell tbl-cap='Un tableau'}", ":::"), ("::: {.cell}", ":::")]
    assert [attrs for _, _, attrs in found][1] == "{#tbl-b .cell tbl-cap='Un tableau'}"


def test_read_cell_splits_code_streams_and_displays():
    lines = EXECUTED.split("\n")
    a, b, attrs = blocks(lines)[0]
    cell = read_cell(attrs, lines[a + 1:b])
    assert cell.parts == (
        Part("code", "x <- 1\nx", "{.r .cell-code}"),
        Part("stdout", "[1] 1"),
        Part("markdown", "![Une figure](page_files/figure-html/fig-a-1.png){#fig-a}"),
    )


def test_align_skips_cells_quarto_left_out_and_pairs_edited_lines():
    source = """Intro.

```{r}
#| include: false
library(x)
```

```{r}
x <- 1
x
```

Texte avec `r n` valeurs.

::: {.callout-note}
```{r}
#| label: tbl-b
knitr::kable(d)
```
:::

```{python}
print(":::")
```
""".split("\n")
    spans = [(2, 5, "\0hidden"), (7, 10, "x <- 1"), (15, 18, "knitr::kable(d)"), (21, 23, 'print(":::")')]
    result = align(source, spans, EXECUTED)
    assert sorted(result.cells) == [1, 2, 3]  # the include: false cell has no executed counterpart
    assert result.cells[1].parts[1] == Part("stdout", "[1] 1")
    assert result.cells[2].attrs.startswith("{#tbl-b")
    assert result.cells[3].parts == (Part("code", 'print(":::")', '{.python .cell-code code-fold="true"}'),)
    assert result.lines[12] == "Texte avec 42 valeurs."
    assert result.lines[0] == "Intro modifiée depuis."


def test_align_takes_output_written_without_a_cell_div():
    source = "Avant.\n\n```{r}\n#| output: asis\ncat('**gras**')\n```\n\nAprès.\n".split("\n")
    result = align(source, [(2, 5, "cat('**gras**')")], "Avant.\n\n**gras**\n\nsuite\n\nAprès.\n")
    assert result.cells[0].parts == (Part("markdown", "**gras**\n\nsuite"),)


def test_align_leaves_unmatched_cells_alone():
    source = "A.\n\n```{r}\nx\n```\n\n```{r}\ny\n```\n".split("\n")
    result = align(source, [(2, 4, "x"), (6, 8, "y")], "A.\n\n::: {.cell}\n```{.r .cell-code}\nx\n```\n:::\n")
    assert list(result.cells) == [0]  # the cell added since the freeze has no output
    hidden = align(source, [(2, 4, ""), (6, 8, "")], "A.\n\n::: {.cell}\n:::\n")
    assert list(hidden.cells) == [0]  # cells without code to tell them apart are taken in order
