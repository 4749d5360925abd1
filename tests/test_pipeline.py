"""The whole build on the fixture course: golden site byte for byte, determinism, atomicity."""

import os
import shutil
from pathlib import Path

import pytest

from conftest import REPO, run_build, tree_digest

GOLDEN = REPO / "tests" / "golden"


def read_tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_golden_site(project):
    """The built fixture course equals tests/golden/ byte for byte (UPDATE_GOLDEN=1 regenerates it).

    Theme files copied as they are from templates/static/ are compared with their source instead of
    being stored a second time in tests/golden/."""
    result = run_build(project, "--strict")
    assert result.returncode == 0, result.stderr
    built = read_tree(project / "site")
    copied = {name for name in built if name.startswith("static/")
              and (REPO / "templates" / name).is_file()}
    for name in copied:
        assert built[name] == (REPO / "templates" / name).read_bytes(), f"{name} is not a plain copy"
    generated = {name: data for name, data in built.items() if name not in copied}
    if os.environ.get("UPDATE_GOLDEN") == "1":
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, data in generated.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes(data)
        pytest.skip("golden regenerated: review the diff of tests/golden/")
    expected = read_tree(GOLDEN)
    assert sorted(generated) == sorted(expected)
    for name in expected:
        assert generated[name] == expected[name], f"{name} differs from tests/golden/{name}"


def test_two_builds_in_different_places_are_identical(project, tmp_path):
    other = tmp_path / "ailleurs" / "copie"
    shutil.copytree(project, other)
    first = run_build(project)
    second = run_build(other)
    assert first.returncode == second.returncode == 0
    assert tree_digest(project / "site") == tree_digest(other / "site")


def test_rebuild_replaces_removed_pages(project):
    assert run_build(project).returncode == 0
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - 02-suite.md\n", ""), encoding="utf-8")
    (project / "content" / "02-suite.md").unlink()
    page = project / "content" / "01-bases.md"
    page.write_text(page.read_text(encoding="utf-8").replace("et le [chapitre suivant](02-suite.md)", ""),
                    encoding="utf-8")
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    assert not (project / "site" / "suite.html").exists()


def test_pages_carry_the_essentials(project):
    assert run_build(project).returncode == 0
    site = project / "site"
    chapter = (site / "bases.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in chapter
    assert chapter.count("<h1") == 1
    assert '<li><a href="bases.html" aria-current="page"><span class="numero">1</span> Les bases</a>' in chapter
    assert "data-page=" not in chapter and chapter.count('aria-current="page"') == 1
    assert '<nav class="page-toc" aria-label="Sur cette page">' in chapter
    assert 'rel="prev" href="avant-propos.html"' in chapter and 'rel="next" href="suite.html"' in chapter
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<time datetime="2026-11-01">1er novembre 2026</time>' in home
    not_found = (site / "404.html").read_text(encoding="utf-8")
    assert 'href="/cours-essai/static/site.css"' in not_found
    assert (site / ".nojekyll").exists()
    assert "https://exemple.github.io/cours-essai/bases.html" in (site / "sitemap.xml").read_text()
    for page in site.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "http://" not in text.replace("http://www.w3.org/1998/Math/MathML", "").replace(
            "http://www.w3.org/2000/svg", "")
        assert "style=" not in text, f"{page.name}: inline style blocked by the CSP"
        assert "<script>" not in text, f"{page.name}: inline script blocked by the CSP"
