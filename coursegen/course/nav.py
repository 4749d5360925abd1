"""Stage 3, the course: all parsed chapters -> order, chapter/section/figure numbers, prev/next, tables of
contents, anchors and cross-reference targets, returned as a ``Site`` (parse results are left as they
were); and ``resolve_link``, which maps an author's link onto the built site."""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from ..config import Config
from ..errors import did_you_mean
from ..markdown.parse import NUMBERED_DEPTH, ParsedPage
from ..markdown.titles import plain
from ..source.quarto import PAGE_SUFFIXES


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
    html: str = ""       # the text as inline HTML (`code`, emphasis)


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
    name: str = ""                 # the source file, relative to the content folder: what links name
    anchor: str = ""               # the id of the page's title (``{#id}`` of a Quarto page's ``#`` heading)
    part: bool = False             # a book part's page: it heads the group that follows in the sidebar
    opens: tuple[str, ...] = ()    # group titles the sidebar opens just before this page (Quarto parts, sections)
    depth: int = 0                 # how many groups hold this page
    deeper: list[Section] = field(default_factory=list)  # headings below h4, numbered in a Quarto project
    nav_title: str = ""            # the title the sidebar shows (a Quarto menu's ``text:``, else the title)
    title_html: str = ""                  # the title as inline HTML (`code`, emphasis); ``title`` is its text
    description_html: str = ""
    subtitle_html: str = ""
    authors: tuple[str, ...] = ()
    date: str = ""
    toc_depth: int = 4                    # deepest level in « Sur cette page » (``toc: false``: 0; Quarto: 3)


@dataclass
class Site:
    pages: list[PageNav]
    by_name: dict[str, PageNav]                    # "01-transformers.md" -> page
    anchors: dict[str, dict[str, Target]]          # "transformers.html" -> id -> target
    targets: dict[str, Target] = field(default_factory=dict)  # global ids (sec-, fig-) for @refs
    quarto: bool = False                           # a Quarto project: ``/x`` links from the project's root
    image_extension: str = ""                      # added to an image written without one (Quarto's option)


@dataclass(frozen=True)
class Numbering:
    """Which numbers the course shows: chapters (a book, a course), sections down to heading level ``depth``."""

    chapters: bool = True
    sections: bool = True
    depth: int = NUMBERED_DEPTH

    @classmethod
    def of(cls, config: Config) -> "Numbering":
        """A course and a Quarto book number chapters and sections; a website nothing unless number-sections."""
        website = config.project_type == "website"
        return cls(config.numbered and not website, config.numbered, config.number_depth)


def build_nav(parsed: list[ParsedPage], numbering: Numbering = Numbering(), quarto: bool = False,
              image_extension: str = "") -> Site:
    """Number chapters (numbered ones only), sections and figures; link pages in course order."""
    pages: list[PageNav] = []
    anchors: dict[str, dict[str, Target]] = {}
    targets: dict[str, Target] = {}
    chapter_no = appendix_no = 0
    previous: tuple[str, ...] = ()
    for page in parsed:
        ch = page.chapter
        number = ""
        if ch.numbered and numbering.chapters and ch.appendix:
            appendix_no += 1
            number = _letters(appendix_no)
        elif ch.numbered and numbering.chapters:
            chapter_no += 1
            number = str(chapter_no)
        url = ch.url
        counters = [0, 0, 0, 0, 0, 0, 0]
        page_anchors: dict[str, Target] = {}
        if ch.anchor:
            page_anchors[ch.anchor] = Target(url, ch.anchor, f"chapitre {number}" if number else f"« {ch.title} »",
                                             ch.title)
        sections: list[Section] = []
        for h in page.headings:
            section_number = ""
            if h.numbered and numbering.sections and h.level <= numbering.depth and (number or not numbering.chapters):
                counters[h.level] += 1
                for deeper in range(h.level + 1, len(counters)):
                    counters[deeper] = 0
                first = 2 if number else next((lv for lv in range(2, h.level + 1) if counters[lv]), h.level)
                section_number = ".".join(([number] if number else []) +
                                          [str(counters[lv]) for lv in range(first, h.level + 1)])
            sections.append(Section(h.level, h.id, h.text, section_number, h.html or html.escape(h.text, quote=False)))
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
        toc = [s for s, h in zip(sections, page.headings) if s.level in (2, 3, 4) and h.listed]
        title, description, subtitle = (value or plain(raw) for value, raw in (
            (page.title, ch.title), (page.description, ch.description), (page.subtitle, ch.subtitle)))
        nav_title = ch.nav_title or title.text
        group = ch.group + ((nav_title,) if ch.part else ())
        shared = next((i for i, (a, b) in enumerate(zip(previous, ch.group)) if a != b), min(len(previous),
                                                                                         len(ch.group)))
        opens = ch.group[shared:] if not (pages and pages[-1].part and ch.group[:len(previous)] == previous) \
            else ch.group[len(previous):]
        previous = group
        pages.append(PageNav(ch.slug, url, title.text, number, description.text, ch.source, toc, figure_numbers,
                             name=ch.name, anchor=ch.anchor, part=ch.part, opens=opens, depth=len(ch.group),
                             deeper=[s for s in sections if s.level > 4 and s.number], nav_title=nav_title,
                             title_html=title.html, description_html=description.html, subtitle_html=subtitle.html,
                             authors=ch.authors, date=ch.date,
                             toc_depth=0 if ch.meta.get("toc") is False else int(ch.meta.get("toc-depth", 3 if ch.quarto else 4))))
    for before, after in zip(pages, pages[1:]):
        before.next, after.prev = after, before
    return Site(pages, {p.name: p for p in pages}, anchors, targets, quarto, image_extension)


