"""A Quarto website opened from disk (file://): a page two folders deep gets its stylesheet, its scripts, its
image and a sidebar whose links lead to the other pages, as a reader of the built site sees it."""

import re
import shutil
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from browser import browser, serve_folder  # noqa: F401
from conftest import FIXTURES, REPO


@pytest.fixture(scope="module")
def quarto_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quarto") / "site-quarto"
    shutil.copytree(FIXTURES / "quarto-site", folder)
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "--quarto", str(folder)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return folder / "_atelier"


def test_nested_page_works_from_file_urls(browser, quarto_site):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto((quarto_site / "guides" / "sous-dossier" / "fiche.2.html").as_uri())
    # site.css applied (its layout grid), theme.js and site.js ran (the « js » class, the theme button shown)
    assert page.evaluate("getComputedStyle(document.querySelector('.layout')).display") == "grid"
    assert page.evaluate("document.documentElement.classList.contains('js')")
    expect(page.locator(".theme-toggle")).to_be_visible()
    assert page.evaluate("document.querySelector('figure img').naturalWidth") == 32  # ../../images/logo.png
    sidebar = page.locator("#sommaire")
    expect(sidebar.locator(".sidebar-group")).to_have_text(["Pour commencer", "Plus loin", "Guides"])
    sidebar.get_by_role("link", name="Travailler avec des API").click()
    page.wait_for_url(re.compile(r"/guides/Fiche_api\.html$"))
    expect(page.locator("h1")).to_have_text("Travailler avec des API")
    page.get_by_role("link", name="la section de l’autre page").click()
    page.wait_for_url(re.compile(r"/a-propos\.html#qui-sommes-nous$"))
    page.locator(".site-title").click()
    page.wait_for_url(re.compile(r"/_atelier/index\.html$"))
    expect(page.locator("h1")).to_have_text("Accueil du site")
    context.close()
    assert errors == []


def test_search_from_a_nested_page_leads_to_a_nested_page(browser, quarto_site):  # noqa: F811
    with serve_folder(quarto_site) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url + "guides/sous-dossier/fiche.2.html")
        page.click("#recherche-entete")  # opens the search overlay (search.js), from a page two folders deep
        expect(page.locator("#recherche-overlay")).to_be_visible()
        page.fill("#recherche-overlay-champ", "API")
        first = page.locator("#recherche-overlay .search-result-title a, #recherche-overlay .search-result a").first
        expect(first).to_have_text("Travailler avec des API")
        first.click()
        page.wait_for_url(re.compile(r"/guides/Fiche_api\.html$"))
        expect(page.locator("h1")).to_have_text("Travailler avec des API")
        page.close()
