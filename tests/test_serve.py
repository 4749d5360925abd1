"""The preview: only files of the site are served, the tab reloads itself, errors show over the page."""

import os
import queue
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest


from conftest import REPO, make_project
from coursegen.serve import _inject, _relevant, resolve_request


class Preview:
    """``python build.py serve --port 0`` in its own process; ``url`` once it listens."""

    def __init__(self, root: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        self.process = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--port", "0", "--root", str(root)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=root)
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = ""
        deadline = time.monotonic() + 60
        while not self.url:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line.startswith("Prévisualisation sur "):
                self.url = line.split()[2]

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.log.append(line)
            self.lines.put(line)

    def wait_for_line(self, start: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line.startswith(start):
                return line

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def preview(tmp_path):
    root = make_project(tmp_path / "projet")
    server = Preview(root)
    yield root, server
    server.stop()


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_only_files_of_the_site_are_served(preview, tmp_path):
    root, server = preview
    (tmp_path / "dehors.txt").write_text("secret", encoding="utf-8")
    (root / "site" / "lien.txt").symlink_to(tmp_path / "dehors.txt")
    assert status(server.url + "bases.html") == 200
    assert status(server.url) == 200
    for path in ("../config.yaml", "%2e%2e/config.yaml", "..%2fconfig.yaml", "static/..%2f..%2fconfig.yaml",
                 "%2e%2e%2f%2e%2e%2fetc/passwd", "lien.txt", "absent.html"):
        assert status(server.url + path) == 404, path


def test_resolve_request_refuses_escapes(tmp_path):
    site = tmp_path / "site"
    (site / "static").mkdir(parents=True)
    (site / "index.html").write_text("x", encoding="utf-8")
    (site / "static" / "a.css").write_text("x", encoding="utf-8")
    assert resolve_request(site, "/") == (site / "index.html").resolve()
    assert resolve_request(site, "/static/a.css?v=1") == (site / "static" / "a.css").resolve()
    for raw in ("/../site/index.html", "/static/%2e%2e/index.html", "/static/..%5cindex.html", "/%00"):
        assert resolve_request(site, raw) is None, raw


def test_reload_script_only_in_preview_responses(preview):
    root, server = preview
    with urllib.request.urlopen(server.url + "bases.html", timeout=5) as response:
        served = response.read().decode("utf-8")
    assert served.count('<script src="/__atelier/reload.js"></script></head>') == 1
    assert "__atelier" not in (root / "site" / "bases.html").read_text(encoding="utf-8")
    with urllib.request.urlopen(server.url + "__atelier/reload.js", timeout=5) as response:
        assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
        assert b'new EventSource("/__atelier/evenements")' in response.read()
    assert _inject(b"<p>fragment</p>") == b'<p>fragment</p><script src="/__atelier/reload.js"></script>'


def test_editor_temporary_files_are_not_changes(tmp_path):
    content = tmp_path / "content"
    config = tmp_path / "config.yaml"
    assert _relevant(content / "01-a.md", [content], {config})
    assert _relevant(config, [content], {config})
    for name in ("01-a.md~", ".01-a.md.swp", ".#01-a.md", "4913"):
        assert not _relevant(content / name, [content], {config}), name
    assert not _relevant(tmp_path / "site" / "index.html", [content], {config})
    assert not _relevant(tmp_path / ".build.lock", [content], {config})


def test_page_reloads_on_save_and_shows_errors_over_the_last_good_site(browser, preview):  # noqa: F811
    root, server = preview
    chapter = root / "content" / "02-suite.md"
    original = chapter.read_text(encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server.url + "suite.html")
    page.wait_for_function("() => document.readyState === 'complete'")
    time.sleep(0.3)  # the EventSource connects
    assert "Texte modifié" not in page.locator("article").inner_text()

    chapter.write_text(original.replace("Texte « entre guillemets » et fin.", "Texte modifié en direct."),
                       encoding="utf-8")
    page.wait_for_function("() => document.querySelector('article').textContent.includes('Texte modifié')",
                           timeout=20000)

    chapter.write_text(original.replace('title: "La suite"', 'title: "La suite'), encoding="utf-8")
    overlay = page.locator("#atelier-erreurs")
    overlay.wait_for(state="visible", timeout=20000)
    assert "La construction a échoué" in overlay.inner_text()
    assert "content/02-suite.md:3: YAML invalide : guillemet non fermé" in overlay.inner_text()
    assert "Texte modifié en direct." in page.locator("article").inner_text()  # the last good page

    chapter.write_text(original, encoding="utf-8")
    overlay.wait_for(state="detached", timeout=20000)
    page.wait_for_function("() => document.querySelector('article').textContent.includes('entre guillemets')",
                           timeout=20000)
    context.close()


def test_a_project_that_never_built_waits_then_shows_the_site(browser, tmp_path):  # noqa: F811
    root = make_project(tmp_path / "projet")
    chapter = root / "content" / "02-suite.md"
    good = chapter.read_text(encoding="utf-8")
    chapter.write_text("pas d'en-tête\n", encoding="utf-8")
    server = Preview(root)
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(server.url)
        page.locator("#atelier-erreurs").wait_for(state="visible", timeout=20000)
        assert "content/02-suite.md:1: en-tête YAML (front matter) absent" in page.locator("#atelier-erreurs").inner_text()
        chapter.write_text(good, encoding="utf-8")
        page.wait_for_selector("h1:has-text('Cours d’essai')", timeout=20000)
        context.close()
    finally:
        server.stop()
