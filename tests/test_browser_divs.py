"""Quarto constructs in a browser (tests/fixtures/constructs): tabsets as ARIA tabs driven by the keyboard,
read in order without JavaScript, groups kept in step; callouts, tabs and columns at a phone's and a
laptop's width in both colour schemes, with 0 axe-core violations. Screenshots go to ATELIER_SCREENSHOTS
when it names a folder (to look at them), else into the test's temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser import serve_folder
from conftest import make_project, run_build
from test_quality import AXE, _need


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("constructions") / "projet", "constructs")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    with serve_folder(root / "site") as url:
        yield url


@pytest.fixture
def page(browser, served):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert errors == []


def test_tabset_has_the_aria_roles_and_one_tab_stop(page, served):
    page.goto(served + "onglets.html")
    tabset = page.locator(".panel-tabset").first
    tabs = tabset.get_by_role("tab")
    expect(tabs).to_have_text(["Python", "R", "Explication"])
    expect(tabset.get_by_role("tablist")).to_have_count(1)
    for i in range(3):
        tab, panel = tabs.nth(i), tabset.locator(".tab-panel").nth(i)
        expect(panel).to_have_attribute("role", "tabpanel")
        expect(panel).to_have_attribute("aria-labelledby", tab.get_attribute("id"))
        expect(tab).to_have_attribute("aria-controls", panel.get_attribute("id"))
        expect(tab).to_have_attribute("aria-selected", "true" if i == 0 else "false")
        expect(tab).to_have_attribute("tabindex", "0" if i == 0 else "-1")
        expect(panel).to_be_visible() if i == 0 else expect(panel).to_be_hidden()
    # The heading the tab replaces stays for screen readers' heading list and links, out of sight.
    expect(tabset.locator("#python")).to_have_class("unnumbered visually-hidden")


def test_tabset_keyboard_arrows_home_end(page, served):
    page.goto(served + "onglets.html")
    tabset = page.locator(".panel-tabset").first
    tabs = tabset.get_by_role("tab")
    panels = tabset.locator(".tab-panel")
    page.locator("h1").click()
    page.keyboard.press("Tab")
    while not tabs.first.evaluate("el => el === document.activeElement"):
        page.keyboard.press("Tab")
    for key, index in (("ArrowRight", 1), ("ArrowRight", 2), ("ArrowRight", 0), ("ArrowLeft", 2),
                       ("Home", 0), ("End", 2)):
        page.keyboard.press(key)
        expect(tabs.nth(index)).to_be_focused()
        expect(tabs.nth(index)).to_have_attribute("aria-selected", "true")
        expect(panels.nth(index)).to_be_visible()
        assert panels.evaluate_all("ps => ps.filter(p => !p.hidden).length") == 1
    page.keyboard.press("Tab")  # one tab stop for the tab list: next comes the panel itself
    expect(panels.nth(2)).to_be_focused()


def test_tabsets_of_a_group_switch_together_and_remember(page, served):
    page.goto(served + "onglets.html")
    first, second = page.locator(".panel-tabset").nth(0), page.locator(".panel-tabset").nth(1)
    first.get_by_role("tab", name="R").click()
    expect(second.get_by_role("tab", name="R")).to_have_attribute("aria-selected", "true")
    page.reload()
    expect(first.get_by_role("tab", name="R")).to_have_attribute("aria-selected", "true")


def test_a_link_to_a_heading_in_a_hidden_panel_opens_its_tab(page, served):
    page.goto(served + "onglets.html#explication")
    expect(page.get_by_role("tab", name="Explication")).to_have_attribute("aria-selected", "true")


def test_without_javascript_panels_read_in_order_under_their_headings(browser, served):  # noqa: F811
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(served + "onglets.html")
    tabset = page.locator(".panel-tabset").first
    expect(tabset.get_by_role("tab")).to_have_count(0)
    expect(tabset.locator("h2")).to_contain_text(["Python", "R", "Explication"])
    for panel in tabset.locator(".tab-panel").all():
        expect(panel).to_be_visible()
    order = tabset.evaluate("el => el.innerText")
    assert order.index("Python") < order.index('print("bonjour")') < order.index("R") < order.index("Explication")
    context.close()


def _shots_folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("ATELIER_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_constructs_on_phone_and_laptop_with_no_axe_violation(browser, served, tmp_path, scheme, width):  # noqa: F811
    _need(AXE)
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    folder = _shots_folder(tmp_path)
    violations = []
    for name in ("encadres", "onglets", "colonnes", "brut", "imbrication"):
        page.goto(served + name + ".html")
        page.locator("article").screenshot(path=str(folder / f"constructions-{name}-{width}-{scheme}.png"))
        # Nothing sticks out sideways: columns stack on a phone, margin notes stay in the text column.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.add_script_tag(path=str(AXE))
        found = page.evaluate("""async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}});
            return r.violations.map(v => v.id + ' : ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
        }""")
        violations += [f"{name} {v}" for v in found]
    columns = page.goto(served + "colonnes.html") and page.locator(".column")
    left, right = columns.nth(0).bounding_box(), columns.nth(1).bounding_box()
    if width >= 1280:
        assert abs(left["y"] - right["y"]) < 1 and left["width"] < right["width"]  # side by side, 40 % / 60 %
    else:
        assert right["y"] > left["y"] + left["height"] - 1  # stacked
    context.close()
    assert violations == []


def test_printed_tabset_shows_every_panel_under_its_heading(page, served):
    page.goto(served + "onglets.html")
    page.emulate_media(media="print")
    tabset = page.locator(".panel-tabset").first
    expect(tabset.get_by_role("tablist")).to_be_hidden()
    for panel in tabset.locator(".tab-panel").all():
        expect(panel).to_be_visible()
        assert panel.locator("h2").bounding_box()["width"] > 100  # not the 1 px of its screen-only hiding
