"""Stage 3, the course: all parsed chapters -> order, chapter/section/figure numbers, prev/next, tables of
contents, anchors and cross-reference targets, returned as a ``Site`` (parse results are left as they
were); and ``resolve_link``, which maps an author's link onto the built site."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from ..errors import did_you_mean
from ..markdown.parse import ParsedPage


@dataclass(frozen=True)
class Target:
    """Something a link or cross-reference can point at."""

    page: str       # output file, e.g. "transformers.html"
    anchor: str     # "" for the page itself
    label: str      # "section 1.1", "figure 2", "chapitre 1" or the page title
    title: str


@dataclass(frozen=True)
class Section:
    """A heading as the contents and the page show it: ``number`` is "1.2" or "" (unnumbered)."""

    level: int
    id: str
    text: str
    number: str = ""


@dataclass
class PageNav:
    """Everything a page template needs to place the page in the course."""

    slug: str
    url: str
    title: str
    number: str                    # "1" for chapter 1, "" for the unnumbered preface
    description: str
    source: str
    toc: list[Section]             # h2/h3/h4 for « Sur cette page »
    figure_numbers: dict[int, str] = field(default_factory=dict)  # line of a figure, table, equation -> "1.2"
    prev: "PageNav | None" = None
    next: "PageNav | None" = None


@dataclass
class Site:
    pages: list[PageNav]
    by_name: dict[str, PageNav]                    # "01-transformers.md" -> page
    anchors: dict[str, dict[str, Target]]          # "transformers.html" -> id -> target
    targets: dict[str, Target] = field(default_factory=dict)  # global ids (sec-, fig-) for @refs


def build_nav(parsed: list[ParsedPage]) -> Site:
    """Number chapters (numbered ones only), sections and figures; link pages in course order."""
    pages: list[PageNav] = []
    anchors: dict[str, dict[str, Target]] = {}
    targets: dict[str, Target] = {}
    chapter_no = 0
    for page in parsed:
        ch = page.chapter
        number = ""
        if ch.numbered:
            chapter_no += 1
            number = str(chapter_no)
        url = f"{ch.slug}.html"
        counters = [0, 0, 0, 0, 0, 0, 0]
        page_anchors: dict[str, Target] = {}
        sections: list[Section] = []
        for h in page.headings:
            section_number = ""
            if h.numbered and number:
                counters[h.level] += 1
                for deeper in range(h.level + 1, len(counters)):
                    counters[deeper] = 0
                section_number = ".".join([number] + [str(counters[lv]) for lv in range(2, h.level + 1)])
            sections.append(Section(h.level, h.id, h.text, section_number))
            label = f"section {section_number}" if section_number else f"section « {h.text} »"
            page_anchors[h.id] = Target(url, h.id, label, h.text)
        figure_numbers: dict[int, str] = {}
        for kinds, prefix, label in ((("image", "attention"), "fig-", "figure {}"), (("table",), "tbl-", "tableau {}"),
                                     (("equation",), "eq-", "équation ({})")):
            # Quarto numbers figures per chapter ("Figure 1.2") and drops the prefix when unnumbered.
            for i, fig in enumerate((f for f in page.figures if f.kind in kinds and f.id.startswith(prefix)),
                                    start=1):
                figure_numbers[fig.line] = f"{number}.{i}" if number else str(i)
                page_anchors[fig.id] = Target(url, fig.id, label.format(figure_numbers[fig.line]), "")
        for ident in page.ids - page_anchors.keys():
            page_anchors[ident] = Target(url, ident, "", "")
        anchors[url] = page_anchors
        for ident, target in page_anchors.items():
            targets.setdefault(ident, target)
        toc = [s for s in sections if s.level in (2, 3, 4)]
        pages.append(PageNav(ch.slug, url, ch.title, number, ch.description, ch.source, toc, figure_numbers))
    for before, after in zip(pages, pages[1:]):
        before.next, after.prev = after, before
    return Site(pages, {p.source.rsplit("/", 1)[-1]: p for p in pages}, anchors, targets)


SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")  # a URL scheme: the link leaves the site


@dataclass(frozen=True)
class Resolved:
    href: str
    kind: str           # "external" | "page" | "asset"
    asset: str = ""     # content-relative path of a linked file to copy
    error: str = ""
    hint: str = ""


def resolve_link(href: str, current: PageNav, site: Site, hint: bool = True) -> Resolved:
    """Map an author's link to the built site, or explain why it cannot be resolved (with a « vouliez-vous
    dire » unless ``hint`` is False: it compares the name with every anchor of a page)."""
    def _near(name: str, choices: dict) -> str:
        return did_you_mean(name, list(choices)) if hint else ""

    if SCHEME.match(href) or href.startswith("//"):
        return Resolved(href, "external")
    path, _, anchor = href.partition("#")
    path = unquote(path)
    if not path:
        if anchor and anchor not in site.anchors[current.url]:
            return Resolved(href, "page", error=f"ancre « #{anchor} » introuvable dans ce chapitre",
                            hint=_near(anchor, site.anchors[current.url]))
        return Resolved(href, "page")
    norm = posixpath.normpath(path)
    if posixpath.isabs(path) or norm.startswith(".."):
        return Resolved(href, "asset", error=f"le lien « {href} » sort du dossier de contenu",
                        hint="liez uniquement des fichiers du projet, avec un chemin relatif")
    if norm.endswith(".md"):
        page = site.by_name.get(norm)
        if page is None:
            return Resolved(href, "page", error=f"lien vers « {path} » : ce chapitre n'existe pas ou n'est pas publié",
                            hint=_near(norm, site.by_name))
        if anchor and anchor not in site.anchors[page.url]:
            return Resolved(href, "page", error=f"ancre « #{anchor} » introuvable dans « {path} »",
                            hint=_near(anchor, site.anchors[page.url]))
        return Resolved(page.url + (f"#{anchor}" if anchor else ""), "page")
    return Resolved(href, "asset", asset=norm)

