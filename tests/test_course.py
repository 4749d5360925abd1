"""The real course (content/): it builds with --strict, and a learner sees the outline the course promises."""

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO, run_build

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cours-reel") / "projet"
    for name in ("content", "templates"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    result = run_build(root, "--strict")
    assert result.returncode == 0, result.stderr
    assert ", 0 avertissement," in result.stdout
    return root / "site"


def headings(page: Path) -> list[str]:
    """h1–h3 as a learner reads them (number and title, without the « # » anchor)."""
    text = page.read_text(encoding="utf-8")
    found = re.findall(r"<h([123])[^>]*>(.*?)</h\1>", text, re.S)
    return [f"h{level} " + re.sub(r"<[^>]+>", "", body).replace(" #", "").strip() for level, body in found]


def test_outline_as_the_learner_sees_it(site):
    assert headings(site / "preface.html")[:5] == [
        "h1 Préface", f"h2 Qu’est-ce qu’un grand modèle de langage{NNBSP}?", f"h2 Pourquoi cet atelier{NNBSP}?",
        "h2 Objectifs du cours", "h2 Comment utiliser ce site"]
    transformers = headings(site / "transformers.html")
    assert transformers[0] == ("h1 1 Les Transformers" + NBSP + ": une révolution dans le traitement "
                               "automatique du langage naturel")
    for expected in [f"h2 1.1 Qu’est-ce qu’un Transformer{NNBSP}?", "h3 1.1.1 Le mécanisme d’attention",
                     "h3 1.1.2 Architecture du Transformer", "h2 1.2 Avantages du Transformer",
                     "h2 1.3 Impact sur le TALN", "h2 Questions d’autoévaluation", "h2 Pour aller plus loin"]:
        assert expected in transformers
    actors = headings(site / "acteurs-majeurs.html")
    assert actors[0] == "h1 2 Acteurs majeurs dans le monde de l’IA"
    for expected in ["h2 2.1 TensorFlow et Keras", "h2 2.2 Hugging Face", "h2 2.3 Mistral AI",
                     "h2 2.4 Autres acteurs", "h2 Questions d’autoévaluation", "h2 Pour aller plus loin"]:
        assert expected in actors


def test_title_page_shows_the_real_author_and_date(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Simon-Pierre Boucher" in home
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\d">\d{1,2}(er)? [a-zéû]+ \d{4}</time>', home)
    assert "Invalid Date" not in home


def test_each_chapter_ends_with_three_to_five_quiz_questions(site):
    for page in ("transformers.html", "acteurs-majeurs.html"):
        text = (site / page).read_text(encoding="utf-8")
        questions = text.count("<fieldset")
        assert 3 <= questions <= 5, page
        assert text.count('class="quiz-solution"') == questions, page  # each with its answer and explanation


def test_known_errors_of_the_original_are_corrected(site):
    transformers = (site / "transformers.html").read_text(encoding="utf-8")
    actors = (site / "acteurs-majeurs.html").read_text(encoding="utf-8")
    assert 'href="https://arxiv.org/abs/1706.03762"' in transformers
    assert "en parallèle" in transformers and "jeton par jeton" in transformers
    # The original's « plus d'une centaine de modèles » is only quoted to be corrected, with a dated figure.
    assert "un million de modèles publics à l’automne 2024" in actors
    for name in ("Arthur Mensch", "Guillaume Lample", "Timothée Lacroix", "Apache 2.0", "Mixtral 8x7B"):
        assert name in actors
    assert "MESURES-ATTENTION" not in transformers


def test_attention_figures_are_in_section_1_1_1(site):
    text = (site / "transformers.html").read_text(encoding="utf-8")
    section = text[text.index('id="sec-attention"'):text.index('id="sec-architecture"')]
    assert section.count('<figure class="attention') == 5  # with the French control sentence
    assert "Couche 4, tête 2" in section


# Every number the text quotes about the real-model figures, with what it measures in the frozen data:
# (as written, figure(s) joined by « + » when one number holds for both, measure, layer, head). « focus » and « contrast » are the shares of attention
# from the pronoun to the word named in attention.yaml; « mean-… » their average over the 72 heads.
QUOTED_ATTENTION = [
    ("0,68", "animal-fatigue", "focus", 4, 2), ("0,05", "animal-fatigue", "contrast", 4, 2),
    ("0,28", "animal-large", "focus", 4, 2), ("0,12", "animal-large", "contrast", 4, 2),
    ("0,10", "animal-fatigue", "focus", 5, 1), ("0,08", "animal-fatigue", "contrast", 5, 1),
    ("0,05", "animal-large", "focus", 5, 1), ("0,19", "animal-large", "contrast", 5, 1),
    ("0,67", "animal-fatigue", "focus", 6, 12), ("0,56", "animal-large", "focus", 6, 12),
    ("0,07", "animal-fatigue", "mean-focus", 0, 0), ("0,05", "animal-fatigue", "mean-contrast", 0, 0),
    ("0,06", "animal-large", "mean-focus", 0, 0), ("0,05", "animal-large", "mean-contrast", 0, 0),
    ("0,31", "chat-fatigue", "focus", 6, 7), ("0,39", "chat-large", "focus", 6, 7),
    ("0,03", "chat-fatigue+chat-large", "contrast", 6, 7),  # « 0,03 … dans les deux cas »
    ("0,35", "chat-fatigue", "contrast", 6, 9), ("0,23", "chat-large", "contrast", 6, 9),
]


def section_source(chapter: str, anchor: str) -> str:
    """The Markdown of one section of a chapter, from its heading to the next heading of its level or above."""
    lines = (REPO / "content" / chapter).read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("#") and "{#" + anchor in line)
    level = len(lines[start]) - len(lines[start].lstrip("#"))
    end = next((i for i in range(start + 1, len(lines))
                if lines[i].startswith("#") and len(lines[i]) - len(lines[i].lstrip("#")) <= level), len(lines))
    return "\n".join(lines[start:end])


def test_every_number_quoted_about_the_attention_figures_is_the_frozen_one():
    from coursegen.attention.render import fmt
    frozen = {name: json.loads((REPO / "content" / "_freeze" / "attention" / f"{name}.json").read_text())
              for claim in QUOTED_ATTENTION for name in claim[1].split("+")}
    for text, names, measure, layer, head in QUOTED_ATTENTION:
        for name in names.split("+"):
            kind = measure.removeprefix("mean-")
            weights = frozen[name][kind]["weights"]
            if measure.startswith("mean-"):
                value = round(sum(map(sum, weights)) / sum(map(len, weights)))
            else:
                value = weights[layer - 1][head - 1]
            assert fmt(value) == text, (name, measure, layer, head, fmt(value), text)
    # And the section quotes no other number than these (same multiset): a new figure or a re-freeze
    # that changes a weight makes this test fail until the text and this list agree again.
    quoted = re.findall(r"(?<![\d,])0,\d\d(?!\d)", section_source("01-transformers.md", "sec-tetes-reelles"))
    assert sorted(quoted) == sorted(claim[0] for claim in QUOTED_ATTENTION)
