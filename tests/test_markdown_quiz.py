"""Self-check quizzes: the Markdown syntax, the HTML a learner gets, and the author's mistakes at file:line."""

import re

import pytest

from coursegen.markdown.terms import link_terms
from coursegen.source.glossary import Entry
from coursegen.source.chapters import Chapter
from coursegen.errors import Problems
from coursegen.markdown.parse import parse_page
from test_markdown import render

SOFTMAX = """Texte.

::: {.quiz}
Pourquoi divise-t-on les scores par $\\sqrt{d_k}$ ?

- [ ] Pour accélérer le calcul
- [x] Pour éviter que la *softmax* ne sature
- [ ] Pour normaliser les valeurs

Quand $d_k$ grandit, les scores se dispersent.
:::
"""


def test_single_answer_is_a_fieldset_of_radio_buttons_with_a_hidden_check_button():
    html, problems, _ = render(SOFTMAX)
    assert problems == []
    assert '<div class="quiz" id="quiz-1" data-quiz="choix" data-reponse="[2]">' in html
    assert re.search(r'<fieldset>\n<legend><span class="quiz-numero">Question 1\.</span> Pourquoi divise-t-on '
                     r'les scores par <math .*</math>\u202f\?</legend>', html)
    assert html.count('type="radio"') == 3 and 'type="checkbox"' not in html
    assert ('<li><input type="radio" id="quiz-1-choix-2" name="quiz-1" value="2"> <label for="quiz-1-choix-2">'
            'Pour éviter que la <em>softmax</em> ne sature</label></li>') in html
    assert '<button type="button" class="quiz-check" hidden>Vérifier</button>' in html
    assert '<p class="quiz-feedback" id="quiz-1-retour" role="status"></p>' in html
    # The answer only in the closed <details>, never beside the choices.
    assert "checked" not in html
    fieldset = html[html.index("<fieldset>"):html.index("</fieldset>")]
    assert "Bonne réponse" not in fieldset and "grandit" not in fieldset
    details = html[html.index('<details class="quiz-solution">'):]
    assert details.startswith('<details class="quiz-solution"><summary>Voir la réponse</summary>')
    assert ('<p class="quiz-answer"><strong>Bonne réponse\u00a0:</strong> Pour éviter que la <em>softmax</em> '
            'ne sature</p>') in details
    assert "les scores se dispersent." in details


def test_several_right_answers_give_checkboxes_and_say_so():
    html, problems, _ = render("::: {.quiz}\nLesquels sont des décodeurs ?\n\n- [x] GPT-2\n- [ ] BERT\n"
                               "- [X] LLaMA\n:::\n")
    assert problems == []
    assert html.count('type="checkbox"') == 3
    assert 'data-reponse="[1, 3]"' in html
    assert '<span class="quiz-consigne">(plusieurs réponses possibles)</span></legend>' in html
    assert '<ul class="quiz-answer-list"><li>GPT-2</li><li>LLaMA</li></ul>' in html


def test_short_answer_lists_every_accepted_answer():
    html, problems, _ = render("::: {.quiz #quiz-fenetre}\nPar combien ?\n\n- [=] 16\n- [=] seize\n\n"
                               "Car $n^2$.\n:::\n")
    assert problems == []
    assert 'id="quiz-fenetre" data-quiz="texte" data-reponse="[&quot;16&quot;, &quot;seize&quot;]"' in html
    assert ('<label for="quiz-fenetre-reponse">Votre réponse</label>\n<input type="text" class="quiz-text" '
            'id="quiz-fenetre-reponse" autocomplete="off" spellcheck="false">') in html
    assert "<li>" not in html
    assert "<strong>Réponses acceptées\u00a0:</strong> 16 ; seize</p>" in html
    assert 'inputmode="decimal"' not in html  # "seize" is not a number
    numeric, _, _ = render("::: {.quiz}\nCombien ?\n\n- [=] 0,5\n:::\n")
    assert 'inputmode="decimal"' in numeric and "<strong>Réponse attendue\u00a0:</strong> 0,5</p>" in numeric


def test_nested_explanation_with_a_longer_outer_fence_and_numbering_per_page():
    body = (":::: {.quiz}\nPremière ?\n\n- [x] Oui\n- [ ] Non\n\n::: {.explication}\nParce que.\n:::\n::::\n\n"
            "## Quiz-2\n\n" + SOFTMAX)
    html, problems, _ = render(body)
    assert problems == []
    assert 'class="explication"' not in html
    assert "<p>Parce que.</p>\n</div></details>" in html
    assert '<span class="quiz-numero">Question 2.</span>' in html
    assert 'id="quiz-2-3"' not in html and 'id="quiz-2-2"' in html  # the heading took "quiz-2"


