"""The Markdown engine as configured: ids, numbering, Quarto-style constructs, code, math, figures."""

import re
from pathlib import Path

import pytest

from coursegen.source.chapters import Chapter
from coursegen.errors import Problems
from coursegen.errors import UserError
from coursegen.pages.chapter import render_page
from coursegen.markdown.parse import parse_page
from coursegen.text import slugify
from coursegen.course.nav import build_nav


def chapter(body: str, numbered: bool = True, name: str = "01-essai.md") -> Chapter:
    return Chapter(source=f"content/{name}", name=name, slug=name[3:-3], title="Essai", description="",
                   numbered=numbered, draft=False, body=body, body_line=4)


def render(body: str, tmp_path: Path | None = None, numbered: bool = True, figure=None):
    problems = Problems()
    page = parse_page(chapter(body, numbered), problems)
    site = build_nav([page])

    def no_figures(fig, number, caption):
        raise UserError("pas de figures ici")
    result = render_page(page, site.pages[0], site, problems, figure or no_figures, tmp_path or Path("/nonexistent"))
    return result.html, [str(p) for p in problems.items], site.pages[0]


@pytest.mark.parametrize("text,slug", [
    ("Qu'est-ce qu'un Transformer ?", "quest-ce-quun-transformer"),
    ("Le mécanisme d’attention", "le-mecanisme-dattention"),
    ("TensorFlow & Keras", "tensorflow-keras"),
    ("???", "section"),
])
def test_slugify_is_readable_ascii(text, slug):
    assert slugify(text) == slug


def test_headings_are_numbered_and_explicit_id_wins():
    html, problems, page = render("## Premier {#sec-un}\n\n### Sous\n\n## Second\n\n## Fin {.unnumbered}\n")
    assert problems == []
    assert [(h.id, h.number) for h in page.toc] == [
        ("sec-un", "1.1"), ("sous", "1.1.1"), ("second", "1.2"), ("fin", "")]
    assert '<h2 id="sec-un"><span class="numero">1.1</span> Premier' in html
    assert '<h2 id="fin" class="unnumbered">Fin' in html


def test_unnumbered_chapter_has_no_section_numbers():
    _, _, page = render("## Un\n\n## Deux\n", numbered=False)
    assert [h.number for h in page.toc] == ["", ""]


def test_duplicate_auto_ids_get_a_suffix_but_explicit_duplicates_fail():
    _, problems, page = render("## Même\n\n## Même\n")
    assert [h.id for h in page.toc] == ["meme", "meme-2"] and problems == []
    _, problems, _ = render("## A {#x}\n\n## B {#x}\n")
    assert problems == ["content/01-essai.md:6: identifiant « #x » déjà utilisé dans ce chapitre (ligne 4) "
                        "(chaque {#id} doit être unique dans la page)"]


def test_broken_anchor_is_reported_at_its_line():
    _, problems, _ = render("## A\n\nTexte\n[lien](#inexistant)\n")
    assert problems == ["content/01-essai.md:7: ancre « #inexistant » introuvable dans ce chapitre"]


def test_callouts_are_labelled_in_french():
    html, problems, _ = render('::: {.callout-tip}\nTexte.\n:::\n\n::: {.callout-note title="À retenir"}\nX\n:::\n')
    assert problems == []
    html = re.sub(r'<svg class="callout-icon".*?</svg>', "", html)  # icons: tests/test_pages_divs.py
    assert '<p class="callout-title">Astuce</p>' in html
    assert '<p class="callout-title"><span class="visually-hidden">Note\u00a0: </span>À retenir</p>' in html


def test_collapsed_callout_and_solution_are_details():
    html, _, _ = render('::: {.callout-caution collapse="true"}\nX\n:::\n\n::: {.solution}\nY\n:::\n')
    html = re.sub(r'<svg class="callout-icon".*?</svg>', "", html)
    assert '<details class="callout callout-caution"><summary class="callout-title">Attention</summary>' in html
    assert '<details class="solution"><summary>Voir la réponse</summary>' in html


def test_quarto_cell_fence_is_highlighted_python_never_run():
    html, _, _ = render('```{python}\nimport os\n```\n')
    assert '<code class="language-python"><span class="kn">import</span>' in html


def test_math_becomes_mathml_without_javascript():
    html, problems, _ = render("Inline $d_k$ et\n\n$$\n\\frac{a}{b}\n$$\n")
    assert problems == []
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline"><mrow><msub><mi>d</mi><mi>k</mi></msub>' in html
    assert "<mfrac>" in html and 'display="block"' in html


def test_dollar_amounts_are_not_math():
    html, _, _ = render("Entre 5$ et 10$ par mois.\n")
    assert "<math" not in html


def test_table_alignment_uses_classes_not_inline_styles():
    html, _, _ = render("| a | b |\n|:--|--:|\n| 1 | 2 |\n")
    assert 'style=' not in html and '<th class="align-left">' in html and '<td class="align-right">' in html


def test_image_alone_is_a_numbered_figure(tmp_path):
    (tmp_path / "img.png").write_bytes(b"\x89PNG")
    html, problems, _ = render("![Un schéma](img.png){#fig-x}\n", tmp_path)
    assert problems == []
    assert ('<figure class="figure" id="fig-x"><img src="img.png" alt="Un schéma" loading="lazy">'
            '<figcaption><span class="figure-label">Figure 1.1</span>\u00a0: Un schéma</figcaption></figure>') in html


def test_missing_image_and_escaping_paths_are_errors(tmp_path):
    _, problems, _ = render("![A](absent.png)\n\n![B](../../etc/passwd)\n\n![C](/etc/passwd)\n", tmp_path)
    assert problems[0] == ("content/01-essai.md:4: fichier « absent.png » introuvable "
                           "(vérifiez le chemin, relatif au dossier " + tmp_path.name + "/)")
    assert problems[1].startswith("content/01-essai.md:6: l'image « ../../etc/passwd » sort du dossier de contenu")
    assert problems[2].startswith("content/01-essai.md:8: l'image « /etc/passwd » sort du dossier de contenu")


def test_bad_latex_is_located():
    _, problems, _ = render("Texte\n\n$$\n\\frac{a}{b\n$$\n")
    assert len(problems) == 1 and problems[0].startswith("content/01-essai.md:6: formule LaTeX illisible")


def test_attention_block_calls_the_figure_renderer_with_its_caption():
    seen = {}

    def figure(fig, number, caption):
        seen.update(fig=fig, number=number, caption=caption)
        return "<figure>ok</figure>"
    html, problems, _ = render('::: {.attention #fig-a data="demo" layer=2}\nLa *légende*.\n:::\n', figure=figure)
    assert problems == [] and "<figure>ok</figure>" in html
    assert seen["caption"] == "La <em>légende</em>."
    assert seen["fig"].attrs == {"id": "fig-a", "class": "attention", "data": "demo", "layer": "2"}
    assert seen["number"] == "1.1"


def test_figure_problem_is_reported_at_the_block_line():
    _, problems, _ = render("Texte\n\n::: {.attention data=\"x\"}\nL\n:::\n")
    assert problems == ["content/01-essai.md:6: pas de figures ici"]


def test_nested_lists_with_two_spaces():
    html, _, _ = render("- a\n  - b\n    - c\n")
    assert html.count("<ul>") == 3
