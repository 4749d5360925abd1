"""content/attention.yaml: what an author writes, and the exact place of each mistake."""

import pytest

from coursegen.attention.specs import Spec, input_hash, load_specs, word_occurrences
from coursegen.errors import SiteError

PATH = "content/attention.yaml"

VALID = """\
exemple:
  kind: numpy
  sentence: Le chat dort sur le tapis
  lang: fr
  seed: 7
  d_model: 4
  d_k: 3

animal:
  kind: model
  sentence: The animal didn't cross the street because it was too tired.
  lang: en
  focus: [it, animal]
  contrast: street
  featured: [4, 2]
"""


def error_of(text: str) -> SiteError:
    with pytest.raises(SiteError) as info:
        load_specs(text, PATH)
    assert info.value.path == PATH
    return info.value


def test_valid_file_gives_typed_specs_with_lines():
    specs = load_specs(VALID, PATH)
    assert list(specs) == ["exemple", "animal"]
    ex, an = specs["exemple"], specs["animal"]
    assert (ex.kind, ex.sentence, ex.lang, ex.seed, ex.d_model, ex.d_k, ex.line) == (
        "numpy", "Le chat dort sur le tapis", "fr", 7, 4, 3, 1)
    assert ex.words == ["Le", "chat", "dort", "sur", "le", "tapis"]
    assert (an.kind, an.focus, an.contrast, an.featured, an.line, an.path) == (
        "model", ("it", "animal"), "street", (4, 2), 9, PATH)
    assert an.seed is None and ex.focus is None


def test_empty_file_declares_no_figure():
    assert load_specs("# rien\n", PATH) == {}


def test_yaml_syntax_error_names_its_line():
    err = error_of("exemple:\n  kind: numpy\n  sentence: [non fermé\n")
    assert err.line == 4 and "YAML invalide" in err.message


@pytest.mark.parametrize("text, line, message, hint", [
    (VALID.replace("  lang: fr\n", "  lang: fr\n  sentense: x\n", 1), 5, "clé inconnue « sentense »",
     "vouliez-vous dire « sentence » ?"),
    (VALID.replace("kind: numpy", "kind: numpi"), 2, "kind « numpi » inconnu", "vouliez-vous dire « numpy » ?"),
    (VALID.replace("seed: 7", "seed: sept"), 5, "« seed » doit être un entier (reçu « sept »)", ""),
    (VALID.replace("seed: 7", "seed: true"), 5, "« seed » doit être un entier", ""),
    (VALID.replace("  d_k: 3\n", ""), 1, "la clé « d_k » manque", ""),
    (VALID.replace("d_model: 4", "d_model: 40"), 6, "« d_model » doit être compris entre 1 et 8 (reçu 40)", ""),
    (VALID.replace("lang: en", "lang: de"), 12, "langue « de » inconnue", "valeurs possibles : fr, en"),
    (VALID.replace("focus: [it, animal]", "focus: [it, horse]"), 13, "le mot « horse » n'apparaît pas", ""),
    (VALID.replace("focus: [it, animal]", "focus: [the, animal]"), 13, "le mot « the » apparaît 2 fois", ""),
    (VALID.replace("focus: [it, animal]", "focus: it"), 13, "« focus » doit être une liste de deux mots", ""),
    (VALID.replace("featured: [4, 2]", "featured: [7, 1]"), 15, "« featured » hors limites", ""),
    (VALID.replace("  lang: en\n", "  lang: en\n  seed: 3\n"), 13, "« seed » ne s'emploie qu'avec kind: numpy", ""),
    (VALID.replace("  focus: [it, animal]\n", ""), 13, "« contrast » demande aussi « focus »", ""),
    (VALID.replace("animal:\n", "Animal Fatigue:\n"), 9, "nom de figure invalide « Animal Fatigue »", ""),
    (VALID + "exemple:\n  kind: numpy\n", 16, "figure « exemple » déclarée deux fois", "ligne 1"),
    ("- une liste\n", 1, "le fichier doit associer", ""),
])
def test_mistakes_are_reported_at_their_line(text, line, message, hint):
    err = error_of(text)
    assert err.line == line, str(err)
    assert message in err.message, str(err)
    assert hint in err.hint


def test_word_occurrences_counts_whole_words_only():
    assert word_occurrences("Le chat ne traverse pas la rue parce qu'il est trop fatigué.", "il") == 1
    assert word_occurrences("The animal didn't cross the street", "the") == 2
    assert word_occurrences("The animal didn't cross", "an") == 0


def _spec(**changes) -> Spec:
    spec = load_specs(VALID, PATH)["animal"]
    return Spec(**{**spec.__dict__, **changes})


def test_input_hash_covers_the_inputs_and_only_them():
    base = input_hash(_spec())
    assert len(base) == 64 and base == input_hash(_spec())
    # Where the spec sits, and which head the page shows, do not change the computation.
    assert input_hash(_spec(line=99, path="ailleurs.yaml", featured=(1, 1), name="autre")) == base
    for change in ({"sentence": "The animal crossed."}, {"lang": "fr"}, {"focus": ("it", "street")},
                   {"contrast": None}):
        assert input_hash(_spec(**change)) != base, change
    numpy = load_specs(VALID, PATH)["exemple"]
    assert input_hash(numpy) != input_hash(Spec(**{**numpy.__dict__, "seed": 8}))
    assert input_hash(numpy) != input_hash(Spec(**{**numpy.__dict__, "d_k": 2}))
