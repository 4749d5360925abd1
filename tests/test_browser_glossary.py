"""Glossary terms in the real course's chapters, on a touch screen, with a mouse and with the keyboard:
the definition shows in place; the glossary is one more tap, click or Enter away."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser import serve_folder
from test_quality import course_site  # noqa: F401 - the real course, built as published

SHOTS = Path(__file__).resolve().parent.parent / "benchmarks" / "_work" / "captures"
CHAPTER = "transformers.html"


@pytest.fixture(scope="module")
def served(course_site):  # noqa: F811
    with serve_folder(course_site) as url:
        yield url


@pytest.fixture
def phone(browser, served):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(served + CHAPTER)
    yield page
    context.close()


def bubble_of(page, term):
    return page.locator("#" + term.get_attribute("aria-controls"))


def test_first_tap_shows_the_definition_second_tap_opens_the_glossary(phone):
    term = phone.locator("main a.terme").nth(1)
    term.scroll_into_view_if_needed()
    target = term.get_attribute("href")
    bubble = bubble_of(phone, term)
    expect(bubble).to_be_hidden()
    assert term.get_attribute("aria-expanded") == "false"
    term.tap()
    expect(bubble).to_be_visible()
    assert phone.url.endswith(CHAPTER)
    assert term.get_attribute("aria-expanded") == "true"
    definition = phone.locator("#" + term.get_attribute("aria-describedby"))
    assert definition.inner_text() == term.get_attribute("data-definition")
    assert definition.get_attribute("role") == "tooltip"
    box, view = bubble.bounding_box(), phone.viewport_size
    assert box["x"] >= 0 and box["x"] + box["width"] <= view["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "glossary-tap-390.png"))
    phone.locator("main h1").tap()  # a tap elsewhere closes it
    expect(bubble).to_be_hidden()
    assert term.get_attribute("aria-expanded") == "false"
    term.tap()
    expect(bubble).to_be_visible()
    term.tap()
    phone.wait_for_url(lambda u: u.endswith(target))


def test_the_link_in_the_bubble_leads_to_the_glossary_and_escape_closes_it(phone):
    term = phone.locator("main a.terme").first
    term.scroll_into_view_if_needed()
    target = term.get_attribute("href")
    term.tap()
    bubble = bubble_of(phone, term)
    expect(bubble).to_be_visible()
    phone.keyboard.press("Escape")
    expect(bubble).to_be_hidden()
    term.tap()
    link = bubble.get_by_role("link", name="Voir dans le glossaire")
    expect(link).to_be_visible()
    link.tap()
    phone.wait_for_url(lambda u: u.endswith(target))


def test_one_bubble_at_a_time(phone):
    first, second = phone.locator("main a.terme").nth(0), phone.locator("main a.terme").nth(2)
    first.scroll_into_view_if_needed()
    first.tap()
    second.scroll_into_view_if_needed()
    second.tap()
    expect(bubble_of(phone, second)).to_be_visible()
    expect(bubble_of(phone, first)).to_be_hidden()


def test_mouse_and_keyboard_keep_their_behaviour(browser, served):  # noqa: F811
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(served + CHAPTER)
    term = page.locator("main a.terme").first
    bubble = bubble_of(page, term)
    term.hover()
    expect(bubble).to_be_visible()
    page.mouse.move(5, 5)
    expect(bubble).to_be_hidden()
    term.focus()
    expect(bubble).to_be_visible()
    page.keyboard.press("Escape")
    expect(bubble).to_be_hidden()
    assert page.evaluate("document.activeElement.classList.contains('terme')")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda u: "glossaire.html#terme-" in u)
    page.goto(served + CHAPTER)
    page.locator("main a.terme").first.click()  # one click with a mouse: the glossary, as before
    page.wait_for_url(lambda u: "glossaire.html#terme-" in u)
    context.close()
