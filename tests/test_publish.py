"""The published site in a real browser, as GitHub Pages serves it: under /atelier-llm/, at a domain root,
with 404.html for every missing path, and from file://. A crawler follows every internal link."""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urldefrag, urlsplit

import pytest


from browser import serve_folder
from conftest import make_project, run_build

SUBPATH_URL = "https://exemple.github.io/atelier-llm/"
ROOT_URL = "https://cours.exemple.fr/"


class PagesHandler(SimpleHTTPRequestHandler):
    """GitHub Pages in miniature: the site lives under ``prefix``; anything else, and any missing file,
    is answered 404 with the site's own 404.html."""

    prefix = "/"

    def log_message(self, *args) -> None:
        pass

    def translate_path(self, path: str) -> str:
        clean = urlsplit(path).path
        if clean == self.prefix.rstrip("/"):           # /atelier-llm -> redirected to /atelier-llm/
            return self.directory
        if not clean.startswith(self.prefix):
            return os.path.join(self.directory, "__hors-du-site__", "absent")
        return super().translate_path("/" + clean[len(self.prefix):])

    def list_directory(self, path):
        self.send_error(404)
        return None

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404:
            return super().send_error(code, message, explain)
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextmanager
def serve_pages(site: Path, prefix: str) -> Iterator[str]:
    """Serve ``site`` under ``prefix`` on a free loopback port; yields the site's base URL."""
    handler = type("Handler", (PagesHandler,), {"prefix": prefix})
    with serve_folder(site, handler, prefix) as url:
        yield url


_PAGE_FACTS = """() => ({
  ids: [...document.querySelectorAll('[id]')].map(e => e.id)
        .concat([...document.querySelectorAll('a[name]')].map(e => e.name)),
  links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  assets: [...document.querySelectorAll('img[src]')].map(e => e.src)
        .concat([...document.querySelectorAll('link[href]')].map(e => e.href))
        .concat([...document.querySelectorAll('script[src]')].map(e => e.src))
        .concat([...document.querySelectorAll('form[action]')].map(e => e.action)),
  forms: [...document.querySelectorAll('form[action]')].map(e => e.action),
  images: [...document.images].map(i => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0})),
  sheets: [...document.querySelectorAll('link[rel=stylesheet]')].map(l => ({href: l.href, loaded: l.sheet !== null})),
  meta: Object.fromEntries([...document.querySelectorAll('meta[property], meta[name]')]
        .map(m => [m.getAttribute('property') || m.getAttribute('name'), m.content])),
})"""


@dataclass
class Crawl:
    pages: list[str] = field(default_factory=list)
    links: int = 0                                   # internal links followed or fetched
    anchors: int = 0                                 # #fragments checked against the target page's ids
    assets: set[str] = field(default_factory=set)    # images, stylesheets, scripts, icons, alternates, forms
    external: set[str] = field(default_factory=set)  # links leaving the site (listed, never requested)
    broken: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.pages)} pages, {self.links} liens internes, {self.anchors} ancres, "
                f"{len(self.assets)} ressources, {len(self.external)} liens externes, {len(self.broken)} cassés")


def _local_only(context, base: str) -> None:
    """Nothing leaves the loopback server: any other request is aborted (and so reported as failed)."""
    origin = "{0.scheme}://{0.netloc}/".format(urlsplit(base))
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(origin)
                  else route.abort())


