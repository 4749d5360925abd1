"""The real course in a browser, as a learner uses it beyond reading on screen: nothing requested from
another site on any page, the whole site opened from disk (file://), and a chapter printed."""

import io
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
    expect(figure.locator(".att-note")).to_contain_text("file://")
    expect(figure.locator(".att-status")).to_contain_text("regarde surtout")  # the static figure still teaches
    expect(figure.locator("svg.att-head-view")).to_be_visible()
    quiz = page.locator(".quiz").first
    quiz.get_by_role("radio").nth(2).check()
    quiz.get_by_role("button", name="Vérifier").click()
    expect(quiz.locator(".quiz-feedback")).to_contain_text("Bonne réponse")

    page.goto((course_site / "recherche.html").as_uri())
    expect(page.locator(".search-status")).to_have_text(
        "Ouvert depuis un fichier, le site ne peut pas charger son index de recherche : "
        "lancez « python build.py serve ».")
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
        expect(quiz.locator(".quiz-answer")).to_be_hidden()  # answers printed in the key at the end, not here
        expect(quiz.locator("summary")).to_be_hidden()
    expect(page.locator(".quiz-key .quiz-answer")).to_have_count(page.locator(".quiz").count())
    for answer in page.locator(".quiz-key .quiz-answer").all():
        expect(answer).to_be_visible()
    expect(page.locator("article h1")).to_be_visible()
    width = page.evaluate("document.querySelector('article').getBoundingClientRect().width")
    assert width > 700  # the text takes the page's width, not a screen column
    context.close()


def test_formulas_use_the_shipped_maths_font_and_their_brackets_stretch(browser, served):
    """Chromium on Linux and Android has no maths font of its own: the theme's is served, named for <math>,
    and with it \\left( \\right) and matrix brackets grow with what they enclose."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    fonts = []
    page.on("response", lambda r: fonts.append((urlsplit(r.url).path, r.status)) if r.url.endswith(".woff2") else None)
    page.goto(served + CHAPTER)
    matrix = page.locator("div.math", has=page.locator("mtable")).first
    matrix.scroll_into_view_if_needed()
    page.evaluate("document.fonts.ready.then(() => true)")
    assert fonts == [("/static/fonts/atelier-math.woff2", 200)]  # the course's formulas need only the core
    family = page.locator("math").first.evaluate("m => getComputedStyle(m).fontFamily")
    assert family.startswith('"Atelier Math"'), family
    # Two files: the chapter's formulas need only the first; a Greek letter brings the second.
    status = ("[...document.fonts].filter(f => f.family.replace(/\"/g, '') === 'Atelier Math')"
              ".map(f => f.unicodeRange.includes('U+3B1') ? 'extra:' + f.status : 'core:' + f.status)")
    assert sorted(page.evaluate(status)) == ["core:loaded", "extra:unloaded"]
    page.evaluate("""() => { const m = document.createElementNS('http://www.w3.org/1998/Math/MathML', 'math');
        m.innerHTML = '<mi>α</mi>'; document.querySelector('article p').append(m); return document.fonts.ready; }""")
    page.evaluate("""document.fonts.load('16px "Atelier Math"', 'α').then(() => document.fonts.ready).then(() => true)""")
    assert sorted(page.evaluate(status)) == ["core:loaded", "extra:loaded"]
    assert fonts == [("/static/fonts/atelier-math.woff2", 200), ("/static/fonts/atelier-math-extra.woff2", 200)]
    # A matrix of three rows: its opening bracket spans them, much taller than a bracket around one line.
    inline = page.locator("math mo[stretchy='false']", has_text="(").first.bounding_box()["height"]
    bracket = matrix.locator("mo", has_text="(").first.bounding_box()["height"]
    assert bracket > 2.2 * inline, (bracket, inline)
    # \left( \frac{…}{…} \right): the fence grows to near the fraction's height (a size variant of the font).
    fence, fraction = page.evaluate("""() => { const f = document.querySelector("mo[fence='true'] + mfrac");
        return [f.previousElementSibling.getBoundingClientRect().height, f.getBoundingClientRect().height]; }""")
    assert fence >= 0.7 * fraction and fence > 1.8 * inline, (fence, fraction, inline)
    # The font's tall line metrics are tamed: no formula can be scrolled vertically (a stray scrollbar).
    assert page.evaluate("[...document.querySelectorAll('div.math')].filter(d => d.scrollHeight > d.clientHeight + 1)"
                         ".length") == 0
    context.close()


def test_the_english_figure_on_a_phone_every_token_tapped_in_english(browser, served):
    """The real figure on a phone: it opens on « it » and its strongest link, each tapped token is the one
    selected (the drawing never moves), and the English tokens and sentences are marked lang="en"."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(served + CHAPTER)
    fig = page.locator("#fig-attention-animal-fatigue")
    fig.scroll_into_view_if_needed()
    expect(fig).to_have_class(re.compile(r"\batt-ready\b"))
    status = fig.locator(".att-status")
    expect(status).to_have_text("Couche 4, tête 2\u00a0: «\u202fit\u202f» regarde surtout «\u202fanimal\u202f» (0,68).")
    assert status.locator("span").evaluate_all("ss => ss.map(s => s.lang)") == ["en", "en"]
    tokens = fig.locator(".att-col-from .att-token")
    assert tokens.locator("text").all_text_contents()[:4] == ["[CLS]", "the", "animal", "didn"]  # the model's pieces
    assert tokens.first.evaluate("t => t.closest('[lang]').getAttribute('lang')") == "en"
    caption = fig.locator("figcaption span[lang='en']")
    expect(caption).to_have_text("The animal didn’t cross the street because it was too tired.")
    svg = fig.locator("svg.att-head-view")
    start = svg.bounding_box()
    for i in range(tokens.count()):
        box = tokens.nth(i).locator(".att-token-bg").bounding_box()
        assert box["height"] >= 24
        page.touchscreen.tap(box["x"] + box["width"] - 10, box["y"] + box["height"] / 2)
        expect(fig.locator('.att-col-from .att-token[aria-selected="true"]')).to_have_attribute("data-i", str(i))
        assert svg.bounding_box() == start
    context.close()


