"""Property-based: whatever Markdown or front matter an author writes, the build reports, never crashes."""

import html.parser
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from coursegen.pipeline import build
from conftest import make_project

MARKDOWN_BITS = st.sampled_from([
    "# ", "## ", "### ", "{#", "}", "{.unnumbered}", "::: {.callout-note}\n", ":::\n", "::: {.solution}\n",
    "::: {.attention data=\"x\"}\n", "$", "$$\n", "\\frac{", "`", "```python\n", "```\n", "[lien](", ")",
    "01-bases.md#sec-listes", "#inconnu", "![img](", "assets/schema.svg", "[^1]", "[^1]: note\n", "| a | b |\n",
    "|---|---|\n", "- ", "  - ", "1. ", "> ", "<div>", "</div>", "<script>", "&amp;", "«", "»", " ?", " :", "'",
    "...", "\n", "\n\n", "é", "😀", "\t", "\\", "*", "_", "<!--", "-->", "{{< include x >}}", "@sec-x",
])
BODY = st.lists(st.one_of(MARKDOWN_BITS, st.text(max_size=12)), max_size=40).map("".join)
META_VALUE = st.one_of(st.text(max_size=20), st.integers(), st.booleans(), st.none(),
                       st.lists(st.integers(), max_size=3))


class _Checker(html.parser.HTMLParser):
    """Checks that the structural elements the generator writes are properly nested and closed."""

    STRUCTURAL = {"html", "head", "body", "main", "article", "nav", "section", "header", "footer", "div",
                  "details", "figure", "ul", "ol", "li", "table", "p", "pre", "h1", "h2", "h3", "h4"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.STRUCTURAL:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.STRUCTURAL:
            if not self.stack or self.stack[-1] != tag:
                self.errors.append(f"</{tag}> ferme {self.stack[-1:] or 'rien'}")
            else:
                self.stack.pop()


def assert_well_formed(text: str) -> None:
    checker = _Checker()
    checker.feed(text)
    checker.close()
    assert checker.errors == [] and checker.stack == [], (checker.errors, checker.stack)


@settings(max_examples=60, deadline=5000, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(body=BODY, title=META_VALUE, key=st.sampled_from(["description", "numbered", "draft", "ordre"]),
       value=META_VALUE)
def test_build_never_raises(tmp_path_factory, body, title, key, value):
    root = make_project(tmp_path_factory.mktemp("prop") / "projet")
    chapter = root / "content" / "02-suite.md"
    import yaml

    front = yaml.safe_dump({"title": title, key: value}, allow_unicode=True)
    chapter.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    report = build(root)
    if report.written:
        raw_html = any(tag in body for tag in ("<div", "</div", "<!--", "<script"))
        for page in (root / "site").glob("*.html"):
            text = page.read_text(encoding="utf-8")
            assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
            if not raw_html:
                assert_well_formed(text)
    else:
        assert report.problems.errors, "a failed build must say why"
        assert all(p.path and p.message for p in report.problems.errors)
    shutil.rmtree(root)


def test_build_is_deterministic_across_hash_seeds(project, tmp_path):
    import os
    import subprocess
    import sys

    digests = []
    for seed in ("0", "123"):
        target = tmp_path / f"site-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, str(Path(__file__).parent.parent / "build.py"), "--root", str(project),
                        "--output", str(target), "-q"], check=True, env=env)
        digests.append({p.relative_to(target).as_posix(): p.read_bytes() for p in target.rglob("*") if p.is_file()})
    assert digests[0] == digests[1]
