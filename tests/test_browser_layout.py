"""Reading on a phone, a tablet and a laptop: a one-line header, anchors that land below it, the menu drawer
over the reading position, lines of readable length, h4 headings, and « ✓ lu » earned by reading."""

import re
import statistics

import pytest
from playwright.sync_api import expect

from browser import serve_folder
from conftest import make_project, run_build
from test_quality import course_site  # noqa: F401 - the real course, built as published

SIZES = [(320, 640), (390, 844), (768, 1024), (1024, 768), (1366, 900)]
DRAWER_SIZES = [(320, 640), (390, 844), (768, 1024), (1024, 768)]
LONG_TITLE = "Atelier sur les grands modèles de langage, pas à pas"

SENTENCES = [
    "Un modèle de langage lit une suite de jetons et estime, pour chacun, la probabilité du suivant.",
    "Chaque couche recalcule la représentation d’un mot en consultant celles de tous les autres mots de la phrase.",
    "Les poids d’attention disent quelle part de chaque mot entre dans la nouvelle représentation.",
    "Pendant l’entraînement, le modèle corrige ses paramètres un peu à chaque exemple, des milliards de fois.",
    "Une phrase courte suffit parfois à montrer ce qu’un long calcul cache.",
    "On retrouve la même idée dans la traduction, le résumé et la réponse à des questions sur un texte.",
]


def _paragraph(seed: int) -> str:
    return " ".join(SENTENCES[(seed + k) % len(SENTENCES)] for k in range(5))


def _long_chapter() -> str:
    parts = ["---", 'title: "Un long chapitre"', 'description: "De quoi faire défiler un téléphone."', "---", "",
             _paragraph(0), ""]
    for s in range(1, 7):
        parts += [f"## Section {s} {{#sec-long-{s}}}", "", _paragraph(s), "", _paragraph(s + 1), ""]
        for t in range(1, 3):
            parts += [f"### Sous-section {s}.{t} {{#sous-{s}-{t}}}", "", _paragraph(s + t), ""]
        parts += [f"#### Un détail de la section {s} {{#detail-{s}}}", "", _paragraph(s + 3), "",
                  _paragraph(s + 4), ""]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("mise-en-page") / "projet")
    (root / "content" / "03-long.md").write_text(_long_chapter(), encoding="utf-8")
    config = (root / "config.yaml").read_text(encoding="utf-8")
    config = config.replace('title: "Cours d\'essai"', f'title: "{LONG_TITLE}"')
    config = config.replace("  - 02-suite.md\n", "  - 02-suite.md\n  - 03-long.md\n")
    (root / "config.yaml").write_text(config, encoding="utf-8")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    with serve_folder(root / "site") as url:
        yield url


def _open(browser, site, size, scheme="light", path="long.html", **options):  # noqa: F811
    width, height = size
    phone = width < 800
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme,
                                  has_touch=phone, **options)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(site + path)
    page.wait_for_load_state("load")
    return context, page, errors


def _header_bottom(page) -> float:
    return page.evaluate("document.querySelector('.site-header').getBoundingClientRect().bottom")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}px" for w, _ in SIZES])
