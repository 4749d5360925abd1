"""Shortcodes the parser reads: kbd, video (a link, never an embed), pagebreak, escaped shortcodes, and any
other shortcode removed with a warning at its line that names it."""

from pathlib import Path

import pytest

from coursegen.course.nav import build_nav
from coursegen.errors import Problems
from coursegen.markdown.parse import parse_page
from coursegen.markdown.shortcodes import parse_arguments
from coursegen.pages.chapter import render_page
from coursegen.source.chapters import Chapter


def render(body: str) -> tuple[str, list[str], list[tuple[str, int]]]:
    """(article HTML, problems, external links) of one chapter whose body starts at line 4."""
    problems = Problems()
    chapter = Chapter(source="content/01-essai.md", name="01-essai.md", slug="essai", title="Essai",
                      description="", numbered=True, draft=False, body=body, body_line=4)
    page = parse_page(chapter, problems)
    site = build_nav([page])
    result = render_page(page, site.pages[0], site, problems, lambda *a: "", Path("/nonexistent"))
    return result.html, [str(p) for p in problems.items], result.external_links


@pytest.mark.parametrize("source,html", [
    ("{{< kbd Ctrl-C >}}", '<kbd class="touches"><kbd>Ctrl</kbd>-<kbd>C</kbd></kbd>'),
    ("{{< kbd Shift-Ctrl-P >}}", '<kbd class="touches"><kbd>Shift</kbd>-<kbd>Ctrl</kbd>-<kbd>P</kbd></kbd>'),
    ("{{< kbd Ctrl-- >}}", '<kbd class="touches"><kbd>Ctrl</kbd>-<kbd>-</kbd></kbd>'),
    ("{{<kbd Entrée>}}", '<kbd class="touches"><kbd>Entrée</kbd></kbd>'),
    # the default combination alone: one text for every reader (Quarto switches it with JavaScript)
    ("{{< kbd Ctrl-C mac=Command-C >}}", '<kbd class="touches"><kbd>Ctrl</kbd>-<kbd>C</kbd></kbd>'),
    ("{{< kbd mac=Command-C win=Ctrl-C >}}", '<kbd class="touches"><kbd>Ctrl</kbd>-<kbd>C</kbd></kbd> (Windows), '
                                             '<kbd class="touches"><kbd>Command</kbd>-<kbd>C</kbd></kbd> (macOS)'),
])
def test_kbd_shows_the_keys(source, html):
    page, problems, _ = render(f"Tapez {source} puis Entrée.\n")
    assert page == f"<p>Tapez {html} puis Entrée.</p>\n" and problems == []


def test_video_is_a_link_never_an_embed():
    page, problems, links = render('{{< video https://www.youtube.com/watch?v=abc title="Présentation" >}}\n\n'
                                   "Voir {{< video src=https://example.org/v.mp4 >}}.\n")
    assert '<p><a href="https://www.youtube.com/watch?v=abc" class="video-link">Vidéo\u00a0: Présentation</a></p>' \
        in page
    assert '<a href="https://example.org/v.mp4" class="video-link">Vidéo\u00a0: https://example.org/v.mp4</a>' in page
    assert "<iframe" not in page and "<video" not in page and problems == []
    assert links == [("https://www.youtube.com/watch?v=abc", 4), ("https://example.org/v.mp4", 6)]


def test_pagebreak_alone_is_a_print_break_and_elsewhere_a_warning():
    page, problems, _ = render("Avant.\n\n{{< pagebreak >}}\n\nAprès {{< pagebreak >}} fin.\n")
    assert page == ('<p>Avant.</p>\n<div class="pagebreak" aria-hidden="true"></div>\n'
                    "<p>Après  fin.</p>\n")
    assert problems == ["content/01-essai.md:8: avertissement : « {{< pagebreak >}} » au milieu d'un paragraphe : "
                        "retiré de la page (placez-le seul sur sa ligne, entre deux paragraphes)"]


def test_escaped_shortcodes_are_shown_as_written_everywhere():
    page, problems, _ = render("Écrire {{{< var version >}}} ou `{{{< kbd X >}}}`.\n\n"
                               "```\n{{{< include a.md >}}}\n```\n")
    assert "<p>Écrire {{&lt; var version &gt;}} ou <code>{{&lt; kbd X &gt;}}</code>.</p>" in page
    assert "{{&lt; include a.md &gt;}}" in page and "{{{" not in page and problems == []


def test_an_unknown_shortcode_is_removed_with_a_warning_at_its_line_naming_it():
    page, problems, _ = render("Premier.\n\nUn paragraphe\nsur deux lignes {{< fa brands github >}} fin.\n\n"
                               "`{{< fa code >}}` reste dans le code.\n")
    assert "brands" not in page and "<code>{{&lt; fa code &gt;}}</code>" in page
    assert problems == ["content/01-essai.md:7: avertissement : shortcode Quarto « fa » non pris en charge : retiré de "
                        "la page (shortcodes reconnus : include, var, meta, pagebreak, kbd, video ; remplacez "
                        "celui-ci par du texte ou une image)"]


@pytest.mark.parametrize("source,message", [
    ('{{< kbd "Ctrl C >}}', "shortcode Quarto « kbd » illisible : guillemet non fermé dans ses arguments : retiré "
                            "de la page"),
    ("{{< kbd >}}", "« {{< kbd >}} » : aucune touche"),
    ("{{< kbd Ctrl-C os=x >}}", "« {{< kbd >}} » : argument « os » inconnu"),
    ("{{< video >}}", "« {{< video >}} » sans adresse : retiré de la page"),
])
def test_malformed_shortcodes_are_warnings(source, message):
    page, problems, _ = render(f"Texte {source} fin.\n")
    assert len(problems) == 1 and problems[0].startswith(f"content/01-essai.md:4: avertissement : {message}")
    assert "{{" not in page


def test_an_opener_without_its_closer_stays_text():
    page, problems, _ = render("Un {{< pas fermé et `code`.\n")
    assert page == "<p>Un {{&lt; pas fermé et <code>code</code>.</p>\n" and problems == []


def test_arguments_read_as_quarto_reads_them():
    assert parse_arguments('video "a b.mp4" title="Un titre" start=10') == \
        ("video", ["a b.mp4"], {"title": "Un titre", "start": "10"})
    assert parse_arguments("kbd") == ("kbd", [], {})
    assert parse_arguments('kbd "x') is None