@pytest.mark.parametrize("chapter", ["preface.html", "transformers.html", "acteurs-majeurs.html"])
def test_printed_chapters_keep_tables_on_the_page_and_answers_at_the_end(browser, served, chapter):
    """Laid out as page.pdf lays out A4 with 1,5 cm margins (180 mm = 680 px wide): no table is wider than
    the page, the quiz answers are in one key after the last question, not under each question, and the
    printed pages are full."""
    context = browser.new_context(viewport={"width": 680, "height": 1000})
    page = context.new_page()
    page.goto(served + chapter)
    page.emulate_media(media="print")
    too_wide = page.evaluate("""() => [...document.querySelectorAll('article table')].filter(t => {
        const r = t.getBoundingClientRect();
        return r.left < -1 || r.right > document.documentElement.clientWidth + 1 || t.scrollWidth > t.clientWidth + 1;
    }).map(t => (t.querySelector('caption') || t).textContent.trim().slice(0, 60))""")
    assert too_wide == []
    quizzes = page.locator("article .quiz")
    key = page.locator("article .quiz-key")
    if quizzes.count():
        for quiz in quizzes.all():
            expect(quiz.locator(".quiz-answer")).to_be_hidden()
        expect(key).to_be_visible()
        expect(key.locator(".quiz-key-item")).to_have_count(quizzes.count())
        expect(key.locator(".quiz-key-question")).to_have_text([f"Question {n}" for n in range(1, quizzes.count() + 1)])
        assert key.evaluate("(k) => { const qs = document.querySelectorAll('article .quiz');"
                            " return !!(qs[qs.length - 1].compareDocumentPosition(k) & Node.DOCUMENT_POSITION_FOLLOWING); }")
        page.emulate_media(media="screen")
        expect(key).to_be_hidden()  # on screen the answers stay under « Voir la réponse »
    else:
        expect(key).to_have_count(0)
    # Printed for real: no page but the last is nearly empty (before: a page held a lone caption, 245
    # characters, after a figure pushed whole onto the next page).
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", margin={side: "1.5cm" for side in ("top", "bottom", "left", "right")})
    from pypdf import PdfReader  # lazy: only this test reads PDF text

    counts = [len(p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages]
    assert all(n >= 600 for n in counts[:-1]), counts
    context.close()
