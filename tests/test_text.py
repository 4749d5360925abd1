"""French typography on text nodes: each rule, the non-prose text it leaves alone, idempotence."""

from __future__ import annotations

import random

import pytest

from coursegen.text import french

NN = "\u202f"  # narrow no-break space
NB = "\u00a0"  # no-break space


def case(text: str, expected: str, prev: str = ""):
    return pytest.param(text, prev, expected, id=repr(text if not prev else f"{prev}|{text}"))


HIGH_PUNCTUATION = [
    case("Bonjour !", f"Bonjour{NN}!"),
    case("Bonjour!", f"Bonjour{NN}!"),
    case("Ça va ?", f"Ça va{NN}?"),
    case("Ça va?", f"Ça va{NN}?"),
    case("d’abord ; ensuite", f"d’abord{NN}; ensuite"),
    case("d’abord; ensuite", f"d’abord{NN}; ensuite"),
    case("Vraiment ?!", f"Vraiment{NN}?!"),
    case("Vraiment?!", f"Vraiment{NN}?!"),
    case("Non !!!", f"Non{NN}!!!"),
    case("tab\t?", f"tab{NN}?"),
    case("deux espaces  ?", f"deux espaces{NN}?"),
    case(f"mauvaise espace{NB}?", f"mauvaise espace{NN}?"),  # house style: narrow before ?!;
    case("C++ ?", f"C++{NN}?"),
    case("C++?", f"C++{NN}?"),
    case("(voir plus haut)?", f"(voir plus haut){NN}?"),
    case("(voir plus haut) ?", f"(voir plus haut){NN}?"),
    case("« Quoi ? »", f"«{NN}Quoi{NN}?{NN}»"),
    case("Quoi...?", f"Quoi…{NN}?"),
    case("*vraiment?*", f"*vraiment{NN}?*"),
]

COLON = [
    case("Exemple : voici", f"Exemple{NB}: voici"),
    case("Exemple: voici", f"Exemple{NB}: voici"),
    case(f"Exemple{NN}: voici", f"Exemple{NB}: voici"),
    case("Exemple:", f"Exemple{NB}:"),
    case("ratio 1 : 2", f"ratio 1{NB}: 2"),
]

GUILLEMETS = [
    case("« citation »", f"«{NN}citation{NN}»"),
    case("«citation»", f"«{NN}citation{NN}»"),
    case(f"«{NB}citation{NB}»", f"«{NN}citation{NN}»"),
    case("«  citation  »", f"«{NN}citation{NN}»"),
    case("«", f"«{NN}"),  # a quote whose words are in the next node: « *mot* »
    case("»", "»"),  # nothing before it in this paragraph: left alone
    case("»", f"{NN}»", prev="t"),
    case(' "droits" ', ' "droits" '),  # straight double quotes are reported by `check`, not converted
]

APOSTROPHE = [
    case("l'attention", "l’attention"),
    case("aujourd'hui", "aujourd’hui"),
    case("qu'est-ce qu'un Transformer", "qu’est-ce qu’un Transformer"),
    case("L'IA", "L’IA"),
    case("d'élève", "d’élève"),
    case("l'", "l’"),  # elision ending the node: l'*attention*
    case("jusqu'", "jusqu’"),
    case("voir l'", "voir l’"),
    case("bel'", "bel'"),  # not an elided word
    case("'attention", "’attention", prev="l"),
    case("'attention", "'attention"),
    case("the students' work", "the students' work"),
    case("'citation'", "'citation'"),
    case("l’attention", "l’attention"),
]

ELLIPSIS = [
    case("Mais...", "Mais…"),
    case("Mais... non", "Mais… non"),
    case("a...b", "a…b"),
    case("deux..", "deux.."),  # only exactly three dots
    case("quatre....", "quatre...."),
    case("..", "..", prev="."),  # three dots split over two nodes are not one ellipsis
    case("...", "…", prev="t"),
    case("Déjà…", "Déjà…"),
]

NUMBERS = [
    case("50 %", f"50{NN}%"),
    case("50%", f"50{NN}%"),
    case("3 ‰", f"3{NN}‰"),
    case("20 €", f"20{NB}€"),
    case("20€", f"20{NB}€"),
    case("10 Go", f"10{NB}Go"),
    case("3 km et 5 kg", f"3{NB}km et 5{NB}kg"),
    case("20 ms, 3 s, 2 min, 1 h", f"20{NB}ms, 3{NB}s, 2{NB}min, 1{NB}h"),
    case("20 °C", f"20{NB}°C"),
    case("7 milliards de paramètres", f"7{NB}milliards de paramètres"),
    case("175 000", f"175{NN}000"),
    case("1 000 000 km", f"1{NN}000{NN}000{NB}km"),
    case("1 234,5 %", f"1{NN}234,5{NN}%"),
    case("10Go", "10Go"),  # a unit is only given a space the author already wrote
    case("3D", "3D"),
    case("4 mois", "4 mois"),  # "m" is a unit, "mois" is not
    case("GPT-4 s'appuie", "GPT-4 s’appuie"),
    case("en 2023 100 personnes", "en 2023 100 personnes"),
    case("3,141 592", "3,141 592"),  # decimals are not thousands
    case("En 2020 M. Dupont", "En 2020 M. Dupont"),
    case("%", f"{NN}%", prev="0"),
]

