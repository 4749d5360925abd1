"""Quarto-flavoured Markdown: the fixture chapter written in Quarto syntax, includes, shortcodes, @refs."""

import re

import pytest

from conftest import make_project, run_build


@pytest.fixture(scope="module")
def quarto_site(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("quarto") / "projet", "quarto")
    result = run_build(root, "--strict")
    assert result.returncode == 0, result.stderr
    return {name: (root / "site" / name).read_text(encoding="utf-8")
            for name in ("preface.html", "attention.html", "suite.html")}


def article(page: str) -> str:
    return page[page.index("<article"):page.index("</article>")]


def test_cross_references_are_numbered_french_links(quarto_site):
    preface = article(quarto_site["preface.html"])
    assert 'renvoie à <a class="xref" href="attention.html#sec-produit">section 1.1</a>' in preface
    assert 'à la <a class="xref" href="attention.html#fig-schema">figure 1.1</a>' in preface
    assert 'au <a class="xref" href="attention.html#tbl-modeles">tableau 1.1</a>.' in preface
    # capitalised at the start of a sentence; [-@…] gives the number only, as Quarto does
    assert '<a class="xref" href="attention.html#eq-softmax">Équation (1.1)</a> est la formule' in preface
    assert 'le numéro seul\u00a0: <a class="xref" href="attention.html#sec-produit">1.1</a>.' in preface
    chapter = article(quarto_site["attention.html"])
    assert '(<a class="xref" href="preface.html#sec-lecture">section « Lecture »</a>)' in chapter
    assert 'Voir l’<a class="xref" href="#eq-softmax">équation (1.1)</a> puis ' \
           '<a class="xref" href="#eq-egalite">équation (1.2)</a>.' in chapter
    suite = article(quarto_site["suite.html"])
    assert suite.count('class="xref"') == 3
    assert '<a class="xref" href="attention.html#fig-schema">Figure 1.1</a> et le' in suite


def test_figures_tables_and_equations(quarto_site):
    chapter = article(quarto_site["attention.html"])
    assert ('<figure class="figure" id="fig-schema"><img src="assets/schema.svg" alt="Un schéma en exemple" '
            'class="largeur-60" loading="lazy"><figcaption><span class="figure-label">Figure 1.1</span>') in chapter
    assert 'alt="Petit schéma" width="240" loading="lazy">' in chapter
    assert ('<figure class="table" id="tbl-modeles">\n<figcaption><span class="figure-label">Tableau 1.1</span> : '
            'Quelques modèles</figcaption>\n<table>') in chapter
    assert "</table>\n</figure>" in chapter
    assert '<div class="math equation" id="eq-softmax"><math' in chapter
    assert '<span class="equation-number">(1.2)</span></div>' in chapter


def test_divs_spans_cells_and_include(quarto_site):
    chapter = article(quarto_site["attention.html"])
    assert '<details class="callout callout-tip"><summary class="callout-title">Astuce du jour</summary>' in chapter
    assert '<p class="callout-title">Important</p>' in chapter
    assert '<div id="bloc-libre" class="encadre" data-niveau="2">' in chapter
    assert '<span class="mise-en-avant">important</span>' in chapter
    assert '<a href="#sec-produit" class="discret">lien</a>' in chapter
    assert '<code class="language-python"><span class="nb">print</span>' in chapter
    assert "#|" not in chapter and "jamais exécuté" in chapter
    assert '<code class="language-r"><span class="n">x</span>' in chapter
    assert '<h3 id="sec-encart"><span class="numero">1.1.1</span> Un encart inclus' in chapter
    assert '<h2 id="annexe" class="unnumbered">Annexe' in chapter


@pytest.mark.parametrize("name", ["preface.html", "attention.html", "suite.html"])
def test_no_raw_quarto_syntax_left(quarto_site, name):
    text = re.sub(r"<[^>]+>", "", article(quarto_site[name]))
    for raw in (":::", "{#", "{.", "@fig-", "@sec-", "@tbl-", "@eq-", "{{<", "$$"):
        assert raw not in text, f"{name}: « {raw} » visible dans la page"


def write_chapter(project, body: str, name: str = "02-suite.md") -> None:
    (project / "content" / name).write_text(f"---\ntitle: \"La suite\"\n---\n{body}", encoding="utf-8")


def test_unknown_reference_is_an_error_with_a_hint(project):
    write_chapter(project, "Texte.\n\nVoir @sec-liste.\n")
    result = run_build(project)
    assert result.returncode == 1
    assert ("content/02-suite.md:6: référence croisée « @sec-liste » introuvable "
            "(vouliez-vous dire « sec-listes » ?)") in result.stderr.splitlines()


