"""Standards a learner relies on, on every page of the real course: valid HTML (Nu checker) and
0 axe-core violations (WCAG 2.2 AA) in both colour schemes, on a phone and a laptop."""

import html.parser
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from browser import serve_folder
from conftest import REPO, run_build

VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"


def _need(path: Path) -> None:
    if not path.is_file():
        pytest.fail(f"{path.relative_to(REPO)} absent : lancez « bash scripts/run-tests.sh » (il fait « npm ci »)")


@pytest.fixture(scope="module")
def course_site(tmp_path_factory) -> Path:
    """The real course, built as published."""
    root = tmp_path_factory.mktemp("cours") / "projet"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "site", "node_modules", "benchmarks", "tests", ".site-*", "__pycache__"))
    result = run_build(root, "--strict")
    assert result.returncode == 0, result.stderr
    return root / "site"


def pages_of(site: Path) -> list[str]:
    return sorted(p.name for p in site.glob("*.html"))


def test_every_page_is_valid_html(course_site):
    _need(VNU)
    if not shutil.which("java"):
        pytest.fail("java absent : le Nu HTML Checker en a besoin (apt-get install default-jre-headless)")
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json",
                             *[str(course_site / p) for p in pages_of(course_site)]],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}" for m in messages
              if m.get("type") == "error"]
    assert errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [360, 1280])
def test_no_axe_violation_on_any_page(browser, course_site, scheme, width):  # noqa: F811
    _need(AXE)
    violations = []
    with serve_folder(course_site) as url:
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme,
                                      bypass_csp=True)
        page = context.new_page()
        for name in pages_of(course_site):
            page.goto(url + name)
            page.add_script_tag(path=str(AXE))
            found = page.evaluate("""async () => {
                const r = await axe.run(document, {runOnly: {type: 'tag',
                    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}});
                return r.violations.map(v => v.id + ' (' + v.impact + ') : ' +
                    v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
            }""")
            violations += [f"{name} [{scheme}, {width}px] {v}" for v in found]
        context.close()
    assert violations == [], "\n".join(violations)


class _VisibleText(html.parser.HTMLParser):
    """The text a reader sees: no code, formula, script or attribute (a NUL marks where they were)."""

    HIDDEN = {"script", "style", "code", "pre", "math", "svg", "kbd", "samp", "textarea", "template"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag not in self.VOID:
            self.open.append(tag)
            self.hidden += tag in self.HIDDEN

    def handle_endtag(self, tag) -> None:
        while tag not in self.VOID and tag in self.open:
            closed = self.open.pop()
            self.hidden -= closed in self.HIDDEN
            if closed == tag:
                break

    def handle_data(self, data) -> None:
        self.parts.append("\0" if self.hidden else data)


# A prose mark ; : ! ? after a letter or a plain space (not after a no-break space, an opening bracket or
# another mark), followed by the end, a space or closing punctuation; « not followed by, » not preceded by,
# a no-break space (U+00A0 or U+202F).
_MISSING_SPACE = re.compile(r"(?:[^\s\u00a0\u202f(\[«:;!?\0]|[ \t\n])[;:!?]+(?=\Z|[\s)\]»\0.,])"
                            r"|«(?![\u00a0\u202f])|(?<![\u00a0\u202f])»")


def missing_spaces(page_html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(page_html)
    text = "".join(parser.parts)
    return [text[max(0, m.start() - 25):m.end() + 10].replace("\0", "") for m in _MISSING_SPACE.finditer(text)]


def test_visible_text_has_french_spacing_on_every_page(course_site):
    """UI and template strings as well as prose: « Employé dans : », « Figure 1.2 : », quiz answers…"""
    found = {p.name: missing_spaces(p.read_text(encoding="utf-8")) for p in sorted(course_site.rglob("*.html"))
             if "pagefind" not in p.parts}
    assert len(found) >= 7
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_the_spacing_check_sees_what_a_reader_sees():
    hits = missing_spaces("<p>Employé dans : <a>x</a></p><p>«mot»</p><p>a\u00a0: b ; c</p>")
    assert len(hits) == 4 and hits[0].endswith("Employé dans : x«mot»a\u00a0:")
    assert missing_spaces('<p title="a : b">x</p><pre>a : b</pre><code>«x»</code><math><mo>:</mo></math>'
                          '<p>10:30, std::vector, http://x, (?), Quoi\u202f?! «\u202foui\u202f»</p>') == []
@pytest.mark.parametrize("fixture", ["quarto-book", "quarto-site"])
def test_quarto_projects_are_valid_html(tmp_path, fixture):
    """Pages in sub-folders, sidebar groups, repository links and the three-part footer of a Quarto project."""
    _need(VNU)
    folder = tmp_path / fixture
    shutil.copytree(REPO / "tests" / "fixtures" / fixture, folder)
    result = subprocess.run([sys.executable, str(REPO / "build.py"),
                             "--quarto", str(folder)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    pages = [str(p) for p in sorted((folder / "_atelier").rglob("*.html")) if "pagefind" not in p.parts]
    checked = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
                             capture_output=True, text=True, timeout=300)
    messages = json.loads(checked.stderr or '{"messages": []}')["messages"]
    assert [m["message"] for m in messages if m.get("type") == "error"] == []
