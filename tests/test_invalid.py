"""One broken input per folder of fixtures/invalid/: exact ``file:line`` message, exit status, site untouched.

A case folder holds files laid over the valid fixture course, ``expected.txt`` (``exit: N`` then lines that
must appear in the error output), and optionally ``_remove`` (paths to delete) and ``_args`` (CLI flags).
"""

from pathlib import Path
import shutil

import pytest

from conftest import FIXTURES, run_build, tree_digest

CASES = sorted(p.name for p in (FIXTURES / "invalid").iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def built_project(tmp_path_factory) -> Path:
    from conftest import make_project

    root = make_project(tmp_path_factory.mktemp("base") / "projet")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    return root


def apply_case(case_dir: Path, root: Path) -> list[str]:
    for path in sorted(case_dir.rglob("*")):
        rel = path.relative_to(case_dir)
        if path.is_file() and rel.name not in ("expected.txt", "_remove", "_args"):
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, root / rel)
    if (case_dir / "_remove").exists():
        for line in (case_dir / "_remove").read_text(encoding="utf-8").split():
            (root / line).unlink()
    return (case_dir / "_args").read_text(encoding="utf-8").split() if (case_dir / "_args").exists() else []


@pytest.mark.parametrize("case", CASES)
def test_invalid_input(case, built_project, tmp_path):
    root = tmp_path / "projet"
    shutil.copytree(built_project, root)
    before = tree_digest(root / "site")
    args = apply_case(FIXTURES / "invalid" / case, root)
    expected = (FIXTURES / "invalid" / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    exit_code = int(expected[0].removeprefix("exit:").strip())

    result = run_build(root, *args)

    assert "Traceback" not in result.stderr
    assert result.returncode == exit_code, result.stderr
    lines = result.stderr.splitlines()
    for line in expected[1:]:
        assert line in lines, f"attendu : {line!r}\nobtenu :\n{result.stderr}"
    if exit_code:
        assert tree_digest(root / "site") == before, "le site précédent a été modifié"
        assert "le site précédent est inchangé" in result.stderr
        leftovers = [p.name for p in root.iterdir() if p.name.startswith(".site-")]
        assert leftovers == []


def test_symlink_pointing_outside_the_project(built_project, tmp_path):
    root = tmp_path / "projet"
    shutil.copytree(built_project, root)
    secret = tmp_path / "secret.txt"
    secret.write_text("mot de passe", encoding="utf-8")
    (root / "content" / "assets" / "fuite.txt").symlink_to(secret)
    page = root / "content" / "02-suite.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[fichier](assets/fuite.txt)\n", encoding="utf-8")
    before = tree_digest(root / "site")
    result = run_build(root)
    assert result.returncode == 1
    assert ("content/02-suite.md:10: « assets/fuite.txt » pointe hors du projet "
            "(copiez le fichier dans le projet au lieu d'un lien symbolique)") in result.stderr.splitlines()
    assert tree_digest(root / "site") == before


def test_no_chapter_at_all(tmp_path):
    root = tmp_path / "vide"
    (root / "content").mkdir(parents=True)
    (root / "config.yaml").write_text('title: "T"\nauthor: "A"\nchapters: []\n', encoding="utf-8")
    result = run_build(root)
    assert result.returncode == 1
    assert "config.yaml:3: la liste « chapters » est vide (indiquez au moins un fichier de content/)" in result.stderr
