"""The French query table of ``tests/test_browser_search.py`` run against any built site through its page
``recherche.html?q=…`` (which every version of the site has), in Chromium: how many queries get the
expected first result (page, and section when the table names one).

    .venv/bin/python benchmarks/search_queries.py site

Used to compare the search before and after issue 15: build an older commit into a folder of its own and
pass that folder's ``site``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import CHROMIUM, CHROMIUM_ARGS, serve_folder  # noqa: E402
from test_browser_search import QUERIES  # noqa: E402


def first_result(page) -> tuple[str | None, str | None]:
    items = page.locator(".search-result")
    if not items.count():
        return None, None
    href = items.first.locator(".search-result-title").get_attribute("href").rsplit("/", 1)[-1]
    subs = items.first.locator("ul a")
    return href, (subs.first.get_attribute("href").split("#", 1)[1] if subs.count() else None)


def main(site: Path) -> None:
    from playwright.sync_api import sync_playwright

    rows = [q.values if hasattr(q, "values") else q for q in QUERIES]
    passed = 0
    with serve_folder(site) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        for query, expected in rows:
            page.goto(url + "recherche.html?q=" + quote(query))
            page.wait_for_function("() => /résultat/.test(document.querySelector('.search-status').textContent)")
            got = first_result(page)
            good = got == expected if expected == (None, None) else \
                got[0] == expected[0] and expected[1] in (None, got[1])
            passed += good
            print(f"{'ok ' if good else 'NON'} {query!r:28} obtenu {got}, attendu {expected}")
        browser.close()
    print(f"{passed}/{len(rows)} requêtes donnent le premier résultat attendu ({100 * passed // len(rows)} %)")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "site"))