def crawl(browser, base: str, site_url: str) -> Crawl:  # noqa: F811
    """Visit every page reachable from ``base``; check every link, anchor and asset; list what is broken."""
    report = Crawl()
    context = browser.new_context()
    _local_only(context, base)
    page = context.new_page()
    current = {"url": base}
    page.on("requestfailed", lambda r: report.broken.append(f"{current['url']}: échec {r.url} ({r.failure})"))
    page.on("response", lambda r: report.broken.append(f"{current['url']}: HTTP {r.status} {r.url}")
            if r.status >= 400 else None)
    page.on("pageerror", lambda exc: report.broken.append(f"{current['url']}: erreur JavaScript {exc}"))
    ids: dict[str, set[str]] = {}
    anchors: list[tuple[str, str, str]] = []
    fetched: dict[str, int] = {}
    queue, seen = [base], set()

    def fetch(url: str) -> int:
        if url not in fetched:
            fetched[url] = context.request.get(url).status
        return fetched[url]

    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        current["url"] = url
        response = page.goto(url, wait_until="load")
        # lazy images below the fold load only when scrolled to: load them all, then wait for them
        page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })")
        page.wait_for_load_state("networkidle")
        page.wait_for_function("[...document.images].every(i => i.complete)")
        report.pages.append(url[len(base):] or "/")
        if response is None or response.status != 200:
            report.broken.append(f"{url}: page en HTTP {response.status if response else '?'}")
            continue
        facts = page.evaluate(_PAGE_FACTS)
        ids[url] = set(facts["ids"])
        for href in facts["links"]:
            target, fragment = urldefrag(href)
            if not target.startswith(base):
                report.external.add(href)
                if target.startswith("http://127.0.0.1"):
                    report.broken.append(f"{url}: lien hors du sous-chemin {href}")
                continue
            report.links += 1
            if fragment:
                anchors.append((url, target, unquote(fragment)))
            if target.endswith((".html", "/")):
                if target not in seen:
                    queue.append(target)
            elif fetch(target) != 200:
                report.broken.append(f"{url}: lien {href} en HTTP {fetched[target]}")
        for action in facts["forms"]:   # the search form leads to a page of the site: crawl it too
            if action.startswith(base) and action.endswith(".html") and action not in seen:
                queue.append(action)
        for asset in facts["assets"]:
            asset = urldefrag(asset)[0]
            if asset.startswith(site_url):       # canonical address: must exist once published
                asset = base + asset[len(site_url):]
            if not asset.startswith(base):
                report.broken.append(f"{url}: ressource hors du site {asset}")
                continue
            report.assets.add(asset)
            if fetch(asset) != 200:
                report.broken.append(f"{url}: ressource {asset} en HTTP {fetched[asset]}")
        report.broken += [f"{url}: image non affichée {img['src']}" for img in facts["images"] if not img["ok"]]
        report.broken += [f"{url}: feuille de style non appliquée {s['href']}" for s in facts["sheets"] if not s["loaded"]]
        for key in ("og:image", "twitter:image", "og:url"):
            if key in facts["meta"]:
                local = base + facts["meta"][key][len(site_url):]
                if not facts["meta"][key].startswith(site_url) or fetch(local) != 200:
                    report.broken.append(f"{url}: {key} {facts['meta'][key]} introuvable une fois publié")
    for source, target, fragment in anchors:
        report.anchors += 1
        if fragment not in ids.get(target, set()):
            report.broken.append(f"{source}: ancre #{fragment} absente de {target}")
    context.close()
    return report


