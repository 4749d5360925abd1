"""Quarto's freeze as a source: where it is, what is read from it, and when it is older than its page."""

import json
import os
from pathlib import Path

from coursegen.config import Config
from coursegen.errors import Problems
from coursegen.source.freeze import freeze_file, load_freeze, project_dir, source_hash

PAGE = "---\ntitle: \"Essai\"\n---\n\nDu texte.\n"


def make(tmp_path: Path, page: str = PAGE, data: object | None = None, raw: str | None = None,
         quarto: bool = True) -> tuple[Config, str]:
    content = tmp_path / "content"
    (content / "sous").mkdir(parents=True)
    (content / "sous" / "page.qmd").write_text(page, encoding="utf-8")
    if quarto:
        (content / "_quarto.yml").write_text("project:\n  type: book\n", encoding="utf-8")
    target = content / "_freeze" / "sous" / "page" / "execute-results" / "html.json"
    if data is not None or raw is not None:
        target.parent.mkdir(parents=True)
        target.write_text(raw if raw is not None else json.dumps(data), encoding="utf-8")
    config = Config(root=tmp_path, title="T", author="A", quarto_project="content/_quarto.yml" if quarto else "")
    return config, "content/sous/page.qmd"


def executed(markdown: str, hash_: str | None, **extra) -> dict:
    data = {"result": {"engine": "knitr", "markdown": markdown, "supporting": ["page_files"], **extra}}
    if hash_ is not None:
        data["hash"] = hash_
    return data


def test_freeze_path_follows_the_page_path_in_the_project(tmp_path):
    config, page = make(tmp_path)
    assert project_dir(config) == tmp_path / "content"
    assert str(freeze_file(tmp_path / page, project_dir(config))) == "_freeze/sous/page/execute-results/html.json"
    assert project_dir(Config(root=tmp_path, title="T", author="A")) == tmp_path / "content"


def test_hash_is_quartos_md5_of_the_text_with_lf_line_ends():
    assert source_hash("a\r\nb\n") == source_hash("a\nb\n") == "dd8c6a395b5dd36c56d23275028f526c"  # md5sum of "a\nb\n"


def test_fresh_freeze_is_read_without_its_front_matter(tmp_path):
    config, page = make(tmp_path, data=executed("---\ntitle: Essai\n---\n\nDu texte.\n", source_hash(PAGE)))
    problems = Problems()
    frozen = load_freeze(page, config, problems)
    assert problems.items == []
    assert frozen is not None and frozen.markdown == "\nDu texte.\n" and not frozen.stale
    assert (frozen.path, frozen.engine) == ("content/_freeze/sous/page/execute-results/html.json", "knitr")
    # figures are linked from the page's folder: ../_freeze/sous/page/figure-html/…
    assert (frozen.files_prefix, frozen.files_dir) == ("page_files/", "../_freeze/sous/page/")


def test_freeze_older_than_its_page_is_a_warning_naming_the_page(tmp_path):
    config, page = make(tmp_path, data=executed("Du texte.\n", source_hash(PAGE + "modifié")))
    problems = Problems()
    frozen = load_freeze(page, config, problems)
    assert frozen is not None and frozen.stale
    assert [str(p) for p in problems.items] == [
        "content/sous/page.qmd: avertissement : résultats figés plus anciens que la page "
        "(content/_freeze/sous/page/execute-results/html.json) : les sorties affichées peuvent ne plus correspondre "
        "au code (relancez « quarto render sous/page.qmd » puis gardez le dossier _freeze/ avec les sources)"]


def test_without_hash_dates_decide(tmp_path):
    config, page = make(tmp_path, data=executed("Du texte.\n", None))
    freeze = tmp_path / "content/_freeze/sous/page/execute-results/html.json"
    os.utime(freeze, (1_000_000, 1_000_000))
    assert load_freeze(page, config, Problems()).stale
    os.utime(freeze, (4_000_000_000, 4_000_000_000))
    assert not load_freeze(page, config, Problems()).stale


def test_no_freeze_is_no_problem(tmp_path):
    config, page = make(tmp_path, quarto=False)
    problems = Problems()
    assert load_freeze(page, config, problems) is None and problems.items == []


def test_corrupt_json_is_located(tmp_path):
    config, page = make(tmp_path, raw='{\n  "hash": "x",\n  "result": {\n    "markdown": "a\n')
    problems = Problems()
    assert load_freeze(page, config, problems) is None
    [problem] = problems.items
    assert (problem.path, problem.line, problem.severity) == (
        "content/_freeze/sous/page/execute-results/html.json", 4, "warning")
    assert problem.message == ("résultats figés illisibles : JSON invalide (retour à la ligne ou caractère de "
                               "contrôle dans un texte, colonne 19)")


def test_merge_conflict_and_missing_markdown(tmp_path):
    config, page = make(tmp_path, raw='{\n<<<<<<< HEAD\n"hash": "a"\n=======\n"hash": "b"\n>>>>>>> x\n}\n')
    problems = Problems()
    assert load_freeze(page, config, problems) is None
    assert problems.items[0].message == "résultats figés illisibles : conflit de fusion Git non résolu"
    config, page = make(tmp_path / "b", data={"hash": "x", "result": {"engine": "knitr"}})
    problems = Problems()
    assert load_freeze(page, config, problems) is None
    assert str(problems.items[0]) == ("content/_freeze/sous/page/execute-results/html.json:1: avertissement : "
                                      "résultats figés illisibles : « result.markdown » manquant (exécutez le projet "
                                      "avec Quarto : ajoutez « execute: freeze: auto » à _quarto.yml, lancez "
                                      "« quarto render », puis gardez le dossier _freeze/ avec les sources)")


def test_widgets_are_reported(tmp_path):
    config, page = make(tmp_path, data=executed("x\n", source_hash(PAGE), preserve={"htmlwidget-1": "<div>"}))
    problems = Problems()
    assert load_freeze(page, config, problems) is not None
    assert problems.items[0].message == "sorties HTML interactives (widgets) des résultats figés non reprises"