def test_unknown_reference_without_a_close_name(project):
    write_chapter(project, "Voir [@tbl-rien].\n")
    result = run_build(project)
    assert ("content/02-suite.md:4: référence croisée « @tbl-rien » introuvable "
            "(ajoutez {#tbl-rien} à la légende d'un tableau, dans ce chapitre ou un autre)") in result.stderr


def test_e_mail_addresses_are_not_references(project):
    write_chapter(project, "Écrivez à equipe@sec-atelier.fr.\n")
    result = run_build(project, "--strict")
    assert result.returncode == 0, result.stderr
    assert "equipe@sec-atelier.fr" in (project / "site" / "suite.html").read_text(encoding="utf-8")


def test_errors_in_an_included_file_point_into_it(project):
    (project / "content" / "_partie.md").write_text("Ligne un.\n\nVoir @fig-absente.\n", encoding="utf-8")
    write_chapter(project, "Avant.\n\n{{< include _partie.md >}}\n\nAprès [@sec-nulle].\n")
    result = run_build(project)
    lines = result.stderr.splitlines()
    assert any(line.startswith("content/_partie.md:3: référence croisée « @fig-absente » introuvable")
               for line in lines), result.stderr
    assert any(line.startswith("content/02-suite.md:8: référence croisée « @sec-nulle » introuvable")
               for line in lines), result.stderr


def test_include_cycle_names_the_chain(project):
    (project / "content" / "_a.md").write_text("A\n\n{{< include _b.md >}}\n", encoding="utf-8")
    (project / "content" / "_b.md").write_text("B\n{{< include _a.md >}}\n", encoding="utf-8")
    write_chapter(project, "{{< include _a.md >}}\n")
    result = run_build(project)
    assert result.returncode == 1
    assert ("content/_b.md:2: inclusion circulaire : content/02-suite.md → content/_a.md → content/_b.md → "
            "content/_a.md (retirez l'une de ces inclusions)") in result.stderr.splitlines()


def test_include_outside_the_project_is_refused(project, tmp_path):
    (tmp_path / "secret.md").write_text("secret\n", encoding="utf-8")
    write_chapter(project, "{{< include ../../secret.md >}}\n")
    result = run_build(project)
    assert result.returncode == 1
    assert ("content/02-suite.md:4: inclusion de « ../../secret.md » refusée : le fichier est hors du projet "
            "(les fichiers inclus se placent dans le projet, par exemple content/_partie.md)") in result.stderr


def test_missing_include(project):
    write_chapter(project, "{{< include _absent.md >}}\n")
    result = run_build(project)
    assert ("content/02-suite.md:4: fichier inclus « _absent.md » introuvable "
            "(le chemin est relatif au fichier qui l'inclut (content/02-suite.md))") in result.stderr


def test_unknown_shortcodes_and_stray_syntax_are_warnings_never_shown(project):
    write_chapter(project, "Avant {{< fa brands github >}} après, et `{{< code >}}` reste.\n\n"
                           "Texte {#pas-ici} seul.\n\n:::\n\n```{mermaid}\ngraph LR\n```\n")
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "content/02-suite.md:4: avertissement : shortcode Quarto « fa » non pris en charge : retiré de la page "
        "(shortcodes reconnus : include, var, meta, pagebreak, kbd, video ; remplacez celui-ci par du texte ou une "
        "image)",
        "content/02-suite.md:6: avertissement : attributs non reconnus « {#pas-ici} » : retirés de la page "
        "(placez {#id .classe} juste après un titre, une image, un lien ou [un texte])",
        "content/02-suite.md:8: avertissement : « ::: » sans bloc à fermer ou mal formé : ligne retirée de la page "
        "(chaque « ::: {.classe} » se ferme par une ligne « ::: » ; vérifiez les accolades)",
        "content/02-suite.md:10: avertissement : cellule « {mermaid} » non exécutée : son code est affiché tel quel "
        "(remplacez-la par une image (SVG) du résultat)",
    ]
    page = article((project / "site" / "suite.html").read_text(encoding="utf-8"))
    assert "brands" not in page and "{#pas-ici}" not in page and ":::" not in page
    assert "<code>{{&lt; code &gt;}}</code>" in page
    assert run_build(project, "--strict").returncode == 1


def test_image_width_in_unknown_unit_is_a_warning(project):
    write_chapter(project, "![Schéma](assets/schema.svg){width=5in style=\"color: red\"}\n")
    result = run_build(project)
    assert result.stderr.splitlines() == [
        "content/02-suite.md:4: avertissement : largeur « 5in » non prise en charge : ignorée "
        "(écrivez width=60% (de 5 % en 5 %) ou une taille en pixels : width=300px)",
        "content/02-suite.md:4: avertissement : attribut « style » ignoré sur l'image "
        "(la politique de sécurité du site interdit les styles en ligne : utilisez width=)",
    ]
    assert "style=" not in (project / "site" / "suite.html").read_text(encoding="utf-8")
