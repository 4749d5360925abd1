"""What a learner does in a real browser: open the course, navigate, read on a phone, switch theme."""

import re

import pytest
from playwright.sync_api import expect

from browser import serve_folder
from conftest import make_project, run_build


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("navigateur") / "projet")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    with serve_folder(root / "site") as url:
        yield url


@pytest.fixture
def page(browser, site):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"erreurs dans la console : {errors}"


def test_home_sidebar_then_next(page, site):
    page.goto(site)
    assert page.title() == "Cours d’essai"
    assert page.locator("h1").inner_text() == "Cours d’essai"
    page.locator("#sommaire").get_by_role("link", name="1 Les bases", exact=True).click()
    page.wait_for_url("**/bases.html")
    assert page.locator("h1").inner_text() == "1 Les bases"
    assert page.locator('#sommaire a[aria-current="page"]').inner_text() == "1 Les bases"
    assert page.locator("h2#sec-listes").inner_text().startswith("1.1 Les listes")
    page.get_by_role("link", name="Suivant 2 La suite").click()
    page.wait_for_url("**/suite.html")
    assert page.locator("h1").inner_text() == "2 La suite"
    assert page.locator(".pager-prev .pager-title").inner_text() == "1 Les bases"


@pytest.mark.parametrize("path", ["", "avant-propos.html", "bases.html", "suite.html", "404.html"])
def test_nothing_scrolls_sideways_at_360px(browser, site, path):  # noqa: F811
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(site + path)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    context.close()
    assert overflow <= 0, f"{path or 'index'} déborde de {overflow} px à 360 px"


def test_menu_opens_the_table_of_contents_on_a_phone(browser, site):  # noqa: F811
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(site + "bases.html")
    sidebar = page.locator("#sommaire")
    assert not sidebar.is_visible()
    page.get_by_role("button", name="Menu").click()
    assert sidebar.is_visible()
    assert page.get_by_role("button", name="Menu").get_attribute("aria-expanded") == "true"
    context.close()


def test_dark_theme_sticks_after_reload(page, site):
    page.goto(site + "bases.html")
    toggle = page.locator(".theme-toggle")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    toggle.click()
    page.reload()
    theme = page.evaluate("document.documentElement.getAttribute('data-theme')")
    assert theme in ("dark", "light")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != background
    assert page.locator(".theme-toggle").get_attribute("aria-pressed") == ("true" if theme == "dark" else "false")


def test_works_without_javascript(browser, site):  # noqa: F811
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(site + "bases.html")
    assert page.locator("#sommaire").is_visible()
    page.locator("details.solution summary").click()
    assert page.locator("details.solution .solution-body").inner_text() == "Quatre."
    context.close()


@pytest.mark.parametrize("query", ["modele", "lattention", "l'attention", "attention"])
def test_search_in_french(page, site, query):
    page.goto(site + "suite.html")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "recherche-overlay-champ"
    page.keyboard.type(query)
    dialog = page.locator("#recherche-overlay")
    first = dialog.locator(".search-result").first
    first.wait_for()
    expect(dialog.locator(".search-status")).to_have_text(re.compile(f"pour «\u202f{re.escape(query)}\u202f»\\.$"))
    assert first.locator(".search-result-title").inner_text() == "1 Les bases" or "Les bases" in first.inner_text()
    assert "\u200a" not in dialog.locator(".search-results").inner_text()  # the indexed copy's hair spaces
    assert not re.search(r"’ \w", dialog.locator(".search-results").inner_text())  # never « l’ attention »
    marks = first.locator("mark").all_inner_texts()
    assert marks and all(("mod" in m.lower() if "mod" in query else "attention" in m.lower()) for m in marks)
    first.locator(".search-result-title").click()
    page.wait_for_url(lambda u: "bases.html" in u)


