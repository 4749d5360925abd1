"""The real course in a browser, as a learner uses it beyond reading on screen: nothing requested from
another site on any page, the whole site opened from disk (file://), and a chapter printed."""

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import expect

from browser import serve_folder
from test_quality import course_site, pages_of  # noqa: F401 - the real course, built as published

CHAPTER = "transformers.html"


@pytest.fixture(scope="module")
def served(course_site):  # noqa: F811
    with serve_folder(course_site) as url:
        yield url


def _exercise(page) -> None:
    """Do what loads everything a page can load: scroll to the end (lazy figures), search if it can."""
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    for figure in page.locator("figure.attention[data-src]").all():
        figure.scroll_into_view_if_needed()
        expect(figure).to_have_class(re.compile(r"\batt-ready\b"))
    if page.locator(".search-page").count():
        page.locator("#recherche").fill("attention")
        page.locator(".search-result").first.wait_for()
        page.locator(".search-result-title").first.hover()
    page.wait_for_load_state("networkidle")


def test_no_page_requests_anything_from_another_site(browser, course_site, served):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requested: list[tuple[str, str]] = []
    page.on("request", lambda req: requested.append((page.url, req.url)))
    origin = urlsplit(served)
    for name in pages_of(course_site):
        page.goto(served + name)
        _exercise(page)
    context.close()
    foreign = [f"{urlsplit(on).path} → {url}" for on, url in requested
               if urlsplit(url)[:2] != origin[:2] and not url.startswith(("data:", "blob:"))]
    assert foreign == []
    loaded = {urlsplit(url).path for _, url in requested}
    # The recording saw the lazily loaded parts too: figure data and the search index.
    assert any(p.startswith("/donnees/attention/") for p in loaded)
    assert any(p.startswith("/pagefind/") for p in loaded)
    assert len({on for on, _ in requested}) >= len(pages_of(course_site))


def test_the_site_works_from_file_urls(browser, course_site):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    crashes = []
    page.on("pageerror", lambda exc: crashes.append(str(exc)))
    missing = []
    for name in pages_of(course_site):
        page.goto((course_site / name).as_uri())
        for href in page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)"):
            if href.startswith("file://"):
                target = unquote(urlsplit(href).path)
                if not (target.endswith(".html") or "." in target.rsplit("/", 1)[-1]):
                    missing.append(f"{name} → {href} (dossier : ne s'ouvre pas depuis un fichier)")
                elif not Path(target).is_file():
                    missing.append(f"{name} → {href}")
    assert missing == []

    page.goto((course_site / "index.html").as_uri())
    page.locator("#sommaire").get_by_role("link", name=re.compile("Les Transformers")).click()
    page.wait_for_url(re.compile(r"transformers\.html$"))
    expect(page.locator("h1")).to_contain_text("Les Transformers")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.locator(".theme-toggle").click()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != background
    figure = page.locator("figure.attention-model").first
    figure.scroll_into_view_if_needed()
    expect(figure.locator(".att-status")).to_contain_text("file://")
    expect(figure.locator("svg.att-head-view")).to_be_visible()
    quiz = page.locator(".quiz").first
    quiz.get_by_role("radio").nth(2).check()
    quiz.get_by_role("button", name="Vérifier").click()
    expect(quiz.locator(".quiz-feedback")).to_contain_text("Bonne réponse")

    page.keyboard.press("/")  # the overlay says why it cannot search, and how to
    expect(page.locator("#recherche-overlay .search-status")).to_have_text(
        "Ouvert depuis un fichier, le site ne peut pas charger son index de recherche\u202f: "
        "lancez «\u202fpython build.py serve\u202f».")
    page.keyboard.press("Escape")
    page.goto((course_site / "recherche.html").as_uri())
    expect(page.locator(".search-status")).to_have_text(
        "Ouvert depuis un fichier, le site ne peut pas charger son index de recherche\u202f: "
        "lancez «\u202fpython build.py serve\u202f».")
    context.close()
    assert crashes == []


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_chapter_prints_without_screen_furniture(browser, served, theme):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(served + CHAPTER)
    page.evaluate(f"document.documentElement.setAttribute('data-theme', '{theme}')")
    page.locator("a.terme").first.focus()  # a glossary tooltip is open when printing starts
    page.emulate_media(media="print")
    for selector in (".site-header", ".sidebar", ".page-toc", ".pager", ".site-footer", ".header-search",
                     ".theme-toggle", ".copy-button", ".quiz-check", ".terme-popover", ".ancre"):
        for element in page.locator(selector).all():
            expect(element).to_be_hidden()
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    external = page.get_by_role("link", name="« Attention Is All You Need »")
    assert external.evaluate("a => getComputedStyle(a, '::after').content") == '" (https://arxiv.org/abs/1706.03762)"'
    shown = page.locator("article a.url[href='https://arxiv.org/abs/1706.03762']").first
    assert shown.inner_text() == "https://arxiv.org/abs/1706.03762"
    assert shown.evaluate("a => getComputedStyle(a, '::after').content") == "none"  # its text is the address
    internal = page.locator("article a.xref, article a[href^='#']").first
    assert internal.evaluate("a => getComputedStyle(a, '::after').content") == "none"
    for figure in page.locator("figure.attention").all():
        expect(figure.locator("svg").first).to_be_visible()
        for controls in figure.locator(".att-controls, .att-status").all():
            expect(controls).to_be_hidden()
    for quiz in page.locator(".quiz").all():
        expect(quiz.locator(".quiz-answer")).to_be_visible()  # answers printed open, no « Voir la réponse »
        expect(quiz.locator("summary")).to_be_hidden()
    expect(page.locator("article h1")).to_be_visible()
    width = page.evaluate("document.querySelector('article').getBoundingClientRect().width")
    assert width > 700  # the text takes the page's width, not a screen column
    context.close()
