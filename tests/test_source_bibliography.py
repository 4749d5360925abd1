"""Where a page's bibliography comes from (coursegen/source/bibliography.py): its front matter, else _quarto.yml."""

from pathlib import Path

from coursegen.config import Config
from coursegen.errors import Problems
from coursegen.source.bibliography import Bibliography, page_bibliography, project_bibliography


def project(tmp_path: Path, quarto: str | None = None) -> Config:
    (tmp_path / "content" / "biblio").mkdir(parents=True)
    for name in ("content/biblio/refs.bib", "content/autre.json", "content/style.csl"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    if quarto is not None:
        (tmp_path / "content" / "_quarto.yml").write_text(quarto, encoding="utf-8")
    return Config(root=tmp_path, title="T", author="A", quarto_project="content/_quarto.yml" if quarto else "")


def test_front_matter_paths_are_relative_to_the_page(tmp_path):
    config, problems = project(tmp_path), Problems()
    bib = page_bibliography({"bibliography": ["biblio/refs.bib", "autre.json"], "csl": "style.csl"},
                            {"bibliography": 3, "csl": 4}, "content/01-a.md", config, problems)
    assert problems.items == []
    assert bib == Bibliography(("content/biblio/refs.bib", "content/autre.json"), "content/style.csl",
                               "content/01-a.md", 3)


def test_project_bibliography_is_the_default_and_the_page_wins(tmp_path):
    config = project(tmp_path, "project:\n  type: book\nbibliography: biblio/refs.bib\n")
    problems = Problems()
    assert project_bibliography(config, problems) == Bibliography(("content/biblio/refs.bib",), "",
                                                                  "content/_quarto.yml", 3)
    assert page_bibliography({}, {}, "content/01-a.md", config, problems).files == ("content/biblio/refs.bib",)
    own = page_bibliography({"bibliography": "autre.json"}, {"bibliography": 2}, "content/01-a.md", config, problems)
    assert own.files == ("content/autre.json",)
    styled = page_bibliography({"csl": "style.csl"}, {"csl": 2}, "content/01-a.md", config, problems)
    assert (styled.files, styled.csl) == (("content/biblio/refs.bib",), "content/style.csl")
    assert problems.items == []


def test_missing_file_and_style_are_errors_at_their_line(tmp_path):
    config, problems = project(tmp_path), Problems()
    assert page_bibliography({"bibliography": "absent.bib", "csl": "absent.csl"}, {"bibliography": 3, "csl": 4},
                             "content/01-a.md", config, problems) is None
    assert [str(p) for p in problems.items] == [
        "content/01-a.md:3: bibliographie « absent.bib » introuvable (indiquez un chemin relatif au fichier qui "
        "la déclare (.bib ou CSL JSON))",
        "content/01-a.md:4: style de citation « absent.csl » introuvable (indiquez le chemin d'un fichier .csl, "
        "relatif au fichier qui le déclare, ou retirez « csl: » pour le style par défaut)"]


def test_wrong_type_outside_and_unknown_format(tmp_path):
    config, problems = project(tmp_path), Problems()
    (tmp_path / "content" / "notes.txt").write_text("x", encoding="utf-8")
    (tmp_path / "dehors.bib").write_text("x", encoding="utf-8")
    for value in ([], [3], "notes.txt", "../../dehors.bib"):
        assert page_bibliography({"bibliography": value}, {"bibliography": 2}, "content/01-a.md", config,
                                 problems) is None
    assert [p.message for p in problems.items] == [
        "« bibliography » doit être un chemin de fichier ou une liste de chemins"] * 2 + [
        "bibliographie « notes.txt » : format non reconnu", "bibliographie « ../../dehors.bib » introuvable"]


def test_no_bibliography_anywhere(tmp_path):
    config, problems = project(tmp_path, "project:\n  type: book\n"), Problems()
    assert page_bibliography({}, {}, "content/01-a.md", config, problems) is None and problems.items == []