def test_copy_button_footnote_preview_and_resume_reading(browser, site):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 500})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(site + "bases.html")
    button = page.locator("div.code").first.get_by_role("button", name="Copier le code")
    button.click()
    expect(button).to_have_text("Copié\u202f!")
    assert page.evaluate("navigator.clipboard.readText()").startswith("def attention(q, k):")
    page.locator(".footnote-ref > a").focus()
    assert page.locator("#note-apercu-1").inner_text().startswith("La note de bas de page")
    page.locator("#une-sous-section").scroll_into_view_if_needed()
    page.mouse.wheel(0, 200)
    page.wait_for_timeout(600)
    page.reload()
    resume = page.get_by_role("button", name="Reprendre la lecture")
    assert resume.is_visible()
    resume.click()
    assert page.evaluate("document.getElementById('une-sous-section').getBoundingClientRect().top") < 100
    page.goto(site + "suite.html")
    marker = page.locator('.sidebar-list > li > a[href="bases.html"] .progress-marker')
    assert marker.inner_text().endswith("%") or marker.inner_text() == "✓ lu"
    context.close()


def test_scroll_spy_marks_the_section_being_read(browser, site):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 400})
    page = context.new_page()
    page.goto(site + "bases.html")
    assert page.locator(".page-toc a.is-active").inner_text() == "1.1 Les listes"
    page.evaluate("window.scrollTo(0, document.getElementById('tableaux-et-code').offsetTop - 20)")
    page.wait_for_timeout(300)
    assert page.locator(".page-toc a.is-active").inner_text() == "1.2 Tableaux et code"
    assert page.locator(".page-toc a.is-active").get_attribute("aria-current") == "location"
    context.close()


def test_glossary_term_shows_its_definition_and_leads_to_the_glossary(page, site):
    page.goto(site + "bases.html")
    term = page.locator("a.terme").first
    assert term.inner_text() == "attention"
    term.focus()
    tooltip = page.locator("#" + term.get_attribute("aria-describedby"))
    expect(tooltip).to_be_visible()
    assert tooltip.inner_text() == "Mécanisme qui pondère les autres mots d’une séquence."
    assert tooltip.get_attribute("role") == "tooltip"
    page.keyboard.press("Escape")
    expect(tooltip).to_be_hidden()
    term.click()
    page.wait_for_url(lambda u: u.endswith("glossaire.html#terme-attention"))
    assert page.locator("#terme-attention").inner_text().startswith("attention")
    assert page.locator("#sommaire a[aria-current='page']").inner_text() == "Glossaire"


def test_answer_a_quiz_with_the_keyboard_and_read_the_feedback(page, site):
    page.goto(site + "suite.html")
    quiz = page.locator("#quiz-1")
    feedback = quiz.locator("#quiz-1-retour")
    assert feedback.get_attribute("role") == "status"
    assert quiz.get_by_role("group").locator("legend").inner_text().startswith("Question 1. Pourquoi")
    answer = quiz.locator(".quiz-answer")
    expect(answer).to_be_hidden()  # the right answer is not shown before the learner answers
    page.locator("h2#quiz .ancre").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "quiz-1-choix-1"
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert quiz.locator("input:checked").get_attribute("value") == "3"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Vérifier"
    page.keyboard.press("Enter")
    expect(feedback).to_have_text("Pas tout à fait… Réessayez, ou ouvrez « Voir la réponse ».")
    expect(answer).to_be_hidden()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(feedback).to_have_text("Bonne réponse ! L’explication est affichée ci-dessous.")
    expect(answer).to_be_visible()
    expect(quiz.locator(".quiz-solution")).to_contain_text("la softmax donne tout le poids à un seul mot")

    several = page.locator("#quiz-2")
    several.locator("#quiz-2-choix-1").focus()
    page.keyboard.press("Space")
    several.locator(".quiz-check").press("Enter")
    expect(several.locator(".quiz-feedback")).to_contain_text("Il y a 2 bonnes réponses")
    several.locator("#quiz-2-choix-3").press("Space")
    several.locator(".quiz-check").press("Enter")
    expect(several.locator(".quiz-feedback")).to_have_text("Bonne réponse ! L’explication est affichée ci-dessous.")

    short = page.locator("#quiz-3")
    field = short.get_by_label("Votre réponse")
    field.press("Enter")
    expect(short.locator(".quiz-feedback")).to_have_text("Écrivez d’abord votre réponse.")
    field.type("treize")
    field.press("Enter")
    expect(short.locator(".quiz-feedback")).to_contain_text("Pas tout à fait")
    field.fill(" Douze ")
    field.press("Enter")
    expect(short.locator(".quiz-feedback")).to_contain_text("Bonne réponse")
    expect(short.locator(".quiz-answer")).to_have_text("Réponses acceptées : 12 ; douze")


