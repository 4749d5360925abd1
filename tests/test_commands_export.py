"""Quarto book projects: the exported project is one Quarto accepts; a _quarto.yml gives the chapter list."""

import yaml

from conftest import make_project, run_build


def test_export_writes_a_valid_book_project(tmp_path):
    root = make_project(tmp_path / "projet", "quarto")
    dest = tmp_path / "livre"
    result = run_build(root, "export-quarto", str(dest))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Projet Quarto écrit dans {dest} : 7 fichiers (rendu : cd {dest} && quarto render).\n"
    project = yaml.safe_load((dest / "_quarto.yml").read_text(encoding="utf-8"))
    assert project["project"] == {"type": "book", "output-dir": "_book"}
    assert project["book"]["chapters"] == ["index.md", "00-preface.md", "01-attention.md", "02-suite.md"]
    assert set(project["format"]) == {"html", "typst", "epub"} and project["lang"] == "fr"
    for name in project["book"]["chapters"] + ["_encart.md", "assets/schema.svg"]:
        assert (dest / name).is_file(), name
    preface = (dest / "00-preface.md").read_text(encoding="utf-8")
    assert preface.startswith("# Préface {.unnumbered}\n\nCette préface renvoie à @sec-produit,")
    chapter = (dest / "01-attention.md").read_text(encoding="utf-8")
    assert chapter.startswith("# L’attention\n\n")
    assert "```{" not in chapter and "```python\n#| label: calcul" in chapter  # shown, never run by Quarto
    assert "{{< include _encart.md >}}" in chapter and "$$ {#eq-softmax}" in chapter
    for path in dest.glob("*.md"):
        assert not path.read_text(encoding="utf-8").startswith("---"), path.name  # no foreign front matter


def test_export_refuses_a_folder_that_is_not_an_export(tmp_path, project):
    dest = tmp_path / "occupe"
    dest.mkdir()
    (dest / "notes.txt").write_text("à garder", encoding="utf-8")
    result = run_build(project, "export-quarto", str(dest))
    assert result.returncode == 1
    assert result.stderr == (f"{dest}: export-quarto : le dossier n'est pas vide (choisissez un dossier vide "
                             "(ou un export précédent, qui sera remplacé))\n")
    assert run_build(project, "export-quarto", str(project / "content" / "x")).returncode == 1


def test_export_twice_replaces_the_previous_export(tmp_path, project):
    dest = tmp_path / "livre"
    assert run_build(project, "export-quarto", str(dest)).returncode == 0
    (project / "content" / "02-suite.md").unlink()
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - 02-suite.md\n", ""), encoding="utf-8")
    assert run_build(project, "export-quarto", str(dest)).returncode == 0
    assert not (dest / "02-suite.md").exists()


def test_chapters_come_from_a_quarto_book(project):
    (project / "content" / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Livre\n  chapters:\n    - index.qmd\n    - 00-avant-propos.md\n"
        "    - part: Première partie\n      chapters:\n        - 02-suite.md\n        - 01-bases.md\n",
        encoding="utf-8")
    config = project / "config.yaml"
    text = config.read_text(encoding="utf-8")
    text = text[:text.index("chapters:")] + "quarto_project: content/_quarto.yml\n" + text[text.index("extra:"):]
    config.write_text(text, encoding="utf-8")
    (project / "content" / "index.qmd").write_text("# Accueil du livre {.unnumbered}\n\nBienvenue.\n",
                                                   encoding="utf-8")
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    home = (project / "site" / "index.html").read_text(encoding="utf-8")  # index.qmd is the home page
    assert "<h1>Accueil du livre</h1>" in home and "Bienvenue." in home
    # each page keeps the address Quarto gives it, in the book's order
    assert home.index("00-avant-propos.html") < home.index("02-suite.html") < home.index("01-bases.html")


def test_missing_quarto_project(project):
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "quarto_project: _quarto.yml\n", encoding="utf-8")
    result = run_build(project)
    assert result.returncode == 1
    assert "config.yaml:16: « quarto_project » : fichier « _quarto.yml » introuvable" in result.stderr


