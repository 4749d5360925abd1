"""The pages run only the site's own script files: a strict CSP on every page, which the site itself obeys.

Static half: every page of the real course and of the fixture course carries the Content-Security-Policy
meta of templates/base.html (no inline script, no third-party origin, no frame, plugin, <base> or foreign
form target), loads scripts from files only, and has no inline event handler, ``javascript:`` URL, frame,
plugin or redirecting ``<meta>``; no other published file can run script. The same holds for a chapter
written to attack the site (``hostile_project``). Browser half: Chromium visits every page, does what
loads the lazy parts (figures, search), and reports any ``securitypolicyviolation`` event.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import html5lib
import pytest

from browser import serve_folder
from conftest import make_project, run_build
from coursegen.markdown.sanitize import clean_svg, unsafe_scheme
from coursegen.pages.html import publishable
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
        if tag in ("iframe", "frame", "object", "embed", "base") or \
                (tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh"):
            self.problems.append(f"ligne {line} : <{tag}>")
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


SITE_FILES = {"sitemap.xml", ".nojekyll", ".atelier-site"}  # written by the build, not linked by a chapter


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
        if any(policy.get(d) != ["'none'"] for d in ("object-src", "frame-src", "base-uri")):
            problems.append(f"{name} : object-src/frame-src/base-uri non verrouillés")
        # The search boxes are plain GET forms to recherche.html, which work before search.js runs: 'self',
        # never another origin (authors' <form> elements are removed by the sanitiser).
        if policy.get("form-action") not in (["'self'"], ["'none'"]):
            problems.append(f"{name} : form-action {policy.get('form-action')}")
        if page.before_csp:
            problems.append(f"{name} : {page.before_csp} chargés avant la balise CSP")
        for src in page.scripts:
            if not src or re.match(r"^([a-z]+:|//)", src):
                problems.append(f"{name} : <script src={src!r}> (le JavaScript vient des fichiers du site)")
        problems += [f"{name} {p}" for p in page.problems]
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        name = path.relative_to(site).as_posix()
        if path.suffix.lower() == ".svg" and clean_svg(path.read_bytes()) != (path.read_bytes(), ()):
            problems.append(f"{name} : SVG qui exécuterait du code ({clean_svg(path.read_bytes())[1]})")
        elif not publishable(name) and not name.endswith(".html") and name not in SITE_FILES \
                and not name.startswith(("static/", "pagefind/")):  # the site's own scripts, the search's
            problems.append(f"{name} : fichier d'un type non publiable hors de static/")
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
                              good.replace("</head>", '<script src="https://cdn.example/x.js"></script></head>'),
                              good.replace(" frame-src 'none';", ""),
                              good.replace("form-action 'self'", "form-action https://ailleurs.example"),
                              good.replace("</body>", '<iframe src="x.html"></iframe></body>'),
                              good.replace("</head>", '<meta http-equiv="refresh" content="0;url=x"></head>')]):
        (site / f"page-{i}.html").write_text(text, encoding="utf-8")
    (site / "assets").mkdir()
    (site / "assets" / "x.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>')
    (site / "assets" / "x.js").write_text("x()")
    found = {line.split(" ")[0] for line in _check_site(site)}
    assert found == {f"page-{i}.html" for i in range(1, 11)} | {"assets/x.svg", "assets/x.js"}


# A chapter written to run script on the site: each payload once ran in Chromium (issue 18) or fooled the
# sanitiser of the time (html.parser). ``window.__pwned`` is what a payload that runs would set.
HOSTILE = r"""---
title: "La suite"
---
<!--><img src="absente.png" alt="1" onerror="window.__pwned = 'commentaire'">

<!-- fin --!><img src="absente.png" alt="2" onerror="window.__pwned = 'bang'">
-->

<div><noscript><p title="</noscript><img src=absente.png onerror='window.__pwned = 3'>"></noscript></div>

