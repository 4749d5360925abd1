"""Shared test helpers: a copy of the fixture course (with the real templates) in tmp_path, and runners."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"


def make_project(dest: Path, course: str = "course") -> Path:
    """A buildable project: the fixture course plus the repository's templates."""
    shutil.copytree(FIXTURES / course, dest)
    if not (dest / "templates").exists():
        shutil.copytree(REPO / "templates", dest / "templates")
    return dest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "projet")


def run_build(root: Path, *args: str, timeout: float = 120, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``python build.py ARGS --root ROOT`` in a separate process, as an author runs it (``env``: added variables)."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}, **(env or {})}
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args, "--root", str(root)],
                          capture_output=True, text=True, timeout=timeout, env=env, cwd=root)


def tokens_of(body: str):
    """The parser's tokens for ``body`` and the Quarto rules' warnings, (0-based line, message, hint)."""
    from coursegen.markdown.parse import new_engine  # lazy: conftest is imported by every test file

    env: dict = {}
    return new_engine().parse(body, env), env.get("qmd_warnings", [])


def warnings(body: str) -> list[tuple[int, str]]:
    """The Quarto rules' warnings for ``body``, as (1-based line, message)."""
    return [(line0 + 1, message) for line0, message, _ in tokens_of(body)[1]]


def chapter(body: str):
    """A chapter ``content/01-x.md`` whose body starts on line 4."""
    from coursegen.source.chapters import Chapter  # lazy: as above

    return Chapter(source="content/01-x.md", name="01-x.md", slug="x", title="X", description="", draft=False,
                   body=body, body_line=4, numbered=True)


def tree_digest(folder: Path) -> dict[str, str]:
    """Path -> sha256 of every file below ``folder`` (to prove a site was left untouched)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# One Chromium for the whole session, shared by every browser test module.
from browser import browser  # noqa: E402,F401 - a pytest fixture, registered here once
