"""Builds killed (SIGKILL) while they write, and builds started together: site/ is always a whole site.

The build runs as an author runs it (``python build.py``, its own process group, Pagefind included); the
test watches the staging folder fill up and kills the group at several points. ``site/`` must then be
exactly the old site or exactly the new one — compared file by file with both — and the next build must
remove the leftover staging folder.
"""

from __future__ import annotations

import fcntl
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import REPO, make_project, run_build, tree_digest

EXTRA_CHAPTERS = 120  # enough pages for the writing phase to last long enough to be interrupted


def _chapter(i: int, version: str) -> str:
    sections = "".join(f"## Section {j} de la page {i}\n\nTexte {version} de la section {j}.\n\n" for j in range(8))
    return f'---\ntitle: "Page {i}"\n---\nPage {i}, {version}.\n\n{sections}'


def _big_project(dest: Path, version: str) -> Path:
    root = make_project(dest)
    names = [f"{i:03d}-page-{i}.md" for i in range(3, 3 + EXTRA_CHAPTERS)]
    for i, name in enumerate(names, start=3):
        (root / "content" / name).write_text(_chapter(i, version), encoding="utf-8")
    config = root / "config.yaml"
    text = config.read_text(encoding="utf-8")
    assert "  - 02-suite.md\n" in text
    config.write_text(text.replace("  - 02-suite.md\n", "  - 02-suite.md\n" + "".join(f"  - {n}\n" for n in names)),
                      encoding="utf-8")
    return root


def _new_version(root: Path) -> None:
    for i in range(3, 3 + EXTRA_CHAPTERS):
        (root / "content" / f"{i:03d}-page-{i}.md").write_text(_chapter(i, "nouvelle version"), encoding="utf-8")


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """A project with its old site built, and the digests of the old and of the new site."""
    base = tmp_path_factory.mktemp("interruption")
    root = _big_project(base / "ancien" / "projet", "ancienne version")
    assert run_build(root).returncode == 0
    old = tree_digest(root / "site")
    reference = base / "reference" / "projet"
    shutil.copytree(root, reference)
    _new_version(reference)
    assert run_build(reference).returncode == 0
    new = tree_digest(reference / "site")
    assert old != new and len(new) > EXTRA_CHAPTERS
    return root, old, new


def _staging_files(root: Path) -> int | None:
    """Files written so far in the staging folder, None while there is none."""
    folders = list(root.glob(".site-staging-*"))
    if not folders:
        return None
    return sum(len(files) for _, _, files in os.walk(folders[0]))


def _start_build(root: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    return subprocess.Popen([sys.executable, str(REPO / "build.py"), "--root", str(root)], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.4, 0.7, 0.95, 1.0])
def test_a_build_killed_while_writing_leaves_the_old_or_the_new_site(sites, tmp_path, fraction):
    source, old, new = sites
    killed_mid_write = 0
    for attempt in range(3):  # the build may outrun the watcher: try again, then require one real hit
        root = tmp_path / f"essai-{attempt}" / "projet"
        shutil.copytree(source, root)
        _new_version(root)
        threshold = max(1, int(len(new) * fraction))
        process = _start_build(root)
        written = None
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            written = _staging_files(root)
            if written is not None and written >= threshold:
                os.killpg(process.pid, signal.SIGKILL)
                break
            time.sleep(0.0005)
        process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()
        site = tree_digest(root / "site")
        assert site in (old, new), "site/ mélange l'ancien et le nouveau site"
        if process.returncode == -signal.SIGKILL and written is not None:
            killed_mid_write += 1
            assert list(root.glob(".site-staging-*")), "the kill left no staging folder: nothing was tested"
            result = run_build(root)  # the next build cleans up and publishes the new site
            assert result.returncode == 0, result.stderr
            assert [p.name for p in root.iterdir() if p.name.startswith(".site-")] == []
            assert tree_digest(root / "site") == new
            break
    assert killed_mid_write, f"la construction n'a jamais été interrompue pendant l'écriture ({fraction:.0%})"


def _reader(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)


def test_a_second_build_waits_for_the_first(sites, tmp_path):
    """While a build holds the lock, another one says so, waits without touching site/, then finishes."""
    source, old, new = sites
    root = tmp_path / "projet"
    shutil.copytree(source, root)
    _new_version(root)
    with open(root / ".build.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # what a first build holds while it writes
        process = _start_build(root)
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_reader, args=(process.stderr, lines), daemon=True).start()
        line = lines.get(timeout=60)
        assert line.strip() == "une autre construction est en cours dans ce projet : attente de sa fin…"
        time.sleep(0.5)
        assert process.poll() is None, "the second build did not wait"
        assert not list(root.glob(".site-staging-*")), "the waiting build started writing"
        assert tree_digest(root / "site") == old
        fcntl.flock(lock, fcntl.LOCK_UN)
    assert process.wait(timeout=120) == 0
    process.stdout.close()
    assert tree_digest(root / "site") == new


def test_two_builds_started_together_never_corrupt_the_site(sites, tmp_path):
    source, old, new = sites
    root = tmp_path / "projet"
    shutil.copytree(source, root)
    _new_version(root)
    for _ in range(2):
        processes = [_start_build(root) for _ in range(2)]
        outputs = [p.communicate(timeout=120) for p in processes]
        assert [p.returncode for p in processes] == [0, 0], outputs
        assert all("Traceback" not in err for _, err in outputs)
        assert tree_digest(root / "site") == new
        assert [p.name for p in root.iterdir() if p.name.startswith(".site-")] == []
