"""source.quarto: the pages of a _quarto.yml, in the order and groups its navigation gives them."""

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES
from coursegen.config import Config
from coursegen.errors import Problems
from coursegen.source.quarto import OTHER_PAGES, pages_from_project


def project(tmp_path: Path, name: str) -> Config:
    root = tmp_path / "projet"
    shutil.copytree(FIXTURES / name, root)
    return Config(root=root, title="T", author="", quarto_project="_quarto.yml", content_dir=".",
                  project_type="book" if "book" in name else "website")


def read(config: Config) -> tuple[list, list[str]]:
    problems = Problems()
    return pages_from_project(config, problems), [str(p) for p in problems.items]


def test_book_chapters_parts_and_appendices(tmp_path):
    entries, problems = read(project(tmp_path, "quarto-book"))
    assert problems == []
    assert [(e.path, e.group, e.part, e.appendix) for e in entries] == [
        ("index.qmd", (), False, False), ("intro.qmd", (), False, False),
        ("bases.qmd", ("Première partie : les bases",), False, False),
        ("partie-deux.qmd", (), True, False), ("suite.qmd", ("@partie-deux.qmd",), False, False),
        ("annexe.qmd", ("Annexes",), False, True)]
    assert entries[1].line == 22  # its line in _quarto.yml


def test_website_sidebar_then_navbar_then_rendered_files(tmp_path):
    entries, problems = read(project(tmp_path, "quarto-site"))
    assert problems == []
    assert [(e.path, e.group) for e in entries] == [
        ("index.qmd", ()),
        ("a-propos.qmd", ("Pour commencer",)),
        ("guides/Fiche_api.qmd", ("Pour commencer", "Plus loin")),
        ("guides/sous-dossier/fiche.2.md", ("Guides",))]  # brouillons/ excluded by « ! », _partiel.qmd ignored
    assert entries[-1].text == "La fiche numéro 2"


def test_website_without_render_list_takes_every_page_but_hidden_ones(tmp_path):
    config = project(tmp_path, "quarto-site")
    yml = config.root / "_quarto.yml"
    yml.write_text("website:\n  title: Essai\n  navbar:\n    left:\n      - a-propos.qmd\n", encoding="utf-8")
    (config.root / "README.md").write_text("# Lisez-moi\n", encoding="utf-8")
    entries, problems = read(config)
    assert problems == []
    assert [(e.path, e.group) for e in entries] == [
        ("index.qmd", ()), ("a-propos.qmd", ()), ("brouillons/pas-pret.qmd", ()), ("guides/Fiche_api.qmd", ()),
        ("guides/sous-dossier/fiche.2.md", ())]


def test_pages_in_no_menu_go_under_their_own_group(tmp_path):
    config = project(tmp_path, "quarto-site")
    (config.root / "_quarto.yml").write_text(
        "project:\n  type: website\nwebsite:\n  navbar:\n    left:\n      - text: Menu\n        menu: [a-propos.qmd]\n",
        encoding="utf-8")
    entries, _ = read(config)
    assert [(e.path, e.group) for e in entries][:3] == [
        ("index.qmd", ()), ("a-propos.qmd", ("Menu",)), ("brouillons/pas-pret.qmd", (OTHER_PAGES,))]


def test_sidebar_auto_and_glob(tmp_path):
    config = project(tmp_path, "quarto-site")
    (config.root / "_quarto.yml").write_text(
        "project:\n  type: website\n  render: [index.qmd, a-propos.qmd]\nwebsite:\n  sidebar:\n"
        "    contents:\n      - section: Fiches\n        contents: guides/**\n", encoding="utf-8")
    entries, problems = read(config)
    assert problems == ['_quarto.yml:8: « contents » : une liste est attendue ici (écrivez une ligne « - page.qmd » '
                        'par page, ou « contents: auto »)']
    (config.root / "_quarto.yml").write_text(
        "project:\n  type: website\n  render: [index.qmd]\nwebsite:\n  sidebar:\n    contents: auto\n",
        encoding="utf-8")
    entries, problems = read(config)
    assert problems == []
    assert [(e.path, e.group) for e in entries] == [
        ("index.qmd", ()), ("a-propos.qmd", ()), ("brouillons/pas-pret.qmd", ("brouillons",)),
        ("guides/Fiche_api.qmd", ("guides",)), ("guides/sous-dossier/fiche.2.md", ("guides", "sous-dossier"))]


@pytest.mark.parametrize("yml, message", [
    ("book:\n  chapters:\n    - index.qmd\n    - absent.qmd\n",
     "_quarto.yml:4: page « absent.qmd » introuvable (vérifiez le chemin, relatif au dossier de _quarto.yml)"),
    ("book:\n  title: Livre\n",
     "_quarto.yml:2: « book: » sans liste « chapters: » (ajoutez « chapters: » avec la liste des fichiers du livre)"),
    ("book:\n  chapters: index.qmd\n",
     "_quarto.yml:2: une liste de fichiers est attendue ici (écrivez une ligne « - fichier.qmd » par chapitre)"),
    ("- une liste\n", "_quarto.yml:1: _quarto.yml doit être un dictionnaire de clés « clé: valeur » (commencez par "
     "« project: » puis « book: » ou « website: » (voir quarto.org))"),
])
def test_bad_project_is_a_located_french_error(tmp_path, yml, message):
    config = project(tmp_path, "quarto-book")
    (config.root / "_quarto.yml").write_text(yml, encoding="utf-8")
    entries, problems = read(config)
    assert entries is None and message in problems


def test_glob_matching_nothing_is_a_warning(tmp_path):
    config = project(tmp_path, "quarto-site")
    (config.root / "_quarto.yml").write_text("project:\n  render:\n    - index.qmd\n    - 'autres/*.qmd'\n",
                                             encoding="utf-8")
    entries, problems = read(config)
    assert [e.path for e in entries] == ["index.qmd"]
    assert problems == ["_quarto.yml:4: avertissement : « render » : « autres/*.qmd » ne désigne aucune page "
                        "(vérifiez le chemin, relatif au dossier de _quarto.yml)"]


def test_rmarkdown_pages_are_pages_and_notebooks_are_named(tmp_path):
    """Quarto renders .Rmd chapters (bookdown books moved to Quarto keep them); a .ipynb is not read here."""
    config = project(tmp_path, "quarto-book")
    (config.root / "_quarto.yml").write_text(
        "book:\n  title: Essai\n  chapters:\n    - index.Rmd\n    - 01-intro.Rmd\n    - carnet.ipynb\n",
        encoding="utf-8")
    for name in ("index.Rmd", "01-intro.Rmd"):
        (config.root / name).write_text("# Titre\n", encoding="utf-8")
    entries, problems = read(config)
    assert [e.path for e in entries] == ["index.Rmd", "01-intro.Rmd"]
    assert problems == ["_quarto.yml:6: avertissement : « carnet.ipynb » : carnet Jupyter non pris en charge "
                        "(ignoré) (convertissez le carnet en .qmd : quarto convert carnet.ipynb)"]