def test_the_header_is_one_line_with_named_icon_buttons(browser, site, size, scheme):  # noqa: F811
    context, page, errors = _open(browser, site, size, scheme)
    width = size[0]
    header = page.evaluate("""() => {
        const h = document.querySelector('.site-header'), title = document.querySelector('.site-title');
        const line = parseFloat(getComputedStyle(title).lineHeight) || 1.6 * parseFloat(getComputedStyle(title).fontSize);
        const tops = [...h.querySelectorAll('.site-title, .icon-button, .search-input')]
            .filter(e => e.getClientRects().length).map(e => e.getBoundingClientRect());
        return {height: h.getBoundingClientRect().height, titleHeight: title.getBoundingClientRect().height, line,
                truncated: title.scrollWidth > title.clientWidth, overflow: getComputedStyle(title).textOverflow,
                rows: new Set(tops.map(r => Math.round(r.top + r.height / 2))).size,
                reserved: parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop)};
    }""")
    assert header["titleHeight"] <= header["line"] * 1.2, f"le titre passe sur deux lignes à {width} px"
    assert header["height"] <= 58, f"en-tête de {header['height']} px à {width} px"
    assert header["height"] <= header["reserved"], "l'en-tête dépasse la place réservée aux ancres"
    assert header["overflow"] == "ellipsis"
    if width <= 390:
        assert header["truncated"], "le long titre devrait finir par « … »"
    # Every control centred on one row (± 2 px), named in French.
    centres = page.evaluate("""() => [...document.querySelectorAll('.site-header .site-title, .site-header .icon-button')]
        .filter(e => e.getClientRects().length).map(e => { const r = e.getBoundingClientRect(); return r.top + r.height / 2; })""")
    assert max(centres) - min(centres) <= 2
    expect(page.get_by_role("button", name="Thème sombre")).to_be_visible()
    if width < 1152:
        expect(page.get_by_role("button", name="Menu")).to_be_visible()
    else:
        expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    search_link = page.locator(".site-header a.search-open")
    if width <= 768:
        expect(search_link).to_be_visible()
        expect(search_link).to_have_accessible_name("Recherche")
        assert search_link.get_attribute("href") == "recherche.html"
        expect(page.locator(".site-header .search-input")).to_be_hidden()
    else:
        expect(search_link).to_be_hidden()
        box = page.locator(".site-header .search-input").bounding_box()
        assert box["width"] >= 160, "le champ de recherche de l'en-tête est trop étroit pour y lire sa saisie"
    context.close()
    assert errors == []


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}px" for w, _ in SIZES])
def test_anchors_land_fully_visible_below_the_header(browser, site, size):  # noqa: F811
    context, page, errors = _open(browser, site, size)
    for ident in ("sec-long-3", "sous-4-2", "detail-5", "sec-long-6"):
        page.goto(site + "long.html#" + ident)
        page.wait_for_timeout(100)
        top, bottom = page.evaluate(f"[document.getElementById('{ident}').getBoundingClientRect().top,"
                                    f" document.getElementById('{ident}').getBoundingClientRect().bottom]")
        assert top >= _header_bottom(page), f"#{ident} caché sous l'en-tête à {size[0]} px"
        assert bottom <= size[1]
    # The offset follows the header's real height: with a larger text size the header grows, and so does it.
    page.evaluate("document.documentElement.style.fontSize = '150%'")
    page.wait_for_timeout(100)
    page.evaluate("location.hash = '#sous-2-1'")
    page.wait_for_timeout(100)
    top = page.evaluate("document.getElementById('sous-2-1').getBoundingClientRect().top")
    assert top >= _header_bottom(page) > 60
    context.close()
    assert errors == []


def _press(page, locator) -> None:
    """A click where the element is on screen (Playwright's own click first scrolls the page to bring a
    sticky element to its place in the flow, which no reader's tap does)."""
    box = locator.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def _focus_inside(page) -> bool:
    return page.evaluate("document.querySelector('.drawer-panel').contains(document.activeElement)")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", DRAWER_SIZES, ids=[f"{w}px" for w, _ in DRAWER_SIZES])
