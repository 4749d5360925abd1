"""The attention explorer as a learner meets it: keyboard, overview, mouse and touch on every token, a layout
that does not move, no JavaScript, file://, dark mode.

The page is made here from render output + templates/static/attention.{css,js}, under the site's CSP
(no inline script or style), and served from 127.0.0.1; any console error fails the test.
"""

import json
import re
import shutil

import pytest
from playwright.sync_api import expect

from browser import serve_folder
from conftest import FIXTURES, REPO
from coursegen.attention.frozen import load
from coursegen.attention.render import fmt, render_figure
from coursegen.attention.specs import load_specs

FIX = FIXTURES / "attention"
NAME = "petit-modele"
RAW = (FIX / "_freeze" / "attention" / f"{NAME}.json").read_bytes()
DATA = load(RAW, NAME)
SPEC = load_specs((FIX / "attention.yaml").read_text(encoding="utf-8"), "attention.yaml")[NAME]
TOKENS = [t["text"] for t in DATA["tokens"]]  # as the model saw them: what the figure shows
SOURCE = DATA["focus"]["source_tokens"][0]
BEST = (DATA["focus"]["best"]["layer"], DATA["focus"]["best"]["head"])
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'")


def page_html(body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<link rel="icon" href="data:,">\n<title>Attention</title>\n'
            '<link rel="stylesheet" href="static/attention.css">\n<link rel="stylesheet" href="static/test.css">\n'
            '<script src="static/attention.js" defer></script>\n</head>\n<body>\n'
            f"<main><h1>Essai</h1>\n{body}</main>\n</body>\n</html>\n")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("attention-navigateur")
    (root / "static").mkdir()
    for name in ("attention.css", "attention.js"):
        shutil.copy(REPO / "templates" / "static" / name, root / "static" / name)
    (root / "static" / "test.css").write_text(
        ".espace { height: 4000px; }\n"  # the site's dark page colours, which site.css sets on the real pages
        "[data-theme='dark'] body { background: #15171a; color: #e6e8eb; --fg: #e6e8eb; --fg-soft: #b4bac3; "
        "--bg-soft: #1f2227; --link: #8ab4f8; }\n", encoding="utf-8")
    (root / "donnees" / "attention").mkdir(parents=True)
    (root / "donnees" / "attention" / f"{NAME}.json").write_bytes(RAW)
    figure = render_figure(DATA, SPEC, fig_id="fig-petit", label="Figure 1.1", caption_html="Une petite figure.",
                           layer=None, head=None, data_url=f"donnees/attention/{NAME}.json")
    (root / "index.html").write_text(page_html(figure), encoding="utf-8")
    (root / "loin.html").write_text(page_html('<div class="espace"></div>\n' + figure), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def site(folder):
    with serve_folder(folder) as url:
        yield url


def open_page(browser, **context_options):  # noqa: F811
    context = browser.new_context(viewport={"width": 1000, "height": 800}, **context_options)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


@pytest.fixture
def page(browser, site):  # noqa: F811
    context, page, errors = open_page(browser)
    page.goto(site + "index.html")
    expect(page.locator("#fig-petit")).to_have_class(re.compile(r"\batt-ready\b"))
    yield page
    context.close()
    assert errors == [], f"erreurs dans la console : {errors}"


def said(layer: int, head: int, i: int) -> str:
    """What the live region must say when token i is read in this head (computed from the data)."""
    row = DATA["attention"][layer - 1][head - 1][i]
    j = row.index(max(row))
    return (f"Couche {layer}, tête {head}\u00a0: «\u202f{TOKENS[i]}\u202f» regarde surtout "
            f"«\u202f{TOKENS[j]}\u202f» ({fmt(row[j])}).")


def test_keyboard_moves_between_tokens_and_the_live_region_follows(page):
    layer, head = DATA["focus"]["best"]["layer"], DATA["focus"]["best"]["head"]
    status = page.locator("#fig-petit .att-status")
    expect(status).to_have_attribute("aria-live", "polite")
    page.focus("#fig-petit .att-overview-toggle")
    page.keyboard.press("Tab")
    source = DATA["focus"]["source_tokens"][0]  # the token that takes Tab: the focus word « Il »
    assert page.evaluate("document.activeElement.getAttribute('data-i')") == str(source)
    expect(status).to_have_text(said(layer, head, source))
    # The focus is visible: the token's frame is drawn.
    stroke = page.evaluate("getComputedStyle(document.activeElement.querySelector('.att-token-bg')).stroke")
    assert stroke not in ("none", "")

    page.keyboard.press("ArrowRight")
    i = source + 1
    assert page.evaluate("document.activeElement.getAttribute('data-i')") == str(i)
    expect(status).to_have_text(said(layer, head, i))
    row = DATA["attention"][layer - 1][head - 1][i]
    expect(page.locator("#fig-petit .att-value")).to_have_text([fmt(w) for w in row])
    expect(page.locator("#fig-petit .att-line-hi")).to_have_count(sum(1 for w in row if w > 0))
    expect(page.locator(f'#fig-petit .att-col-from .att-token[data-i="{i}"]')).to_have_attribute("aria-selected", "true")
    widths = [float(w) for w in page.locator("#fig-petit .att-line-hi").evaluate_all(
        "lines => lines.map(l => l.getAttribute('stroke-width'))")]
    assert max(widths) > min(widths)  # weight shown by width too, not by colour alone

    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(status).to_have_text(said(layer, head, source - 1))
    page.keyboard.press("Escape")
    expect(page.locator("#fig-petit .att-value").first).to_have_text("")
    expect(page.locator("#fig-petit .att-all-toggle")).to_have_attribute("aria-pressed", "true")


def test_choosing_a_thumbnail_in_the_overview_opens_that_head(page):
    fig = page.locator("#fig-petit")
    toggle = fig.locator(".att-overview-toggle")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    overview = fig.locator(".att-overview")
    expect(overview).to_be_visible()
    layers, heads = DATA["model"]["layers"], DATA["model"]["heads"]
    expect(overview.locator(".att-thumb")).to_have_count(layers * heads)
    # Keyboard: arrows move in the grid, Enter opens.
    current = overview.locator('.att-thumb[aria-pressed="true"]')
    expect(current).to_have_attribute("data-layer", str(DATA["focus"]["best"]["layer"]))
    overview.locator('.att-thumb[data-layer="1"][data-head="1"]').focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "1.2 (couche 1, tête 2)"
    page.keyboard.press("Enter")
    expect(fig).to_have_attribute("data-layer", "1")
    expect(fig).to_have_attribute("data-head", "2")
    expect(overview).to_be_hidden()
    expect(fig.locator(".att-controls select").nth(0)).to_have_value("1")
    expect(fig.locator(".att-controls select").nth(1)).to_have_value("2")
    expect(fig.locator(".att-status")).to_contain_text("Couche 1, tête 2 ouverte.")
    expect(fig.locator("table caption")).to_have_text("Poids d’attention, couche 1, tête 2")
    cells = fig.locator("table td")
    expect(cells).to_have_text([fmt(w) for row in DATA["attention"][0][1] for w in row])
    # Mouse: a click on another thumbnail opens it too; the static lines follow the new head.
    toggle.click()
    overview.locator('.att-thumb[data-layer="2"][data-head="2"]').click()
    expect(fig).to_have_attribute("data-head", "2")
    expect(fig).to_have_attribute("data-layer", "2")
    # The chosen token stays chosen: the lines are its links in the new head.
    expect(fig.locator(".att-lines line")).to_have_count(sum(1 for w in DATA["attention"][1][1][SOURCE] if w > 0))
    fig.locator(".att-all-toggle").click()
    expected_lines = sum(1 for row in DATA["attention"][1][1] for w in row if w >= 50)
    expect(fig.locator(".att-lines line")).to_have_count(expected_lines)


def test_layer_and_head_pickers(page):
    fig = page.locator("#fig-petit")
    fig.locator("label", has_text="Couche").locator("select").select_option("1")
    fig.locator("label", has_text="Tête").locator("select").select_option("1")
    expect(fig).to_have_attribute("data-head", "1")
    expect(fig.locator(".att-meta")).to_have_text(
        "Couche 1, tête 1 du modèle petit-modele-synthetique (2 couches × 2 têtes).")
    expect(fig.locator(".att-status")).to_have_text(said(1, 1, SOURCE))


def test_hover_previews_and_touch_selects(browser, site):  # noqa: F811
    context, page, errors = open_page(browser, has_touch=True)
    page.goto(site + "index.html")
    fig = page.locator("#fig-petit")
    expect(fig).to_have_class(re.compile(r"\batt-ready\b"))
    layer, head = int(fig.get_attribute("data-layer")), int(fig.get_attribute("data-head"))
    token = fig.locator('.att-col-from .att-token[data-i="4"]')
    token.tap()
    expect(fig.locator(".att-status")).to_have_text(said(layer, head, 4))
    expect(fig.locator(".att-value")).to_have_text([fmt(w) for w in DATA["attention"][layer - 1][head - 1][4]])
    context.close()
    assert errors == [], errors


@pytest.mark.parametrize("device", ["phone-touch", "laptop-mouse"])
def test_each_token_pressed_is_the_one_selected_and_the_drawing_never_moves(browser, site, device):  # noqa: F811
    """Tap (phone, touch) or click (laptop, mouse) every token in turn, the first press included: the token
    under the finger is selected, the sentence and the weights follow, and the drawing keeps its place."""
    phone = device == "phone-touch"
    options = ({"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True} if phone
               else {"viewport": {"width": 1000, "height": 800}})
    context = browser.new_context(**options)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(site + "index.html")
    fig = page.locator("#fig-petit")
    expect(fig).to_have_class(re.compile(r"\batt-ready\b"))
    svg = fig.locator("svg.att-head-view")
    svg.scroll_into_view_if_needed()
    start = svg.bounding_box()
    # It opens on the focus token, already selected, as the text says.
    expect(fig.locator(f'.att-col-from .att-token[data-i="{SOURCE}"]')).to_have_attribute("aria-selected", "true")
    expect(fig.locator(".att-status")).to_have_text(said(*BEST, SOURCE))
    # The drawing takes the column's width (not a fixed 440 px), and rows are at least 24 px high on touch.
    width = fig.evaluate("f => f.clientWidth")
    assert start["width"] >= 0.95 * min(width, 760)
    tops = [fig.locator(f'.att-col-from .att-token[data-i="{i}"] text').bounding_box()["y"] for i in range(len(TOKENS))]
    pitch = min(b - a for a, b in zip(tops, tops[1:]))
    assert pitch >= (28 if phone else 24) - 0.5, pitch
    order = [i for i in range(len(TOKENS)) if i != SOURCE] + [SOURCE]
    for i in order:
        box = fig.locator(f'.att-col-from .att-token[data-i="{i}"] .att-token-bg').bounding_box()
        x, y = box["x"] + box["width"] - 12, box["y"] + box["height"] / 2
        if phone:
            page.touchscreen.tap(x, y)
        else:
            page.mouse.click(x, y)
        expect(fig.locator('.att-col-from .att-token[aria-selected="true"]')).to_have_attribute("data-i", str(i))
        expect(fig.locator(".att-status")).to_have_text(said(*BEST, i))
        expect(fig.locator(".att-value")).to_have_text([fmt(w) for w in DATA["attention"][BEST[0] - 1][BEST[1] - 1][i]])
        assert page.evaluate("document.activeElement.getAttribute('data-i')") == str(i)
        assert svg.bounding_box() == start, f"le dessin a bougé après le jeton {i}"
    context.close()
    assert errors == [], errors


def test_the_legend_and_the_languages_are_visible(page):
    fig = page.locator("#fig-petit")
    legend = fig.locator(".att-legend")
    expect(legend).to_be_visible()
    expect(legend).to_contain_text("plus le poids est fort, plus le trait est épais et foncé\u00a0: 0,10 0,50 0,90.")
    expect(legend).to_contain_text("[CLS] et [SEP], en gris, sont des jetons spéciaux")
    # The sample lines follow the figure's own rule: a weight w is drawn 0,5 + 5w wide.
    widths = legend.locator("line").evaluate_all("ls => ls.map(l => l.getAttribute('stroke-width'))")
    assert widths == ["1", "3", "5"]
    # [CLS] and [SEP] are greyed, the other tokens are not; tokens are marked with the sentence's language.
    special = fig.locator(".att-col-from .att-token").first.locator("text")
    ordinary = fig.locator(f'.att-col-from .att-token[data-i="{SOURCE}"] text')
    assert special.evaluate("t => getComputedStyle(t).fill") != ordinary.evaluate("t => getComputedStyle(t).fill")
    assert ordinary.evaluate("t => t.closest('[lang]').getAttribute('lang')") == DATA["lang"]
    assert fig.locator(".att-status span").evaluate_all("ss => ss.map(s => s.lang)") == [DATA["lang"]] * 2


def test_without_javascript_the_svg_and_the_table_are_there(browser, site):  # noqa: F811
    context, page, errors = open_page(browser, java_script_enabled=False)
    page.goto(site + "index.html")
    fig = page.locator("#fig-petit")
    svg = fig.locator("svg.att-head-view")
    expect(svg).to_be_visible()
    box = svg.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100
    expect(fig.locator(".att-controls")).to_have_count(0)
    # Without the script the figure already teaches: the focus token's links, its weights, the reading
    # sentence and the legend.
    matrix = DATA["attention"][BEST[0] - 1][BEST[1] - 1]
    expect(svg.locator(".att-lines line")).to_have_count(sum(1 for w in matrix[SOURCE] if w > 0))
    expect(svg.locator(".att-col-from text")).to_have_text(TOKENS)
    expect(svg.locator(".att-value")).to_have_text([fmt(w) for w in matrix[SOURCE]])
    expect(fig.locator(".att-status")).to_have_text(said(*BEST, SOURCE))
    expect(fig.locator(".att-legend")).to_be_visible()
    summary = fig.locator("details summary")
    expect(summary).to_have_text("Voir les poids (tableau)")
    table = fig.locator("details table")
    expect(table).to_be_hidden()
    summary.click()
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(len(TOKENS))
    expect(table.locator('th[scope="col"]')).to_have_count(len(TOKENS) + 1)
    context.close()
    assert errors == [], errors


def test_data_is_fetched_only_when_the_figure_comes_near(browser, site):  # noqa: F811
    context, page, errors = open_page(browser)
    fetched = []
    page.on("request", lambda req: fetched.append(req.url) if req.url.endswith(".json") else None)
    page.goto(site + "loin.html")
    page.wait_for_timeout(400)
    assert fetched == []
    expect(page.locator("#fig-petit .att-status")).to_have_text(said(*BEST, SOURCE))  # the static reading
    expect(page.locator("#fig-petit .att-controls")).to_have_count(0)
    page.locator("#fig-petit").scroll_into_view_if_needed()
    expect(page.locator("#fig-petit")).to_have_class(re.compile(r"\batt-ready\b"))
    assert fetched == [site + f"donnees/attention/{NAME}.json"]
    context.close()
    assert errors == [], errors


def test_from_file_url_the_figure_stays_static_and_says_why(browser, folder):  # noqa: F811
    context, page, errors = open_page(browser)
    page.goto((folder / "index.html").as_uri())
    note = page.locator("#fig-petit .att-note")
    expect(note).to_contain_text("file://")
    expect(note).to_contain_text("la figure reste statique")
    expect(page.locator("#fig-petit .att-status")).to_have_text(said(*BEST, SOURCE))
    expect(page.locator("#fig-petit .att-controls")).to_have_count(0)
    expect(page.locator("#fig-petit svg.att-head-view")).to_be_visible()
    context.close()
    assert errors == [], errors


@pytest.mark.parametrize("scheme, theme, colour", [
    ("light", None, "rgb(0, 114, 178)"),
    ("dark", None, "rgb(86, 180, 233)"),
    ("light", "dark", "rgb(86, 180, 233)"),
    ("dark", "light", "rgb(0, 114, 178)"),
])
def test_dark_mode_from_the_system_or_the_site_toggle(browser, site, scheme, theme, colour):  # noqa: F811
    context, page, errors = open_page(browser, color_scheme=scheme)
    page.goto(site + "index.html")
    if theme:
        page.evaluate(f"document.documentElement.setAttribute('data-theme', '{theme}')")
    # Every link of the head is drawn once « Tous les jetons » is pressed; polled: slow under a loaded machine.
    page.locator("#fig-petit .att-all-toggle").click()
    page.wait_for_function(
        "([sel, c]) => { const l = document.querySelector(sel); return l && getComputedStyle(l).stroke === c; }",
        arg=["#fig-petit .att-lines line:not(.att-line-special)", colour], timeout=10000)
    context.close()
    assert errors == [], errors


def test_published_json_is_what_the_explorer_reads(page, site):
    """The explorer reads the frozen file as published: same schema, same numbers."""
    body = page.evaluate(f"fetch('donnees/attention/{NAME}.json').then(r => r.text())")
    assert json.loads(body) == DATA


def test_printed_page_shows_the_weights_not_the_controls(page):
    page.emulate_media(media="print")
    fig = page.locator("#fig-petit")
    expect(fig.locator("svg.att-head-view")).to_be_visible()
    expect(fig.locator("details table")).to_be_visible()  # a closed <details> still prints its table
    expect(fig.locator(".att-controls")).to_be_hidden()
    expect(fig.locator(".att-status")).to_be_hidden()


def test_no_axe_violation_once_the_explorer_is_used(browser, site):  # noqa: F811
    """The page-level axe run (test_quality) sees the figures before they load; this one sees the explorer
    after a token is chosen and with the overview open, in light and dark themes."""
    from test_quality import AXE, _need  # lazy: only this test needs axe-core's path

    _need(AXE)
    context, page, errors = open_page(browser, bypass_csp=True)  # axe is injected as an inline script
    page.goto(site + "index.html")
    expect(page.locator("#fig-petit")).to_have_class(re.compile(r"\batt-ready\b"))
    page.locator(f'#fig-petit .att-col-from .att-token[data-i="{SOURCE + 1}"]').click()
    page.locator("#fig-petit .att-overview-toggle").click()
    page.add_script_tag(path=str(AXE))
    for theme in ("light", "dark"):
        page.evaluate(f"document.documentElement.setAttribute('data-theme', '{theme}')")
        found = page.evaluate("""async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}});
            return r.violations.map(v => v.id + ' : ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
        }""")
        assert found == [], f"{theme} : {found}"
    context.close()
    assert errors == [], errors
