from coursegen.source.chapters import Chapter
from coursegen.errors import Problems
from coursegen.markdown.parse import parse_page
from coursegen.course.nav import build_nav, resolve_link


def make(name: str, body: str, numbered: bool = True) -> Chapter:
    return Chapter(source=f"content/{name}", name=name, slug=name[3:-3], title=name, description="",
                   numbered=numbered, draft=False, body=body, body_line=4)


def site_of(*chapters: Chapter):
    return build_nav([parse_page(c, Problems()) for c in chapters])


def test_numbering_skips_the_unnumbered_preface_and_links_pages():
    site = site_of(make("00-preface.md", "## P\n", numbered=False), make("01-a.md", "## A1\n\n## A2\n"),
                   make("02-b.md", "## B1\n\n![F](f.png){#fig-b}\n"))
    pre, a, b = site.pages
    assert [p.number for p in site.pages] == ["", "1", "2"]
    assert [h.number for h in a.toc] == ["1.1", "1.2"] and pre.toc[0].number == ""
    assert (pre.prev, pre.next, a.next, b.next) == (None, a, b, None)
    assert site.anchors["b.html"]["fig-b"].label == "figure 2.1"
    assert site.anchors["a.html"]["a2"].label == "section 1.2"


def test_resolve_links():
    site = site_of(make("01-a.md", "## Un {#sec-un}\n"), make("02-b.md", "Texte\n"))
    a, b = site.pages
    assert resolve_link("01-a.md#sec-un", b, site).href == "a.html#sec-un"
    assert resolve_link("02-b.md", a, site).href == "b.html"
    assert resolve_link("https://arxiv.org/abs/1706.03762", a, site).kind == "external"
    assert resolve_link("#sec-un", a, site).error == ""
    assert resolve_link("#sec-deux", a, site).error == "ancre « #sec-deux » introuvable dans ce chapitre"
    assert resolve_link("01-a.md#sec-uno", b, site).hint == "vouliez-vous dire « sec-un » ?"
    assert resolve_link("assets/x.pdf", a, site).asset == "assets/x.pdf"
    assert "sort du dossier" in resolve_link("../../etc/passwd", a, site).error
    assert "sort du dossier" in resolve_link("/etc/passwd", a, site).error
    assert resolve_link("assets/un%20fichier.pdf", a, site).asset == "assets/un fichier.pdf"


def page(name: str, body: str, **fields) -> Chapter:
    slug = name.rsplit(".", 1)[0]
    return Chapter(source=name, name=name, slug=slug, title=fields.pop("title", slug), description="",
                   numbered=fields.pop("numbered", True), draft=False, body=body, body_line=1, quarto=True, **fields)


def quarto_site(*chapters: Chapter, **numbering):
    from coursegen.course.nav import Numbering

    return build_nav([parse_page(c, Problems()) for c in chapters], Numbering(**numbering), quarto=True)


def test_book_numbering_with_parts_and_appendices():
    site = quarto_site(page("index.qmd", "Texte\n", numbered=False), page("intro.qmd", "## A\n\n### B\n\n#### C\n"),
                       page("partie.qmd", "", numbered=False, part=True),
                       page("suite.qmd", "## S\n", group=("partie",)),  # under the part page
                       page("annexe.qmd", "## D\n", group=("Annexes",), appendix=True))
    assert [p.number for p in site.pages] == ["", "1", "", "2", "A"]
    assert [h.number for h in site.pages[1].toc if h.level <= 3] == ["1.1", "1.1.1"] and site.pages[4].toc[0].number == "A.1"
    assert [(p.opens, p.depth, p.part) for p in site.pages[2:]] == [((), 0, True), ((), 1, False),
                                                                     (("Annexes",), 1, False)]


def test_website_numbers_nothing_unless_number_sections():
    pages = (page("index.qmd", "## A\n"), page("b.qmd", "## B\n\n### C\n"))
    plain = quarto_site(*pages, chapters=False, sections=False)
    assert [p.number for p in plain.pages] == ["", ""] and plain.pages[1].toc[1].number == ""
    numbered = quarto_site(*pages, chapters=False, sections=True)
    assert [h.number for h in numbered.pages[1].toc] == ["1", "1.1"]


def test_links_from_a_nested_page_are_relative_to_its_folder():
    site = quarto_site(page("index.qmd", "## Haut {#haut}\n"),
                       page("guides/Fiche_api.qmd", "Texte\n", anchor="api"),
                       page("guides/sous/fiche.2.md", "## Deux\n"))
    _, api, deux = site.pages
    assert api.url == "guides/Fiche_api.html" and site.by_name["guides/sous/fiche.2.md"] is deux
    cases = {"../index.qmd#haut": "../index.html#haut", "/index.qmd": "../index.html",
             "sous/fiche.2.md": "sous/fiche.2.html", "../index.html": "../index.html", "#haut": "../index.html#haut", "Fiche_api.qmd#api": "Fiche_api.html"}
    for href, expected in cases.items():
        assert resolve_link(href, api, site).href == expected, href
    image = resolve_link("../images/x.png", deux, site)
    assert (image.kind, image.asset, image.href) == ("asset", "guides/images/x.png", "../images/x.png")
    assert resolve_link("/images/x.png", deux, site).href == "../../images/x.png"
    assert "sort du dossier" in resolve_link("../../../x.png", deux, site).error


def test_a_course_still_refuses_absolute_links():
    site = site_of(make("01-a.md", "Texte\n"))
    assert "sort du dossier de contenu" in resolve_link("/etc/passwd", site.pages[0], site).error


def test_toc_depth_and_toc_false_come_from_the_front_matter():
    from dataclasses import replace

    pages = [replace(make(f"0{i}-a{i}.md", "## Un\n\n### Deux\n"), meta=meta)
             for i, meta in enumerate(({}, {"toc-depth": 2}, {"toc": False}))]
    assert [p.toc_depth for p in site_of(*pages).pages] == [4, 2, 0]  # a course lists h4 (issue 15); a Quarto page keeps toc-depth 3
