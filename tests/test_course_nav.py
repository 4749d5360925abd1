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


def test_toc_depth_and_toc_false_come_from_the_front_matter():
    from dataclasses import replace

    pages = [replace(make(f"0{i}-a{i}.md", "## Un\n\n### Deux\n"), meta=meta)
             for i, meta in enumerate(({}, {"toc-depth": 2}, {"toc": False}))]
    assert [p.toc_depth for p in site_of(*pages).pages] == [3, 2, 0]
