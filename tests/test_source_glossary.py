from pathlib import Path

from coursegen.errors import Problems
from coursegen.markdown.terms import link_terms
from coursegen.source.glossary import load_glossary
from coursegen.markdown.parse import engine


def load(tmp_path: Path, text: str):
    (tmp_path / "glossaire.yaml").write_text(text, encoding="utf-8")
    problems = Problems()
    return load_glossary(tmp_path, "content", problems), [str(p) for p in problems.items]


GLOSSARY = """- terme: "tête d'attention"
  anglais: "attention head"
  definition: "Une des attentions calculées en parallèle."
- terme: "attention"
  definition: "Pondération des autres jetons."
- terme: "Écrêtage"
  definition: "Limiter une valeur."
- terme: "LLM (grand modèle de langage)"
  definition: "Un très grand modèle."
"""


def test_entries_sorted_in_french_order_with_forms(tmp_path):
    entries, problems = load(tmp_path, GLOSSARY)
    assert problems == []
    assert [e.term for e in entries] == ["attention", "Écrêtage", "LLM (grand modèle de langage)", "tête d’attention"]
    assert entries[2].forms == ("grand modèle de langage", "LLM") and entries[2].id == "terme-llm"
    assert entries[3].definition == "Une des attentions calculées en parallèle."


def test_errors_are_located(tmp_path):
    _, problems = load(tmp_path, '- terme: "x"\n  definiton: "y"\n- terme: "z"\n  definition: "w"\n- terme: "z"\n  definition: "v"\n')
    assert problems == [
        "content/glossaire.yaml:2: clé inconnue « definiton » (vouliez-vous dire « definition » ?)",
        "content/glossaire.yaml:1: chaque entrée doit avoir un « terme » et une « definition » (textes)",
        "content/glossaire.yaml:5: terme « z » déjà défini (ligne 3)",
    ]


def render_with_terms(tmp_path, markdown: str) -> str:
    entries, _ = load(tmp_path, GLOSSARY)
    md = engine()
    tokens = md.parse(markdown, {})
    link_terms(tokens, entries, "glossaire.html")
    return md.renderer.render(tokens, md.options, {})


def test_first_occurrence_only_longest_form_first_never_in_headings_or_links(tmp_path):
    out = render_with_terms(tmp_path, "## L'attention\n\nChaque tête d'attention calcule l'attention ; "
                                      "l'attention encore. [attention](x.md) Des LLM et `attention`.\n")
    assert out.startswith("<h2>L’attention</h2>")
    assert out.count('href="glossaire.html#terme-tete-dattention"') == 1
    assert out.count('href="glossaire.html#terme-attention"') == 1
    assert '>tête d’attention</a> calcule l’<a href="glossaire.html#terme-attention"' in out
    assert 'data-definition="Pondération des autres jetons."' in out
    assert '<a href="glossaire.html#terme-llm" class="terme" data-definition="Un très grand modèle.">LLM</a>' in out
    assert "<code>attention</code>" in out
