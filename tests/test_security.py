"""The pages run only the site's own script files: a strict CSP on every page, which the site itself obeys.

Static half: every page of the real course and of the fixture course carries the Content-Security-Policy
meta of templates/base.html (no inline script, no third-party origin), loads scripts from files only, and
has no inline event handler nor ``javascript:`` URL. Browser half: Chromium visits every page, does what
loads the lazy parts (figures, search), and reports any ``securitypolicyviolation`` event.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from browser import serve_folder
from conftest import make_project, run_build
from coursegen.markdown.sanitize import unsafe_scheme
from test_quality import course_site, pages_of  # noqa: F401 - the real course, built as published


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("essai") / "projet")
    result = run_build(root, "--strict")
    assert result.returncode == 0, result.stderr
    return root / "site"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.csp: list[str] = []
        self.scripts: list[str | None] = []
        self.inline_script = False
        self.problems: list[str] = []
        self.in_head = False
        self.before_csp: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        line = self.getpos()[0]
        if tag == "head":
            self.in_head = True
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp.append(values.get("content") or "")
        elif self.in_head and not self.csp and tag in ("script", "link", "style"):
            self.before_csp.append(tag)
        if tag == "script":
            self.scripts.append(values.get("src"))
            self.inline_script = "src" not in values
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"ligne {line} : <{tag} {name}=…>")
            if name == "style":
                self.problems.append(f"ligne {line} : <{tag} style=…>")
            if value and name in ("href", "src", "action", "formaction", "xlink:href") and unsafe_scheme(value):
                self.problems.append(f"ligne {line} : <{tag} {name}={value!r}>")

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False
        if tag == "script":
            self.inline_script = False

    def handle_data(self, data):
        if self.inline_script and data.strip():
            self.problems.append(f"ligne {self.getpos()[0]} : script en ligne")


def _directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def _check_site(site: Path) -> list[str]:
    problems = []
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 4
    for path in pages:
        name = path.relative_to(site).as_posix()
        page = _Page()
        page.feed(path.read_text(encoding="utf-8"))
        if len(page.csp) != 1:
            problems.append(f"{name} : {len(page.csp)} balises CSP")
            continue
        policy = _directives(page.csp[0])
        if policy.get("default-src") != ["'self'"]:
            problems.append(f"{name} : default-src {policy.get('default-src')}")
        if policy.get("script-src") != ["'self'", "'wasm-unsafe-eval'"]:  # Pagefind's WebAssembly, nothing inline
            problems.append(f"{name} : script-src {policy.get('script-src')}")
        for directive, sources in policy.items():
            for source in sources:
                if source in ("*", "'unsafe-inline'", "'unsafe-eval'", "http:", "https:") or "://" in source \
                        or source.startswith("'nonce-") or source.startswith("'sha"):
                    problems.append(f"{name} : {directive} autorise {source}")
        if policy.get("object-src") != ["'none'"] or policy.get("base-uri") != ["'none'"]:
            problems.append(f"{name} : object-src/base-uri non verrouillés")
        if page.before_csp:
            problems.append(f"{name} : {page.before_csp} chargés avant la balise CSP")
        for src in page.scripts:
            if not src or re.match(r"^([a-z]+:|//)", src):
                problems.append(f"{name} : <script src={src!r}> (le JavaScript vient des fichiers du site)")
        problems += [f"{name} {p}" for p in page.problems]
    return problems


def test_every_page_of_the_real_course_carries_the_policy_and_obeys_it(course_site):  # noqa: F811
    assert _check_site(course_site) == []


def test_every_page_of_the_fixture_course_carries_the_policy_and_obeys_it(fixture_site):
    assert _check_site(fixture_site) == []


def test_the_checker_sees_what_it_must_refuse(tmp_path):
    """The static check above would fail on each thing it looks for (so its silence means something)."""
    good = (Path(__file__).parent / "golden" / "bases.html").read_text(encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    for i, text in enumerate([good, good.replace("<body", "<body onload=\"x()\""),
                              good.replace("</head>", "<script>alert(1)</script></head>"),
                              good.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"),
                              good.replace("default-src 'self'", "default-src 'self' https://cdn.example"),
                              good.replace("</body>", '<a href="javascript:alert(1)">x</a></body>'),
                              good.replace("</head>", '<script src="https://cdn.example/x.js"></script></head>')]):
        (site / f"page-{i}.html").write_text(text, encoding="utf-8")
    found = {line.split(" ")[0] for line in _check_site(site)}
    assert found == {f"page-{i}.html" for i in range(1, 7)}


_LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _violations(browser, site: Path) -> list[str]:
    found = []
    with serve_folder(site) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(_LISTEN)
        page = context.new_page()
        for name in pages_of(site):
            page.goto(url + name)
            page.wait_for_load_state("load")
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            if page.locator("#recherche").count():  # the search page: load Pagefind and its WebAssembly
                page.locator("#recherche").fill("attention")
                page.locator(".search-result").first.wait_for(timeout=15000)
            for toggle in page.locator(".theme-toggle:visible").all():
                toggle.click()
            page.wait_for_load_state("networkidle")
            found += [f"{name} : {v}" for v in page.evaluate("window.__violations")]
        # The listener itself works: an inline script is reported (and blocked).
        page.goto(url + pages_of(site)[0])
        page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';
                                 document.head.appendChild(s); }""")
        page.wait_for_function("window.__violations.length > 0", timeout=5000)
        assert page.evaluate("window.__ran") is None
        context.close()
    return found


def test_no_csp_violation_on_any_page_of_the_real_course(browser, course_site):  # noqa: F811
    assert _violations(browser, course_site) == []


def test_no_csp_violation_on_any_page_of_the_fixture_course(browser, fixture_site):  # noqa: F811
    assert _violations(browser, fixture_site) == []