def test_the_answers_are_gathered_in_a_print_key_at_the_end_of_the_page():
    """Printed, a chapter gives its answers after the last question (site.css shows the key in print only)."""
    body = ("## Réponses-questions\n\n" + SOFTMAX + "\nEntre les deux.\n\n::: {.quiz}\nCombien de têtes ?\n\n"
            "- [=] 8\n- [=] huit\n:::\n\nFin du chapitre.\n")
    html, problems, _ = render(body)
    assert problems == []
    key = html[html.index('<section class="quiz-key"'):]
    assert html.index("Fin du chapitre.") < html.index('<section class="quiz-key"') and key.endswith("</section>\n")
    # Its id does not take one the page already has (the heading took « reponses-questions »).
    assert key.startswith('<section class="quiz-key" aria-labelledby="reponses-questions-2" data-pagefind-ignore>\n'
                          '<p id="reponses-questions-2" class="quiz-key-title" role="heading" aria-level="2">'
                          'Réponses des questions</p>\n')
    items = re.findall(r'<div class="quiz-key-item"><p class="quiz-key-question"><a href="#(quiz-\d)">Question (\d)</a></p>\n'
                       r'(.*?)</div>\n', key, re.S)
    assert [(ident, n) for ident, n, _ in items] == [("quiz-1", "1"), ("quiz-2", "2")]
    assert items[0][2] == ('<p class="quiz-answer"><strong>Bonne réponse\u00a0:</strong> Pour éviter que la '
                           '<em>softmax</em> ne sature</p>\n<p>Quand <math' + items[0][2].split("<p>Quand <math", 1)[1])
    assert "les scores se dispersent." in items[0][2]
    assert re.fullmatch(r'<p class="quiz-answer"><strong>Réponses acceptées\u00a0:</strong> 8\s?; huit</p>\n', items[1][2])
    # The same answers stay under each question for the screen.
    assert html.count('<p class="quiz-answer">') == 4


def test_a_page_without_quiz_has_no_answer_key():
    html, problems, _ = render("Texte.\n")
    assert problems == [] and "quiz-key" not in html


def test_a_question_of_several_blocks_keeps_the_first_paragraph_as_legend():
    html, problems, _ = render("::: {.quiz}\nQue renvoie ce code ?\n\n```python\nprint(1 + 1)\n```\n\n"
                               "- [x] 2\n- [ ] 11\n:::\n")
    assert problems == []
    assert "Question 1.</span> Que renvoie ce code\u202f?</legend>\n<div class=\"quiz-question\">\n<div class=\"code\"" in html


def test_choices_are_not_linked_to_the_glossary():
    problems = Problems()
    body = "::: {.quiz}\nUne question ?\n\n- [x] Le mécanisme d'attention\n- [ ] Rien\n:::\n\nL'attention ici.\n"
    page = parse_page(Chapter("content/01-a.md", "01-a.md", "a", "A", "", True, False, body, 1), problems)
    entry = Entry("attention", "", "Définition.", "terme-attention", ("attention",), 1)
    assert link_terms(page.tokens, [entry], "glossaire.html") == {"terme-attention"}
    linked = [t for t in page.tokens if t.type == "inline" and any(c.type == "link_open" for c in t.children)]
    assert [t.content for t in linked] == ["L'attention ici."]


@pytest.mark.parametrize("body,expected", [
    ("::: {.quiz}\n- [x] Oui\n- [ ] Non\n:::\n",
     "content/01-essai.md:4: quiz sans question (écrivez la question avant la liste des choix)"),
    ("::: {.quiz}\nUne question ?\n\n- [ ] Oui\n- [ ] Non\n:::\n",
     "content/01-essai.md:4: quiz sans bonne réponse (cochez la ou les bonnes réponses : « - [x] … »)"),
    ("Texte.\n\n::: {.quiz}\nUne question ?\n:::\n",
     "content/01-essai.md:6: quiz sans liste de choix (ajoutez « - [ ] choix » et « - [x] bonne réponse », "
     "ou « - [=] réponse » pour une question à réponse courte)"),
    ("::: {.quiz}\nUne question ?\n\n- [x] Oui\n- Non\n:::\n",
     "content/01-essai.md:8: choix de quiz sans case « [ ] », « [x] » ou « [=] » (commencez chaque choix par "
     "« [ ] » (faux), « [x] » (juste) ou « [=] » (réponse courte))"),
    ("::: {.quiz}\nUne question ?\n\n- [x] Oui\n- [=] Non\n:::\n",
     "content/01-essai.md:4: quiz qui mélange réponse courte « [=] » et cases « [ ] »/« [x] » (un quiz est soit "
     "à choix (« [ ] », « [x] »), soit à réponse courte (« [=] »))"),
    ("::: {.quiz}\nUne question ?\n\n- [x] Oui\n:::\n",
     "content/01-essai.md:4: quiz à un seul choix (proposez au moins deux choix)"),
    ("::: {.quiz}\nUne question ?\n\n1. [x] Oui\n2. [ ] Non\n:::\n",
     "content/01-essai.md:7: les choix d'un quiz forment une liste numérotée (écrivez-les en liste à puces : "
     "« - [ ] … », « - [x] … »)"),
    ("::: {.quiz}\nUne question ?\n\n- [x] Oui\n\n  Et un second paragraphe.\n- [ ] Non\n:::\n",
     "content/01-essai.md:7: un choix de quiz tient en un seul paragraphe (placez les détails dans "
     "l'explication, après la liste)"),
    ("::: {.quiz}\nUne question ?\n\n- [x] Oui\n- [ ] Non\n\n::: {.explication}\nCar.\n:::\n:::\n",
     "content/01-essai.md:10: le « ::: » qui ferme l'explication ferme aussi le quiz (pour imbriquer "
     "« ::: {.explication} », ouvrez et fermez le quiz par « :::: » (quatre deux-points), ou écrivez "
     "l'explication sans « ::: » après la liste)"),
])
def test_malformed_quiz_is_an_error_at_its_line(body, expected):
    _, problems, _ = render(body)
    assert expected in problems