def test_export_of_the_course_prints_figures_and_hides_answers(tmp_path):
    """The real course: every attention figure becomes a self-contained SVG image Quarto can print."""
    import shutil
    import xml.etree.ElementTree as ET

    from conftest import REPO

    root = tmp_path / "cours"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    dest = tmp_path / "livre"
    result = run_build(root, "export-quarto", str(dest))
    assert result.returncode == 0, result.stderr
    chapter = (dest / "01-transformers.md").read_text(encoding="utf-8")
    assert "{.attention" not in chapter
    # Quizzes: choices without ticks, answers folded away in a callout (Quarto prints them at the end).
    assert "- [x]" not in chapter and "- [ ]" not in chapter and "{.quiz" not in chapter
    assert ('- Faux à l\'entraînement ; en génération, seule la production des jetons est séquentielle\n\n'
            '::: {.callout-tip collapse="true" title="Voir la réponse"}\n'
            'Réponse : Faux à l\'entraînement ; en génération, seule la production des jetons est séquentielle.'
            ) in chapter
    svgs = sorted(p.name for p in (dest / "figures").glob("*.svg"))
    assert svgs == ["animal-fatigue.svg", "animal-large.svg", "chat-fatigue.svg", "chat-large.svg",
                    "exemple-calcul.svg"]
    assert "(Couche 4, tête 2.)](figures/animal-fatigue.svg){#fig-attention-animal-fatigue}" in chapter
    for name in svgs:
        svg = ET.fromstring((dest / "figures" / name).read_bytes())
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"
        assert svg.find("{http://www.w3.org/2000/svg}title").text


def test_quarto_chapter_list_is_checked_like_config_chapters(project):
    (project / "content" / "_quarto.yml").write_text(
        "book:\n  chapters:\n    - 00-avant-propos.md\n    - 01-bases.md\n    - 01-bases.md\n", encoding="utf-8")
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "quarto_project: content/_quarto.yml\n", encoding="utf-8")
    result = run_build(project)
    assert result.returncode == 1
    assert ("content/_quarto.yml:5: « 01-bases.md » figure deux fois dans la liste des chapitres (retirez l'une des "
            "deux mentions (ligne 4))") in result.stderr.splitlines()
    (project / "content" / "_quarto.yml").write_text("book:\n  chapters: []\n", encoding="utf-8")
    result = run_build(project)
    assert ("content/_quarto.yml:2: aucune page trouvée (dans book: chapters:) (listez les "
            "pages du projet, par exemple « book: chapters: [index.qmd, intro.qmd] »)") in result.stderr.splitlines()


def test_export_refuses_the_places_of_the_project(tmp_path, project):
    from conftest import tree_digest

    before = tree_digest(project)
    for dest, reason in [(project, "est le dossier du projet"), (tmp_path, "contient le dossier du projet"),
                         (project / "templates", "est le dossier des gabarits"),
                         (project / ".git", "est un dépôt git (.git)"),
                         (project / "site", "touche le dossier du site")]:
        result = run_build(project, "export-quarto", str(dest))
        assert result.returncode == 1
        assert result.stderr == (f"{dest}: export-quarto : le dossier « {dest} » {reason} : l'export le remplacerait "
                                 "en entier (choisissez un dossier à part, vide ou absent)\n")
    assert tree_digest(project) == before


def test_export_to_a_path_that_cannot_be_made(tmp_path, project):
    (tmp_path / "fichier").write_text("pas un dossier", encoding="utf-8")
    dest = tmp_path / "fichier" / "livre"
    result = run_build(project, "export-quarto", str(dest))
    assert result.returncode == 1
    assert result.stderr == (f"{dest}: export-quarto : un fichier du même nom existe déjà : « {tmp_path / 'fichier'} » "
                             "(choisissez un autre chemin, puis relancez)\n")
    assert (tmp_path / "fichier").read_text(encoding="utf-8") == "pas un dossier"


def test_a_failed_export_leaves_the_previous_export(tmp_path, project, monkeypatch):
    import errno
    import os

    from conftest import tree_digest
    from coursegen.commands import export as command
    from coursegen.errors import Problems, format_problem

    dest = tmp_path / "livre"
    assert run_build(project, "export-quarto", str(dest)).returncode == 0
    before = tree_digest(dest)

    def full_disk(staging, current, old, remove=True):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(staging / "01-bases.md"))

    monkeypatch.setattr(command, "swap", full_disk)
    problems = Problems()
    assert command.export(project, dest, problems) == []
    assert [format_problem(p) for p in problems.items] == [
        f"{dest}: export-quarto : écriture impossible : plus de place sur le disque : « {dest / '01-bases.md'} » "
        "(libérez de la place (df -h montre l'espace libre), puis relancez)"]
    assert tree_digest(dest) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["livre", "projet"]  # no half-written copy beside it

    monkeypatch.undo()
    assert command.export(project, dest, Problems()) != [] and tree_digest(dest) == before


def test_export_refuses_a_folder_whose_quarto_file_is_not_utf8(tmp_path, project):
    dest = tmp_path / "occupe"
    dest.mkdir()
    (dest / "_quarto.yml").write_bytes(b"\xff\xfe titre")
    result = run_build(project, "export-quarto", str(dest))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "export-quarto : le dossier n'est pas vide" in result.stderr
    assert (dest / "_quarto.yml").read_bytes() == b"\xff\xfe titre"
