"""The leak scanner (tests/leaks.py) on pages written for it, on the golden site and on a Quarto project."""


import pytest
from conftest import REPO, make_project, run_build
from leaks import by_construct, main, scan_page, scan_site

# What the Quarto fixture project still shows as source text on this branch. Each entry names the construct
# and why; when the branch that renders it is merged, its count drops and this list is updated.
KNOWN_LEAKS = {
    "code en ligne `r`": 1,              # `r mean(x)` without a freeze: shown as code, with a warning (by design)
}


@pytest.mark.parametrize("html, construct", [
    ("<p>Texte.\n:::</p>", "div :::"),
    ("<p>Un {{< meta title >}} resté</p>", "shortcode {{<"),
    ("<p>#| echo: false</p>", "options #|"),
    ('<pre><code class="language-python">#| echo: false\nprint(1)</code></pre>', "options #|"),
    ("<p>```{r nom, echo=FALSE}</p>", "cellule {r"),
    ("<p>Voir @sec-intro et @fig-a.</p>", "référence @sec-/@fig-"),
    ("<p>$$ x^2 $$</p>", "math $$"),
    ("<p>Selon [@dupont2020, p. 3]</p>", "citation [@…]"),
    ("<p>Un mot {.classe} perdu</p>", "attributs {#…}"),
    ("<p>Vaut <code>r mean(x)</code></p>", "code en ligne `r`"),
    ("<h2>Le module `re`</h2>", "Markdown dans un titre"),
    ("<title>**Gras** – Cours</title>", "Markdown dans un titre"),
    ('<nav><ol><li><a href="a.html">_Penché_</a></li></ol></nav>', "Markdown dans un titre"),
    ('<meta property="og:title" content="Le `code`">', "Markdown dans les métadonnées"),
])
def test_each_leak_is_found(html, construct):
    assert [leak.construct for leak in scan_page(html)] == [construct]


@pytest.mark.parametrize("html", [
    '<pre><code class="language-markdown">::: {.callout}\n#| echo: false\n[@a] @sec-x $$\n:::</code></pre>',
    "<p>Dans le code : <code>::: {.note}</code> et <code>[@clé]</code>.</p>",
    "<p>Écrivez à contact@sec-info.fr ; a &lt; b ; le_nom_de_variable.</p>",
    "<script>const s = ':::';</script><style>a::after{}</style>",
    '<h2>Le module <code>re</code> <a class="ancre" href="#x">#</a></h2>',
    "<pre><code>``` {{r}}\n#| label: a\nx\n```</code></pre>",  # a cell shown whole, fences included (r4ds)
])
def test_code_examples_and_ordinary_text_are_not_leaks(html):
    assert scan_page(html) == []


def test_golden_site_has_no_leak():
    assert scan_site(REPO / "tests" / "golden") == []


def test_quarto_project_leaks_only_what_other_branches_are_fixing(tmp_path):
    root = make_project(tmp_path / "projet", "quarto/constructs")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    assert dict(by_construct(scan_site(root / "site"))) == KNOWN_LEAKS


def test_command_line(tmp_path, capsys):
    (tmp_path / "a.html").write_text("<p>[@x]</p>", encoding="utf-8")
    assert main([str(tmp_path)]) == 1
    assert capsys.readouterr().out.splitlines() == ["citation [@…] : 1 (par exemple a.html : « [@x] »)",
                                                    "Fuites : 1."]
    assert main([str(tmp_path / "absent")]) == 2
