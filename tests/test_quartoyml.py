"""quartoyml: the settings a _quarto.yml gives the site, and config.yaml reduced to ``quarto_project``."""

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES
from coursegen.config import Config, load_config, load_quarto_folder
from coursegen.errors import Problems


def book(tmp_path: Path) -> Path:
    root = tmp_path / "projet"
    shutil.copytree(FIXTURES / "quarto-book", root / "content")
    return root


def test_one_line_config_takes_everything_from_quarto(tmp_path):
    root = book(tmp_path)
    (root / "config.yaml").write_text("quarto_project: content/_quarto.yml\n", encoding="utf-8")
    problems = Problems()
    config = load_config(root, problems)
    assert [str(p) for p in problems.items] == []
    assert (config.title, config.author, config.language, config.site_url) == (
        "Petit livre d'essai", "Ada Lovelace, Alan Turing", "fr", "https://exemple.org/livre/")
    assert (config.repo_url, config.repo_branch, config.repo_actions) == (
        "https://github.com/exemple/livre", "principale", ("edit", "source", "issue"))
    assert config.favicon == "images/icone.png" and config.page_footer["left"] == "Écrit avec *soin*."
    assert (config.project_type, config.numbered, config.number_depth) == ("book", True, 6)


def test_config_yaml_wins_over_quarto(tmp_path):
    root = book(tmp_path)
    (root / "config.yaml").write_text('quarto_project: content/_quarto.yml\ntitle: "Autre titre"\n', encoding="utf-8")
    config = load_config(root, Problems())
    assert config.title == "Autre titre" and config.author == "Ada Lovelace, Alan Turing"


def test_a_website_numbers_nothing_unless_asked(tmp_path):
    root = tmp_path / "site"
    shutil.copytree(FIXTURES / "quarto-site", root)
    problems = Problems()
    config = load_quarto_folder(root, problems, FIXTURES.parent.parent / "templates")
    assert (config.project_type, config.numbered, config.content_dir, config.output_dir) == (
        "website", False, ".", "_atelier")
    text = (root / "_quarto.yml").read_text(encoding="utf-8")
    (root / "_quarto.yml").write_text(text + "number-sections: true\nnumber-depth: 2\n", encoding="utf-8")
    config = load_quarto_folder(root, Problems(), FIXTURES.parent.parent / "templates")
    assert (config.numbered, config.number_depth) == (True, 2)


@pytest.mark.parametrize("extra, message", [
    ("  number-depth: deux\n", "content/_quarto.yml:31: « number-depth » doit être un entier (reçu \"deux\") "
                               "(corrigez la valeur dans _quarto.yml)"),
    ("  site-url: exemple.org\n", "content/_quarto.yml:31: « site-url » : adresse du site invalide « exemple.org » "
                                  "(exemple : https://exemple.github.io/projet/)"),
])
def test_wrong_quarto_value_is_a_located_error(tmp_path, extra, message):
    root = book(tmp_path)
    yml = root / "content" / "_quarto.yml"
    yml.write_text(yml.read_text(encoding="utf-8") + extra, encoding="utf-8")
    (root / "config.yaml").write_text("quarto_project: content/_quarto.yml\n", encoding="utf-8")
    problems = Problems()
    assert load_config(root, problems) is None
    assert message in [str(p) for p in problems.items]


def test_missing_title_and_unknown_action_are_warnings(tmp_path):
    root = tmp_path / "livre"
    (root / "content").mkdir(parents=True)
    (root / "content" / "_quarto.yml").write_text("book:\n  repo-actions: [edit, tweet]\n  chapters: [a.qmd]\n",
                                                  encoding="utf-8")
    (root / "config.yaml").write_text("quarto_project: content/_quarto.yml\n", encoding="utf-8")
    problems = Problems()
    config = load_config(root, problems)
    assert config.title == "content" and config.repo_actions == ("edit",)
    assert [str(p) for p in problems.items] == [
        "content/_quarto.yml:2: avertissement : « repo-actions » : action inconnue \"tweet\" (ignorée) "
        "(actions possibles : edit, issue, source)",
        "content/_quarto.yml:2: avertissement : titre du site absent : le nom du dossier le remplace "
        "(ajoutez « title: … » sous « book: »)"]