def _build(tmp_path_factory, name: str, site_url: str) -> Path:
    root = make_project(tmp_path_factory.mktemp(name) / "projet")
    config = root / "config.yaml"
    config.write_text(re.sub(r'(?m)^site_url: .*$', f'site_url: "{site_url}"', config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    result = run_build(root, "--strict")
    assert result.returncode == 0, result.stderr
    return root / "site"


@pytest.fixture(scope="module")
def subpath_site(tmp_path_factory) -> Path:
    return _build(tmp_path_factory, "sous-chemin", SUBPATH_URL)


@pytest.fixture(scope="module")
def root_site(tmp_path_factory) -> Path:
    return _build(tmp_path_factory, "racine", ROOT_URL)


def _assert_clean(report: Crawl, expected_pages: set[str]) -> None:
    print(f"\nexploration : {report.summary()} ; pages : {', '.join(report.pages)}")
    assert report.broken == [], "\n".join(report.broken)
    assert expected_pages <= set(report.pages), report.pages
    assert report.links >= 20 and report.anchors >= 10 and len(report.assets) >= 8, report.summary()


PAGES = {"/", "avant-propos.html", "bases.html", "suite.html"}


def test_crawl_under_a_subpath_finds_nothing_broken(browser, subpath_site):  # noqa: F811
    with serve_pages(subpath_site, "/atelier-llm/") as base:
        report = crawl(browser, base, SUBPATH_URL)
    _assert_clean(report, PAGES)
    assert "https://arxiv.org/abs/1706.03762" in report.external


def test_crawl_at_a_domain_root_finds_nothing_broken(browser, root_site):  # noqa: F811
    with serve_pages(root_site, "/") as base:
        report = crawl(browser, base, ROOT_URL)
    _assert_clean(report, PAGES)


def test_the_crawler_reports_a_missing_image_and_a_dead_anchor(browser, subpath_site, tmp_path):  # noqa: F811
    """The crawler can fail: break a copy of the site and it names each break."""
    import shutil

    broken = tmp_path / "site"
    shutil.copytree(subpath_site, broken)
    (broken / "assets" / "schema.svg").unlink()
    page = broken / "suite.html"
    page.write_text(page.read_text(encoding="utf-8").replace("#sec-conventions", "#sec-disparue"), encoding="utf-8")
    with serve_pages(broken, "/atelier-llm/") as base:
        report = crawl(browser, base, SUBPATH_URL)
    assert any("image non affichée" in b and "schema.svg" in b for b in report.broken), report.broken
    assert any("HTTP 404" in b and "schema.svg" in b for b in report.broken), report.broken
    assert any(b.endswith(f"ancre #sec-disparue absente de {base}avant-propos.html") for b in report.broken), \
        report.broken


def test_the_server_answers_like_github_pages(subpath_site):
    """The test server itself: 404 with 404.html outside the sub-path and for missing files."""
    import urllib.error
    import urllib.request

    with serve_pages(subpath_site, "/atelier-llm/") as base:
        origin = base[: -len("atelier-llm/")]
        assert urllib.request.urlopen(base + "bases.html").status == 200
        assert urllib.request.urlopen(origin + "atelier-llm").url == base
        for missing in (origin + "bases.html", base + "absent.html", base + "static/absent.css"):
            with pytest.raises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(missing)
            assert caught.value.code == 404
            assert b"Page introuvable" in caught.value.read()


@pytest.mark.parametrize("prefix, site_fixture, site_url", [
    ("/atelier-llm/", "subpath_site", SUBPATH_URL), ("/", "root_site", ROOT_URL)])
@pytest.mark.parametrize("depth", ["absent.html", "a/b/c/", "a/b/c/d.html", "static/x/y/"])
def test_404_page_is_styled_and_its_links_work_at_any_depth(browser, request, prefix, site_fixture,  # noqa: F811
                                                            site_url, depth):
    site = request.getfixturevalue(site_fixture)
    with serve_pages(site, prefix) as base:
        context = browser.new_context()
        _local_only(context, base)
        page = context.new_page()
        failed = []
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 and r.url != base + depth
                else None)
        response = page.goto(base + depth)
        page.wait_for_load_state("networkidle")
        assert response.status == 404
        assert page.locator("h1").inner_text() == "Page introuvable"
        # site.css applied: the sticky header and the theme's background, not the browser's defaults
        assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).position") == "sticky"
        assert page.evaluate("getComputedStyle(document.querySelector('.layout')).display") == "grid"
        assert page.evaluate("[...document.querySelectorAll('link[rel=stylesheet]')].every(l => l.sheet !== null)")
        links = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)")
        internal = [urldefrag(href)[0] for href in links if href.startswith(base)]
        assert len(internal) >= 4, links
        for href in sorted(set(internal)):
            if href != base + depth:  # the skip link points at the page itself
                assert context.request.get(href).status == 200, href
        assert failed == []
        page.locator(".not-found a").click()
        page.wait_for_url(base + "index.html")
        assert page.locator("h1").inner_text() == "Cours d’essai"
        context.close()


def test_the_site_works_from_file_urls(browser, subpath_site):  # noqa: F811
    """Opened from disk (no server): navigate from index.html to a chapter, nothing fails to load."""
    context = browser.new_context()
    page = context.new_page()
    failed = []
    page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    page.goto((subpath_site / "index.html").as_uri())
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Cours d’essai"
    page.locator("#sommaire").get_by_role("link", name="1 Les bases", exact=True).click()
    page.wait_for_url("**/bases.html")
    page.wait_for_load_state("networkidle")
    assert page.url == (subpath_site / "bases.html").as_uri()
    assert page.locator("h1").inner_text() == "1 Les bases"
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).position") == "sticky"
    assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    assert failed == []
    page.get_by_role("link", name="Suivant 2 La suite").click()
    page.wait_for_url("**/suite.html")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "2 La suite"
    assert failed == []
    context.close()