def test_quiz_without_javascript_reveals_the_answer_in_details(browser, site):  # noqa: F811
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(site + "suite.html")
    quiz = page.locator("#quiz-1")
    expect(quiz.get_by_role("button", name="Vérifier")).to_be_hidden()
    expect(quiz.get_by_role("radio")).to_have_count(3)
    expect(quiz.locator(".quiz-answer")).to_be_hidden()
    quiz.get_by_role("radio", name="Pour normaliser les valeurs").check()
    quiz.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(quiz.locator(".quiz-answer")).to_have_text("Bonne réponse : Pour éviter que la softmax ne sature")
    expect(quiz.locator(".quiz-solution")).to_contain_text("les scores se dispersent")
    context.close()


@pytest.mark.parametrize("path", ["", "bases.html", "suite.html"])
def test_nothing_jumps_while_a_page_loads_on_a_phone(browser, site, path):  # noqa: F811
    """The scripts leave the layout as the stylesheet drew it: no menu or button appearing late."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(site + path)
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    shift = page.evaluate("""() => new Promise(resolve => {
        let total = 0;
        new PerformanceObserver(list => list.getEntries().forEach(e => { if (!e.hadRecentInput) total += e.value; }))
            .observe({type: 'layout-shift', buffered: true});
        setTimeout(() => resolve(total), 100);
    })""")
    assert page.get_by_role("button", name="Menu").is_visible()
    context.close()
    assert shift < 0.02, f"{path or 'index'} : décalage de mise en page {shift:.3f}"


def test_a_hostile_chapter_runs_no_script_even_without_the_csp(browser, tmp_path):  # noqa: F811
    """Every payload of test_security.HOSTILE is stopped by the sanitiser alone: the page's CSP is taken out
    before Chromium loads it, so a payload that got through would run (the control page shows it would)."""
    from test_security import hostile_project

    root = hostile_project(tmp_path / "projet")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    site = root / "site"
    text = (site / "suite.html").read_text(encoding="utf-8")
    without_csp = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n', "", text)
    assert without_csp != text
    (site / "suite.html").write_text(without_csp, encoding="utf-8")
    (site / "controle.html").write_text('<img src="absente.png" onerror="window.__pwned = 1">', encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    with serve_folder(site) as url:
        page.goto(url + "suite.html")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)  # a 0 s refresh or an error handler would have acted by now
        assert page.url == url + "suite.html"
        assert page.evaluate("window.__pwned") is None
        assert page.locator("main iframe, main object, main embed, main form").count() == 0
        assert page.locator("main").get_by_text("Envoyer").count() == 1  # the form's button, kept as text
        assert page.get_by_role("link", name="La page").count() == 0  # a link to the refused page: no href
        page.goto(url + "assets/dessin.svg")  # the SVG opened by itself runs nothing
        page.wait_for_load_state("load")
        assert page.evaluate("window.__pwned") is None
        assert page.goto(url + "assets/page.html").status == 404
        page.goto(url + "controle.html")
        page.wait_for_function("window.__pwned === 1", timeout=5000)
    context.close()
