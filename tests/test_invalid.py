"""One broken input per folder of fixtures/invalid/: exact ``file:line`` message, exit status, nothing else touched.

A case folder holds files laid over the valid fixture course and ``expected.txt`` (``exit: N`` then lines
that must appear, exactly, in the error output). Optionally:

- ``_remove``: paths to delete; ``_args``: command-line flags;
- ``_generate.py``: ``generate(root)`` builds what is too big or too odd to commit (a 10 MB chapter,
  CRLF bytes, symbolic links to files beside the project);
- ``_site_contains`` / ``_site_lacks``: ``FILE: text`` lines that the built site must / must not contain
  (cases that must work).

Every case also proves: no traceback, no stray temporary file, ``site/`` byte-identical after a failed
build, and nothing written in the project or beside it except ``site/`` (and the build caches in ``.cache/``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, run_build, tree_digest

CASES = sorted(p.name for p in (FIXTURES / "invalid").iterdir() if p.is_dir())
CONTROL_FILES = ("expected.txt", "_remove", "_args", "_generate.py", "_site_contains", "_site_lacks")
SECONDS_PER_CASE = 60  # a build that takes longer counts as hung


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
        if path.is_file() and rel.name not in CONTROL_FILES and "__pycache__" not in rel.parts:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, root / rel)
    if (case_dir / "_remove").exists():
        for line in (case_dir / "_remove").read_text(encoding="utf-8").split():
            (root / line).unlink()
    script = case_dir / "_generate.py"
    if script.exists():  # run from source: no __pycache__ written into the working copy
        namespace: dict = {"__name__": f"generate_{case_dir.name}", "__file__": str(script)}
        exec(compile(script.read_text(encoding="utf-8"), str(script), "exec"), namespace)
        namespace["generate"](root)
    return (case_dir / "_args").read_text(encoding="utf-8").split() if (case_dir / "_args").exists() else []


def snapshot(folder: Path, skip: tuple[Path, ...] = ()) -> dict[str, str]:
    """Every path below ``folder`` (files by content, links by target, folders by name), except ``skip``."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        if any(here.is_relative_to(s) for s in skip):
            dirnames[:] = []
            continue
        for name in dirnames + filenames:
            path = here / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                out[rel] = f"lien -> {os.readlink(path)}"
            elif path.is_dir():
                out[rel] = "dossier"
            else:
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.mark.parametrize("case", CASES)
def test_invalid_input(case, built_project, tmp_path):
    root = tmp_path / "projet"
    shutil.copytree(built_project, root, symlinks=True)
    args = apply_case(FIXTURES / "invalid" / case, root)
    expected = (FIXTURES / "invalid" / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    exit_code = int(expected[0].removeprefix("exit:").strip())
    temp = tmp_path / "tmp"  # the build's temporary files (search index input) must not outlive it
    temp.mkdir()
    site_before = tree_digest(root / "site")
    # Besides site/, the build may write its caches (derived data, git-ignored) in .cache/.
    allowed = (root / "site", root / ".cache")
    before = snapshot(tmp_path, skip=allowed)

    start = time.monotonic()
    result = run_build(root, *args, timeout=SECONDS_PER_CASE, env={"TMPDIR": str(temp)})
    seconds = time.monotonic() - start

    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode == exit_code, result.stderr
    lines = result.stderr.splitlines()
    for line in expected[1:]:
        assert line in lines, f"attendu : {line!r}\nobtenu :\n{result.stderr}"
    assert all(not line.startswith(("/", "Exception", "Error")) for line in lines), result.stderr
    assert snapshot(tmp_path, skip=allowed) == before, "écrit hors du dossier de sortie"
    assert [p.name for p in root.iterdir() if p.name.startswith(".site-")] == []
    if exit_code:
        assert tree_digest(root / "site") == site_before, "le site précédent a été modifié"
        assert "le site précédent est inchangé" in result.stderr
    else:
        assert "Site construit dans site/" in result.stdout
        for control, present in (("_site_contains", True), ("_site_lacks", False)):
            checks = FIXTURES / "invalid" / case / control
            for check in checks.read_text(encoding="utf-8").splitlines() if checks.exists() else []:
                name, _, text = check.partition(": ")
                assert (text in (root / "site" / name).read_text(encoding="utf-8")) is present, f"{control}: {check}"
    assert seconds < SECONDS_PER_CASE


def test_no_chapter_at_all(tmp_path):
    root = tmp_path / "vide"
    (root / "content").mkdir(parents=True)
    (root / "config.yaml").write_text('title: "T"\nauthor: "A"\nchapters: []\n', encoding="utf-8")
    result = run_build(root)
    assert result.returncode == 1
    assert "config.yaml:3: la liste « chapters » est vide (indiquez au moins un fichier de content/)" in result.stderr