def site_nav(parsed: list[ParsedPage], config: Config) -> Site:
    """``build_nav`` with the numbering and link rules of the project ``config`` describes."""
    return build_nav(parsed, Numbering.of(config), bool(config.quarto_project), config.image_extension)


def _letters(n: int) -> str:
    """Appendix numbers as Quarto gives them: A, B… Z, AA."""
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


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
        target = site.targets.get(anchor) if site.quarto and anchor not in site.anchors[current.url] else None
        if target is not None:  # ``#id`` of another page (bookdown's rule, kept by many Quarto projects)
            return Resolved(posixpath.relpath(target.page, posixpath.dirname(current.url) or ".") + f"#{anchor}",
                            "page")
        if anchor and anchor not in site.anchors[current.url]:
            return Resolved(href, "page", error=f"ancre « #{anchor} » introuvable dans ce chapitre",
                            hint=_near(anchor, site.anchors[current.url]))
        return Resolved(href, "page")
    here = posixpath.dirname(current.name)
    norm = posixpath.normpath(path.lstrip("/") if path.startswith("/") else posixpath.join(here, path))
    if norm.startswith("..") or (posixpath.isabs(path) and not site.quarto):
        return Resolved(href, "asset", error=f"le lien « {href} » sort du dossier de contenu",
                        hint="liez uniquement des fichiers du projet, avec un chemin relatif")
    page_dir = posixpath.dirname(current.url)
    if norm.endswith(".html") and norm not in site.by_name:  # a Quarto author's link to the built page
        norm = next((norm[:-5] + s for s in PAGE_SUFFIXES if norm[:-5] + s in site.by_name), norm)
    if norm.endswith(PAGE_SUFFIXES):
        page = site.by_name.get(norm)
        if page is None:
            return Resolved(href, "page", error=f"lien vers « {path} » : ce chapitre n'existe pas ou n'est pas publié",
                            hint=_near(norm, site.by_name))
        if anchor and anchor not in site.anchors[page.url]:
            return Resolved(href, "page", error=f"ancre « #{anchor} » introuvable dans « {path} »",
                            hint=_near(anchor, site.anchors[page.url]))
        return Resolved(posixpath.relpath(page.url, page_dir or ".") + (f"#{anchor}" if anchor and anchor != page.anchor
                                                                        else ""), "page")
    if not page_dir and not path.startswith("/"):
        return Resolved(href, "asset", asset=norm)  # a top-level page links files as written
    return Resolved(posixpath.relpath(norm, page_dir or ".") + (f"#{anchor}" if anchor else ""), "asset", asset=norm)