def test_the_menu_is_a_drawer_over_the_reading_position(browser, site, size, scheme):  # noqa: F811
    context, page, errors = _open(browser, site, size, scheme)
    width, height = size
    page.evaluate("document.getElementById('sec-long-4').scrollIntoView()")
    page.wait_for_timeout(150)
    before = page.evaluate("window.scrollY")
    assert before > 1500
    menu = page.get_by_role("button", name="Menu", exact=True)
    _press(page, menu)
    drawer = page.get_by_role("dialog", name="Menu")
    expect(drawer).to_be_visible()
    assert menu.get_attribute("aria-expanded") == "true"
    panel = page.locator(".drawer-panel").bounding_box()
    assert panel["y"] == 0 and panel["height"] == height, "le tiroir doit couvrir l'écran là où l'on lit"
    assert page.evaluate("window.scrollY") == before
    # It holds the search field, the page's contents (with the section being read) and the course contents.
    expect(drawer.get_by_role("searchbox", name="Rechercher dans le cours")).to_be_visible()
    on_page = drawer.get_by_role("navigation", name="Sur cette page")
    expect(on_page).to_be_visible()
    expect(on_page.get_by_role("link", name=re.compile("Un détail de la section 5"))).to_be_attached()
    expect(on_page.locator("a.is-active")).to_contain_text("Section 4")
    expect(drawer.get_by_role("navigation", name="Navigation du cours")).to_be_visible()
    # Focus stays inside, both ways round.
    assert _focus_inside(page)
    count = page.evaluate("""[...document.querySelectorAll('.drawer-panel a[href], .drawer-panel button, .drawer-panel input')]
        .filter(e => e.getClientRects().length).length""")
    for _ in range(count + 3):
        page.keyboard.press("Tab")
        assert _focus_inside(page)
    for _ in range(5):
        page.keyboard.press("Shift+Tab")
        assert _focus_inside(page)
    # Escape closes it, focus back on « Menu », reading position kept.
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    assert page.evaluate("document.activeElement.classList.contains('menu-toggle')")
    assert page.evaluate("window.scrollY") == before
    assert menu.get_attribute("aria-expanded") == "false"
    # A tap outside the panel closes it.
    _press(page, menu)
    expect(drawer).to_be_visible()
    page.mouse.click(width - 8, height // 2)
    expect(drawer).to_be_hidden()
    assert page.evaluate("window.scrollY") == before
    # Following a link closes it, and the section lands below the header.
    _press(page, menu)
    drawer.get_by_role("navigation", name="Sur cette page").get_by_role(
        "link", name=re.compile("Un détail de la section 5")).click()
    expect(drawer).to_be_hidden()
    page.wait_for_timeout(150)
    top = page.evaluate("document.getElementById('detail-5').getBoundingClientRect().top")
    assert _header_bottom(page) <= top < height
    # Everything moved into the drawer is back in its place.
    assert page.locator(".layout > .sidebar").count() == 1
    assert page.locator(".layout > .page-toc").count() == 1
    assert page.locator(".site-header .header-search").count() == 1
    context.close()
    assert errors == []


def test_on_a_laptop_the_contents_are_columns_and_there_is_no_drawer(browser, site):  # noqa: F811
    context, page, errors = _open(browser, site, (1366, 900))
    expect(page.get_by_role("navigation", name="Navigation du cours")).to_be_visible()
    expect(page.get_by_role("navigation", name="Sur cette page")).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    context.close()
    assert errors == []


def test_without_javascript_a_phone_still_reaches_contents_and_search(browser, site):  # noqa: F811
    context, page, _ = _open(browser, site, (390, 844), java_script_enabled=False)
    expect(page.get_by_role("navigation", name="Navigation du cours")).to_be_visible()
    expect(page.get_by_role("navigation", name="Sur cette page")).to_be_attached()
    page.locator(".site-header a.search-open").click()
    page.wait_for_url(re.compile(r"recherche\.html$"))
    context.close()


CHARACTERS_PER_LINE = """() => {
    const counts = [];
    for (const p of document.querySelectorAll('article.chapter > p')) {
        const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
        const lines = new Map();
        let node;
        while ((node = walker.nextNode())) {
            for (let i = 0; i < node.length; i++) {
                const range = document.createRange();
                range.setStart(node, i);
                range.setEnd(node, i + 1);
                const rect = range.getClientRects()[0];
                if (rect) lines.set(Math.round(rect.top), (lines.get(Math.round(rect.top)) || 0) + 1);
            }
        }
        [...lines.entries()].sort((a, b) => a[0] - b[0]).slice(0, -1).forEach(e => counts.push(e[1]));
    }
    return counts;
}"""


@pytest.mark.parametrize("size", [(390, 844), (768, 1024), (1024, 768), (1366, 900)],
                         ids=["390px", "768px", "1024px", "1366px"])
def test_lines_hold_60_to_75_characters(browser, site, size):  # noqa: F811
    context, page, errors = _open(browser, site, size)
    counts = page.evaluate(CHARACTERS_PER_LINE)  # every full line (not a paragraph's last) of the prose
    context.close()
    assert len(counts) > 20
    median = statistics.median(counts)
    longest = sorted(counts)[int(len(counts) * 0.95)]
    assert longest <= 75, f"lignes de {longest} caractères à {size[0]} px"
    if size[0] >= 768:
        assert 60 <= median <= 75, f"{median} caractères par ligne à {size[0]} px"
    else:  # a phone's column is its screen: 17 px text holds about 40 characters, never more than 75
        assert median >= 30
    assert errors == []


def test_h4_headings_stand_out_and_are_listed(browser, site):  # noqa: F811
    context, page, errors = _open(browser, site, (1366, 900))
    sizes = page.evaluate("""() => {
        const h4 = document.getElementById('detail-2'), p = document.querySelector('article.chapter > p');
        return [parseFloat(getComputedStyle(h4).fontSize), parseFloat(getComputedStyle(p).fontSize),
                parseInt(getComputedStyle(h4).fontWeight), getComputedStyle(h4).borderLeftStyle];
    }""")
    assert sizes[0] >= sizes[1] * 1.05 and sizes[2] >= 600 and sizes[3] == "solid"
    toc = page.get_by_role("navigation", name="Sur cette page")
    entry = toc.locator("li.toc-level-4").filter(has_text="Un détail de la section 2")
    expect(entry).to_have_count(1)
    entry.get_by_role("link").click()
    page.wait_for_timeout(150)
    assert page.evaluate("document.getElementById('detail-2').getBoundingClientRect().top") >= _header_bottom(page)
    context.close()
    assert errors == []


def _marker(page, site) -> str:
    page.goto(site + "suite.html")
    marker = page.locator('.sidebar-list > li > a[href="long.html"] .progress-marker')
    return marker.inner_text() if marker.count() else ""


def test_read_mark_is_earned_by_reading_not_by_jumping_to_the_end(browser, site):  # noqa: F811
    context, page, errors = _open(browser, site, (1366, 900), path="suite.html")
    page.clock.install()
    # Jumping to the last section and the bottom of the page is not reading the chapter.
    page.goto(site + "long.html#sec-long-6")
    page.mouse.wheel(0, 20000)
    page.clock.run_for(60_000)
    page.mouse.wheel(0, 100)
    page.clock.run_for(1000)
    jumped = _marker(page, site)
    assert jumped != "✓ lu" and jumped.endswith("%")
    # Scrolling through too fast is not reading either.
    page.goto(site + "long.html")
    for _ in range(40):
        page.mouse.wheel(0, 300)
        page.wait_for_timeout(30)
        page.clock.run_for(500)
    assert _marker(page, site) != "✓ lu"
    # Scrolling through the whole chapter at a reading pace is.
    page.goto(site + "long.html")
    for _ in range(40):
        page.mouse.wheel(0, 300)
        page.wait_for_timeout(30)
        page.clock.run_for(8000)
    assert _marker(page, site) == "✓ lu"
    context.close()
    assert errors == []


@pytest.mark.parametrize("size", [(390, 844), (1024, 768)], ids=["390px", "1024px"])
def test_every_heading_of_the_real_chapter_lands_below_the_header(browser, course_site, size):  # noqa: F811
    """The real chapter, with its figures, tables and formulas: a jump to any heading lands in full view
    below the header."""
    with serve_folder(course_site) as url:
        context = browser.new_context(viewport={"width": size[0], "height": size[1]}, has_touch=size[0] < 800)
        page = context.new_page()
        page.goto(url + "transformers.html")
        ids = page.eval_on_selector_all("article h2[id], article h3[id], article h4[id]", "hs => hs.map(h => h.id)")
        assert len(ids) > 20
        hidden = []
        for ident in ids:
            page.goto(url + "transformers.html#" + ident)
            page.wait_for_timeout(50)
            top, bottom = page.evaluate(f"(() => {{ const r = document.getElementById('{ident}').getBoundingClientRect();"
                                        " return [r.top, r.bottom]; })()")
            if top < _header_bottom(page) or bottom > size[1]:
                hidden.append(f"#{ident} ({top:.0f} px)")
        context.close()
    assert hidden == []


def test_wide_blocks_are_keyboard_reachable_exactly_when_they_scroll(browser, course_site):  # noqa: F811
    """Off-screen blocks are laid out only when they come near: once on screen, a block that scrolls
    sideways takes the focus (tabindex 0) and one that fits does not."""
    with serve_folder(course_site) as url:
        context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
        page = context.new_page()
        page.goto(url + "transformers.html")
        count = page.locator("article pre, article table, article .math").count()
        wrong = []
        for i in range(count):
            block = page.locator("article pre, article table, article .math").nth(i)
            if not block.is_visible():
                continue  # inside a closed « Voir la réponse »
            block.scroll_into_view_if_needed()
            page.wait_for_timeout(60)
            scrolls, tabindex = block.evaluate("e => [e.scrollWidth > e.clientWidth + 1, e.getAttribute('tabindex')]")
            if scrolls != (tabindex == "0"):
                wrong.append(f"bloc {i} : défile={scrolls}, tabindex={tabindex}")
        context.close()
    assert count > 20
    assert wrong == []