LEFT_ALONE = [
    case("https://exemple.fr/page?x=1#a:b", "https://exemple.fr/page?x=1#a:b"),
    case("voir https://exemple.fr/page?x=1#a:b !", f"voir https://exemple.fr/page?x=1#a:b{NN}!"),
    case("« https://exemple.fr/a »", f"«{NN}https://exemple.fr/a{NN}»"),
    case("www.x.fr/a?b=1;c=2", "www.x.fr/a?b=1;c=2"),
    case("mailto:prof@ecole.fr", "mailto:prof@ecole.fr"),
    case("écrire à prof@ecole.fr !", f"écrire à prof@ecole.fr{NN}!"),
    case("à 10:30", "à 10:30"),
    case("10:30:15", "10:30:15"),
    case("ratio 1:2", "ratio 1:2"),
    case("std::vector", "std::vector"),
    case("x := 1", "x := 1"),
    case("!important", "!important"),
    case("color: red !important", f"color{NB}: red !important"),
    case("a != b", "a != b"),
    case("a!b", "a!b"),
    case("a?b", "a?b"),
    case("a;b", "a;b"),
    case("a:b", "a:b"),
    case("(?)", "(?)"),  # ironic marks in brackets keep no space
    case("(!)", "(!)"),
    case("[?]", "[?]"),
    case("?", "?"),  # start of the paragraph: nothing to attach to
    case("! suite", "! suite", prev=" "),  # after a line break: the space is not in this node
    case("Le mécanisme est simple", "Le mécanisme est simple"),
    case("", ""),
]

PREV = [
    case("!", f"{NN}!", prev="t"),
    case("! Oui", f"{NN}! Oui", prev="t"),
    case("?", f"{NN}?", prev=")"),
    case(" ?", f"{NN}?", prev="`"),  # `code` ? : the space is in this node
    case(":", f"{NB}:", prev="e"),
    case("!", "!", prev="("),
    case("!", "!", prev=""),
    case("!important", "!important", prev="t"),
    case("?", "?", prev="«"),
    case("x", "x", prev="motlong"),  # only the last character of prev counts
    # a run of spaces or digits may begin in prev: the node's first position reads it whole
    case("  ; suite", f"{NN}; suite", prev=" "),
    case(" !", f"{NN}!", prev=NB),
    case(" :fin", " :fin", prev="a"),
    case("2:234 567", "2:234 567", prev="1"),  # 12:234, kept whole: not the thousands 234 567
]

ALREADY_CORRECT = [
    f"Bonjour{NN}! Ça va{NN}? Oui{NN}; et{NB}: «{NN}citation{NN}»",
    "l’attention, aujourd’hui… fin",
    f"50{NN}% de 175{NN}000 paramètres, 10{NB}Go, 20{NB}€",
    "Vraiment\u202f?!",
]


@pytest.mark.parametrize(
    ("text", "prev", "expected"),
    HIGH_PUNCTUATION + COLON + GUILLEMETS + APOSTROPHE + ELLIPSIS + NUMBERS + LEFT_ALONE + PREV,
)
def test_french(text: str, prev: str, expected: str) -> None:
    assert french(text, prev) == expected


@pytest.mark.parametrize("text", ALREADY_CORRECT)
def test_already_correct_text_is_unchanged(text: str) -> None:
    assert french(text) == text


@pytest.mark.parametrize(
    ("text", "prev", "expected"),
    HIGH_PUNCTUATION + COLON + GUILLEMETS + APOSTROPHE + ELLIPSIS + NUMBERS + LEFT_ALONE + PREV,
)
def test_idempotent_on_the_table(text: str, prev: str, expected: str) -> None:
    assert french(expected, prev) == expected


def test_fast_path_returns_the_same_object() -> None:
    text = "Le mécanisme calcule une moyenne pondérée des valeurs"
    assert french(text) is text


# Fragments that exercise every rule and their interactions when glued at random.
_FRAGMENTS = [
    "a", "b", " ", "  ", NN, NB, "\t", ":", ";", "!", "?", "«", "»", "'", ".", "...", "…", ",",
    "%", "€", "0", "1", " 000", " Go", " min", "(", ")", "=", "-", "/", "l'", "qu", "::", "10:30",
    "https://exemple.fr/a?b=1:2", "www.", "@", "x@y.fr", "C++",
]
_PREVS = ["", " ", "a", "1", "!", ".", "(", "«", "…", ")"]


def test_idempotent_on_random_text() -> None:
    rng = random.Random(20240611)
    for _ in range(20_000):
        text = "".join(rng.choice(_FRAGMENTS) for _ in range(rng.randint(0, 12)))
        prev = rng.choice(_PREVS)
        once = french(text, prev)
        assert french(once, prev) == once, (prev, text, once)


def test_idempotent_property() -> None:
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    @hypothesis.settings(max_examples=500, deadline=None)
    @hypothesis.given(
        st.lists(st.sampled_from(_FRAGMENTS)).map("".join) | st.text(),
        st.sampled_from(_PREVS),
    )
    def prop(text: str, prev: str) -> None:
        once = french(text, prev)
        assert french(once, prev) == once

    prop()


def test_only_text_changes_never_prev() -> None:
    # The result replaces the node's text only; prev is context, so the result never starts with it.
    assert french(" ?", prev="a") == f"{NN}?"
    assert french("?", prev=" ") == "?"
