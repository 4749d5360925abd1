"""Property-based: whatever Markdown, front matter or config an author writes, the build reports, never crashes.

Each example builds a whole project in this process, under a hard time limit (``SECONDS_PER_BUILD``,
enforced with SIGALRM: a hang fails the test instead of blocking the suite). Every example checks that:

- the build returns (no exception) and either writes a site or reports located errors;
- every page written is an HTML document whose structure (the elements our templates write) is properly
  nested — unless the example itself wrote raw HTML, which authors may leave unbalanced;
- no page carries an inline script, an event-handler attribute or a ``javascript:``-like URL;
- nothing is written beside the project, and no staging folder is left behind.

Run with ``--hypothesis-show-statistics`` to see the example counts and timings.
"""

from __future__ import annotations

import html.parser
import os
import shutil
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import REPO, make_project
from coursegen.pipeline import build_project as build
from coursegen.markdown.sanitize import unsafe_scheme

SECONDS_PER_BUILD = 30
# No Hypothesis deadline (a whole build per example; ``time_limit`` bounds it) and no example database
# in the working copy (tests never write there).
PROPERTY_SETTINGS = settings(deadline=None, database=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

MARKDOWN_BITS = st.sampled_from([
    "# ", "## ", "### ", "{#", "}", "{.unnumbered}", "::: {.callout-note}\n", ":::\n", "::: {.solution}\n",
    "::: {.attention data=\"x\"}\n", "$", "$$\n", "\\frac{", "`", "```python\n", "```\n", "[lien](", ")",
    "01-bases.md#sec-listes", "#inconnu", "![img](", "assets/schema.svg", "[^1]", "[^1]: note\n", "| a | b |\n",
    "|---|---|\n", "- ", "  - ", "1. ", "> ", "<div>", "</div>", "<script>", "&amp;", "«", "»", " ?", " :", "'",
    "...", "\n", "\n\n", "é", "😀", "\t", "\\", "*", "_", "<!--", "-->", "{{< include x >}}", "@sec-x",
    # what a careless or hostile author might paste
    "<a href=\"javascript:alert(1)\" onclick=\"x()\">", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
    "![x](data:text/html,<b>)", "<p style=\"color:red\">", "</script>", "<svg onload=alert(1)>", "javascript:",
    "{onclick=\"x\"}", "[t]{.c onmouseover=\"y\"}", "../../etc/passwd", "/etc/passwd", "\x00", "\r\n", "\u2028",
])
BODY = st.lists(st.one_of(MARKDOWN_BITS, st.text(max_size=12)), max_size=40).map("".join)
META_VALUE = st.one_of(st.text(max_size=20), st.integers(), st.booleans(), st.none(),
                       st.lists(st.integers(), max_size=3), st.floats(allow_nan=True), st.dates())
YAML_BITS = st.sampled_from([
    "title: ", "description: ", "numbered: ", "draft: ", "ordre: ", "\"", "'", ":", "- ", "\n", "  ", "\t", "[", "]",
    "{", "}", "&a ", "*a", "!!python/object:os.system ", "!!binary ", "---\n", "...\n", "#", "|\n  ", ">\n  ", "~",
    "yes", "2026-13-45", "é", "\ufeff",
])
FRONT_MATTER = st.one_of(
    st.dictionaries(st.sampled_from(["title", "description", "numbered", "draft", "ordre", "Title"]), META_VALUE,
                    max_size=5).map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    st.lists(st.one_of(YAML_BITS, st.text(max_size=8)), max_size=25).map("".join),
)
CONFIG_KEYS = ["title", "subtitle", "author", "description", "date", "language", "site_url", "cname", "chapters",
               "content_dir", "templates_dir", "output_dir", "extra", "quarto_path", "titel", "theme"]
PATH_VALUE = st.sampled_from(["site", "public", "sortie/site", "../dehors", "/tmp/absolu", ".", "", "content",
                              "templates", "site/../site", "config.yaml", ".git", "content/assets", "é 😀"])
CONFIG_VALUE = st.one_of(META_VALUE, PATH_VALUE, st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
                         st.lists(st.sampled_from(["00-avant-propos.md", "01-bases.md", "02-suite.md", "absent.md",
                                                   "../config.yaml", "01-bases.md"]), max_size=4),
                         st.sampled_from(["https://exemple.org/cours/", "http://x", "ftp://x", "javascript:alert(1)"]))


@contextmanager
def time_limit(seconds: int):
    """Fail, instead of hanging the suite, if the block runs longer than ``seconds``."""
    def expired(signum, frame):
        raise TimeoutError(f"la construction a dépassé {seconds} s")
    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


class _Checker(html.parser.HTMLParser):
    """Structural elements properly nested and closed; no script run from the page's own markup."""

    STRUCTURAL = {"html", "head", "body", "main", "article", "nav", "section", "header", "footer", "div",
                  "details", "figure", "ul", "ol", "li", "table", "p", "pre", "h1", "h2", "h3", "h4"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.unsafe: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.STRUCTURAL:
            self.stack.append(tag)
        if tag == "script" and not dict(attrs).get("src"):
            self.unsafe.append("<script> en ligne")
        for name, value in attrs:
            if name.startswith("on") or name == "style" or (value and name in ("href", "src") and unsafe_scheme(value)):
                self.unsafe.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag):
        if tag in self.STRUCTURAL:
            if not self.stack or self.stack[-1] != tag:
                self.errors.append(f"</{tag}> ferme {self.stack[-1:] or 'rien'}")
            else:
                self.stack.pop()


def assert_well_formed(text: str, structure: bool = True) -> None:
    checker = _Checker()
    checker.feed(text)
    checker.close()
    assert checker.unsafe == [], checker.unsafe
    if structure:
        assert checker.errors == [] and checker.stack == [], (checker.errors, checker.stack)


def build_and_check(root: Path, raw_html: bool = False) -> None:
    """Build ``root`` in bounded time and check the outcome as the module docstring says."""
    with time_limit(SECONDS_PER_BUILD):
        report = build(root)
    if report.written:
        pages = sorted(report.output.rglob("*.html"))
        assert pages
        for page in pages:
            text = page.read_text(encoding="utf-8")
            assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>"), page
            assert_well_formed(text, structure=not raw_html)
    else:
        assert report.problems.errors, "a failed build must say why"
        assert all(p.path and p.message and "Traceback" not in p.message for p in report.problems.errors)
    assert sorted(p.name for p in root.parent.iterdir()) == ["projet"], "written beside the project"
    assert not [p for p in root.iterdir() if p.name.startswith(".site-")]


def _project(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("prop") / "projet")


@settings(PROPERTY_SETTINGS, max_examples=60)
@given(body=BODY)
def test_any_markdown_body(tmp_path_factory, body):
    root = _project(tmp_path_factory)
    (root / "content" / "02-suite.md").write_text(f'---\ntitle: "La suite"\n---\n{body}', encoding="utf-8")
    build_and_check(root, raw_html=any(tag in body for tag in ("<", "-->")))
    shutil.rmtree(root.parent)


@settings(PROPERTY_SETTINGS, max_examples=40)
@given(front=FRONT_MATTER, body=BODY)
def test_any_front_matter(tmp_path_factory, front, body):
    root = _project(tmp_path_factory)
    (root / "content" / "02-suite.md").write_text(f"---\n{front}\n---\n{body}", encoding="utf-8")
    build_and_check(root, raw_html=any(tag in body for tag in ("<", "-->")))
    shutil.rmtree(root.parent)


@settings(PROPERTY_SETTINGS, max_examples=40)
@given(changes=st.dictionaries(st.sampled_from(CONFIG_KEYS), CONFIG_VALUE, max_size=4),
       removed=st.sets(st.sampled_from(["title", "author", "chapters", "site_url"]), max_size=2))
def test_any_config_values(tmp_path_factory, changes, removed):
    root = _project(tmp_path_factory)
    config = yaml.safe_load((root / "config.yaml").read_text(encoding="utf-8"))
    for key in removed:
        config.pop(key, None)
    config.update(changes)
    (root / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    build_and_check(root)
    shutil.rmtree(root.parent)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _build_elsewhere(project: Path, where: Path, seed: str, *args: str) -> dict[str, bytes]:
    """Copy ``project`` to ``where`` and build it there, from another working directory and hash seed."""
    shutil.copytree(project, where, ignore=shutil.ignore_patterns("site", ".cache", ".site-*", ".build.lock"))
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}, "PYTHONHASHSEED": seed}
    subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(where), "-q", *args], check=True, env=env,
                   cwd=where.parent)
    return _tree(where / "site")


def test_build_is_deterministic_across_hash_seeds(project, tmp_path):
    first = _build_elsewhere(project, tmp_path / "un" / "projet", "0")
    second = _build_elsewhere(project, tmp_path / "deux" / "plus" / "loin" / "projet", "123")
    assert first == second


def test_the_real_course_builds_byte_identical_twice(tmp_path):
    """The course itself — attention figures, their data files, the search index — in two places, two seeds."""
    real = tmp_path / "source"
    shutil.copytree(REPO, real, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "site", "node_modules", "benchmarks", "tests", ".site-*", "__pycache__", ".cache"))
    first = _build_elsewhere(real, tmp_path / "a" / "projet", "1")
    second = _build_elsewhere(real, tmp_path / "b" / "c" / "projet", "987654")
    assert any(name.startswith("donnees/attention/") for name in first), "no attention data: nothing compared"
    assert any(name.startswith("pagefind/") for name in first), "no search index: nothing compared"
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    # A rebuild in place, with the cache of the first build, gives the same bytes again.
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}, "PYTHONHASHSEED": "42"}
    subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(tmp_path / "a" / "projet"), "-q"],
                   check=True, env=env)
    assert _tree(tmp_path / "a" / "projet" / "site") == first
