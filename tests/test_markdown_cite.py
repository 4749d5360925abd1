"""The citation parse rule (coursegen/markdown/cite.py): which text becomes a ``cite`` token, with which keys."""

import pytest

from coursegen.markdown.cite import keys_of
from coursegen.markdown.parse import engine


def cites(text: str) -> list[tuple[str, list[str], bool]]:
    inline = engine().parse(text)[1]
    return [(c.content, c.meta["keys"], c.meta["in_text"]) for c in inline.children if c.type == "cite"]


def test_bracketed_citations_keep_the_authors_text():
    assert cites("Vu [@a, p. 3], [voir @b; @c, chap. 2] et [-@d].") == [
        ("[@a, p. 3]", ["a"], False), ("[voir @b; @c, chap. 2]", ["b", "c"], False), ("[-@d]", ["d"], False)]


def test_citation_in_the_text():
    assert cites("@dupont2020 montre que") == [("@dupont2020", ["dupont2020"], True)]
    assert cites("comme l'écrit @du_pont:2020.") == [("@du_pont:2020", ["du_pont:2020"], True)]


@pytest.mark.parametrize("text", [
    "écrivez à contact@exemple.fr",          # an e-mail address
    "voir @sec-intro et [@fig-schema]",      # cross-references belong to markdown.quarto
    "[-@tbl-modeles]",
    "un prix de 3 @ 4 euros",
    r"un \@echappe",                         # escaped
    "`[@code]` dans du code",
])
def test_what_is_not_a_citation(text):
    assert cites(text) == []


def test_a_link_or_a_span_is_not_a_citation():
    inline = engine().parse("[@a](https://exemple.fr) et [@b]{.classe}")[1]
    assert [c.type for c in inline.children if c.type in ("link_open", "cite")][0] == "link_open"
    assert not any(c.content == "[@b]" for c in inline.children if c.type == "cite")


def test_cross_references_keep_their_own_tokens():
    inline = engine().parse("@sec-a puis @b")[1]
    assert [(c.type, c.content) for c in inline.children if c.type in ("xref", "cite")] == [
        ("xref", "@sec-a"), ("cite", "@b")]


def test_keys_of_braced_and_several():
    assert keys_of("[voir @{clé:spéciale}; -@b]") == ["clé:spéciale", "b"]