def test_missing_quarto_file_is_named_at_its_config_line(tmp_path):
    (tmp_path / "config.yaml").write_text("# réglages\nquarto_project: content/_quarto.yml\n", encoding="utf-8")
    problems = Problems()
    assert load_config(tmp_path, problems) is None
    assert [str(p) for p in problems.items] == [
        "config.yaml:2: « quarto_project » : fichier « content/_quarto.yml » introuvable "
        "(indiquez le chemin du _quarto.yml, relatif à config.yaml)"]


def test_a_course_config_is_unchanged():
    assert Config(root=Path("."), title="T", author="A").numbered is True


def test_meta_and_var_shortcodes_in_settings_are_expanded(tmp_path):
    """Real projects write ``repo-url: "{{< meta var.url-repo >}}"`` (Quarto expands it in its own settings)."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "_quarto.yml").write_text(
        'var:\n  depot: https://github.com/exemple/site\nwebsite:\n  title: "Essai {{< var version >}}"\n'
        '  repo-url: "{{< meta var.depot >}}"\n  page-footer:\n    right: "[Source]({{< meta var.depot >}})"\n'
        '    left: "{{< meta absent >}}fin"\n', encoding="utf-8")
    (root / "_variables.yml").write_text("version: 2\n", encoding="utf-8")
    (root / "index.qmd").write_text("# Accueil\n", encoding="utf-8")
    problems = Problems()
    config = load_quarto_folder(root, problems, FIXTURES.parent.parent / "templates")
    assert (config.title, config.repo_url) == ("Essai 2", "https://github.com/exemple/site")
    assert config.page_footer == {"right": "[Source](https://github.com/exemple/site)", "left": "fin"}
    assert [str(p) for p in problems.items] == [
        "_quarto.yml:7: avertissement : « {{< meta absent >}} » : valeur introuvable (remplacée par rien) "
        "(définissez-la dans _quarto.yml (meta) ou dans _variables.yml (var))"]


@pytest.mark.parametrize("favicon, message", [
    ("page.html", "« favicon » : « page.html » n'est pas une image (ignorée)"),
    ("\0", "« favicon » : « \0 » n'est pas une image (ignorée)"),
])
def test_a_favicon_is_an_image_of_the_project_or_nothing(tmp_path, favicon, message):
    """Published beside the pages, an .html « favicon » would run its scripts on the site's own origin."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "page.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    (root / "_quarto.yml").write_text(f'website:\n  title: T\n  favicon: "{favicon}"\n'.replace("\0", "\\0"),
                                      encoding="utf-8")
    (root / "index.qmd").write_text("# Accueil\n", encoding="utf-8")
    problems = Problems()
    config = load_quarto_folder(root, problems, FIXTURES.parent.parent / "templates")
    assert config.favicon == ""
    assert [p.message for p in problems.items] == [message]


def test_variables_and_quarto_files_linked_from_elsewhere_are_refused(tmp_path):
    """A symbolic link must not bring a file from elsewhere on the machine into the published pages."""
    secret = tmp_path / "ailleurs.yml"
    secret.write_text("x: SECRET\ntitle: SECRET\n", encoding="utf-8")
    root = tmp_path / "site"
    root.mkdir()
    (root / "_variables.yml").symlink_to(secret)
    (root / "_quarto.yml").write_text('website:\n  title: "T {{< var x >}}"\n', encoding="utf-8")
    (root / "index.qmd").write_text("# Accueil\n", encoding="utf-8")
    problems = Problems()
    config = load_quarto_folder(root, problems, FIXTURES.parent.parent / "templates")
    assert "SECRET" not in config.title
    linked = tmp_path / "lien"
    linked.mkdir()
    (linked / "_quarto.yml").symlink_to(secret)
    problems = Problems()
    load_quarto_folder(linked, problems, FIXTURES.parent.parent / "templates")
    assert any("mène hors du projet" in p.message for p in problems.items)