<div><xmp><p title="</xmp><img src=absente.png onerror='window.__pwned = 4'>"></xmp></div>

<div><textarea><p title="</textarea><img src=absente.png onerror='window.__pwned = 5'>"></textarea></div>

<div><title><p title="</title><img src=absente.png onerror='window.__pwned = 6'>"></title></div>

<div><noembed><p title="</noembed><img src=absente.png onerror='window.__pwned = 7'>"></noembed></div>

Dans le texte <noscript><p title="</noscript><img src=absente.png onerror='window.__pwned = 8'>"></noscript> aussi.

<iframe src="assets/page.html"></iframe>

<iframe srcdoc="<script>parent.__pwned = 9</script>"></iframe>

<object data="assets/page.html"></object>

<embed src="assets/page.html">

<meta http-equiv="refresh" content="0;url=https://ailleurs.example/">

<base href="https://ailleurs.example/">

<form action="https://ailleurs.example/"><button>Envoyer</button></form>

Une formule $\href{javascript:window.__pwned = 10}{x}$ et $\style{color:red}{y}$.

[La page](assets/page.html), [le script](assets/code.js) et [le dessin](assets/dessin.svg).

![Le dessin](assets/dessin.svg)
"""
HOSTILE_FILES = {
    "page.html": "<!DOCTYPE html><title>x</title><script>parent.__pwned = 11; window.__pwned = 11</script>",
    "code.js": "window.__pwned = 12;",
    "dessin.svg": '<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned = 13"><script>window.__pwned = 14'
                  '</script><rect width="40" height="20" fill="#369"/></svg>',
}


def hostile_project(root: Path) -> Path:
    """The fixture course with ``HOSTILE`` as its second chapter and the files it links."""
    make_project(root)
    (root / "content" / "02-suite.md").write_text(HOSTILE, encoding="utf-8")
    for name, text in HOSTILE_FILES.items():
        (root / "content" / "assets" / name).write_text(text, encoding="utf-8")
    return root


def test_a_hostile_chapter_publishes_nothing_that_runs(tmp_path):
    root = hostile_project(tmp_path / "projet")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    site = root / "site"
    assert _check_site(site) == []
    assert not (site / "assets" / "page.html").exists() and not (site / "assets" / "code.js").exists()
    assert b"<rect" in (site / "assets" / "dessin.svg").read_bytes()
    # Read as a browser reads it (html5lib's parser, not html.parser): nothing left that could run.
    for element in html5lib.parse((site / "suite.html").read_bytes(), namespaceHTMLElements=False).iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag not in ("iframe", "frame", "object", "embed", "base", "noscript", "xmp", "textarea")
        assert element.tag != "meta" or "http-equiv" not in element.attrib or \
            element.attrib["http-equiv"] == "Content-Security-Policy"
        assert element.tag != "form" or element.attrib.get("action") == "recherche.html"
        for name, value in element.attrib.items():
            assert not name.startswith("on") and not unsafe_scheme(value) and name != "srcdoc", (element.tag, name)
    warnings = result.stderr
    for expected in ("content/02-suite.md:4: avertissement : commentaire HTML mal formé retiré",
                     "content/02-suite.md:9: avertissement : élément HTML <noscript> retiré de la page avec son "
                     "contenu",
                     "content/02-suite.md:21: avertissement : élément HTML <iframe> retiré de la page avec son contenu",
                     "content/02-suite.md:29: avertissement : élément HTML <meta> retiré de la page",
                     "content/02-suite.md:35: avertissement : formule LaTeX « \\href{javascript:window.__pwned = 10}{x} » "
                     ": attribut « href » retiré de <mrow>",
                     "content/02-suite.md:37: avertissement : fichier « assets/page.html » non publié",
                     "content/02-suite.md:39: avertissement : image SVG « assets/dessin.svg » publiée sans "
                     "attribut « onload », <script>"):
        assert expected in warnings, warnings



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
