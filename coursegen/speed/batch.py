"""The speed layer around stages 2 to 4: parse and render the chapters in this process or in forked workers,
reusing what the cache holds. ``ChapterBatch`` is the one call the pipeline makes for each pass.

Two passes, as the pipeline needs: ``parse()`` gives every chapter's headings, figures and ids (enough for
navigation); ``render()`` turns each chapter into its whole page once navigation is known. A worker keeps
the tokens of the chapters it parsed and renders those same chapters, so nothing is parsed twice.

Pages are written straight into the staging folder by the process that renders them (a thousand pages of
170 KB are not sent back to the parent), with their search documents (``output.search.SearchDocs``).

Cache (``coursegen.cache``): the facts of a chapter are keyed by the chapter itself (front matter and
expanded body); its page by that key plus a signature of everything else it shows (navigation and link
targets of the whole course, config, templates, glossary, attention data, downloads). A page entry holds what
the build needs from the render, the identity (``output.staging.file_stamp``) and the SHA-256 of the file written:
the previous site's file, seeded into staging, is kept only when it is still that file with those very bytes
(an edit in place that keeps size and modification time is caught), and its search document is intact.
Pages whose render reported an error are never stored. The result — pages and problems, in course order — is
the same whether it came from one process, several, or the cache.
"""

from __future__ import annotations

import hashlib
from dataclasses import astuple, dataclass, field
from pathlib import Path

from ..cache import Cache, digest
from ..config import Config
from ..course.figures import AttentionFigures
from ..course.nav import Site, site_nav
from ..errors import Problems, SiteError
from ..markdown.parse import Figure, Heading, ParsedPage, parse_page
from ..markdown.titles import InlineText
from ..markdown.terms import link_terms
from ..output.search import SearchDocs, search_document
from ..output.staging import Staging, file_stamp, write_file
from ..pages.chapter import render_page
from ..pages.context import Download, Templates
from ..source.chapters import Chapter
from ..source.glossary import GLOSSARY_PAGE, Entry
from ..source.includes import SourceMap
from .pool import Pool, default_jobs, split

# Below this many chapters to parse or render, forking costs more than it saves (≈ 10 ms per chapter).
MIN_PARALLEL = 24


@dataclass
class Rendered:
    """One chapter's page and what the rest of the build needs from its render."""

    search: str = ""                                         # its search document's key (``SearchDocs``)
    stamp: list | None = None                                # ``file_stamp`` of the page written in staging
    sha256: str = ""                                         # and the SHA-256 of its bytes
    assets: list[str] = field(default_factory=list)
    external_links: list[tuple[str, int]] = field(default_factory=list)
    problems: list[tuple] = field(default_factory=list)      # SiteError fields, in report order
    glossary_uses: list[str] = field(default_factory=list)
    template_error: tuple | None = None                      # raised in phase 2, as a serial build would
    cache_keys: list[list[str]] = field(default_factory=list)  # [kind, key] of the cache entries the render used


def _problem_tuples(problems: Problems) -> list[tuple]:
    return [(p.path, p.line, p.message, p.hint, p.severity) for p in problems.items]


def _facts(page) -> dict:
    return {"headings": [[h.level, h.id, h.text, h.line, h.numbered, h.html] for h in page.headings],
            "figures": [[f.id, f.kind, f.line, f.attrs] for f in page.figures],
            "ids": sorted(page.ids),
            "titles": [[t.html, t.text] if t else None for t in (page.title, page.description, page.subtitle)]}


def _page_from_facts(chapter: Chapter, facts: dict) -> ParsedPage:
    return ParsedPage(chapter, None, {},
                      [Heading(*h) for h in facts["headings"]],
                      [Figure(i, k, line, attrs=a) for i, k, line, a in facts["figures"]], set(facts["ids"]),
                      *(InlineText(*t) if t else None for t in facts["titles"]))


def chapter_key(chapter: Chapter) -> str:
    """Every field of the chapter; text as UTF-8 bytes (``repr`` of a 12 KB body costs more than hashing it)."""
    return digest("chapter", *(v.encode("utf-8", "surrogatepass") if isinstance(v, str) else v
                               for v in astuple(chapter)))


def nav_signature(site: Site) -> str:
    """Everything of the course a page can show besides its own body: titles, numbers, order, link targets."""
    pages = [(p.slug, p.url, p.title, p.nav_title, p.number, p.description, p.source, p.name, p.anchor, p.part,
              p.opens, p.title_html, p.description_html, p.subtitle_html, p.authors, p.date, p.toc_depth,
              [(h.level, h.id, h.text, h.number, h.html) for h in p.toc]) for p in site.pages]
    anchors = sorted((url, sorted((i, t.label, t.title) for i, t in a.items())) for url, a in site.anchors.items())
    return digest("nav", pages, anchors, sorted((k, t.page, t.label) for k, t in site.targets.items()))


@dataclass
class RenderContext:
    """What rendering a chapter needs besides the chapter: built in the parent, inherited by forked workers."""

    config: Config
    figures: AttentionFigures
    glossary: list[Entry]
    downloads: tuple[Download, ...] = ()
    signature: str = ""                            # config, templates, glossary, attention data, downloads
    output: Path | None = None                     # the staging folder pages are written into (None: ``check``)
    docs: SearchDocs | None = None
    cache: Cache = field(default_factory=lambda: Cache(None))


class _Worker:
    """The chapters one process parses and renders, and the tokens it keeps in between."""

    def __init__(self, chapters: list[Chapter], keys: list[str], cache: Cache, context: RenderContext) -> None:
        self.chapters = chapters
        self.keys = keys
        self.cache = cache
        self.context = context
        self.parsed: dict[int, ParsedPage] = {}
        self.site: Site | None = None
        self.nav_key = ""                   # digest of the signature and the navigation (cached sidebar)

    def _parse(self, i: int) -> tuple[ParsedPage, Problems]:
        problems = Problems()
        page = parse_page(self.chapters[i], problems)
        self.parsed[i] = page
        return page, problems

    def parse(self, indexes: list[int]) -> list[tuple[int, dict, list[tuple]]]:
        out = []
        for i in indexes:
            page, problems = self._parse(i)
            facts, found = _facts(page), _problem_tuples(problems)
            self.cache.put("facts", self.keys[i], {"facts": facts, "problems": found})
            out.append((i, facts, found))
        return out

    def navigate(self, facts: list[dict]) -> None:
        """In a worker forked before navigation existed: the same navigation, built from every chapter's facts."""
        pages = [self.parsed.get(i) or _page_from_facts(c, facts[i]) for i, c in enumerate(self.chapters)]
        self.site = site_nav(pages, self.context.config)

    def _tokens(self, i: int) -> ParsedPage:
        """The chapter parsed with its tokens (kept from the parse pass, or parsed again)."""
        page = self.parsed.pop(i, None)
        if page is None:
            page = self._parse(i)[0]
            self.parsed.pop(i)
        return page

    def render(self, jobs: list[tuple[int, str]]) -> list[tuple[int, Rendered]]:
        site, context = self.site, self.context
        assert site is not None
        templates = None  # ``check`` writes no page
        if context.output is not None:
            templates = Templates(context.config, site, context.downloads, context.glossary, context.cache,
                                  self.nav_key)
        out = []
        for i, page_key in jobs:
            page = self._tokens(i)
            nav = site.pages[i]
            problems = Problems()
            uses = link_terms(page.tokens, context.glossary, GLOSSARY_PAGE)
            result = render_page(page, nav, site, problems, context.figures.render, context.config.content_path,
                                 context.config.root, self.cache)
            rendered = Rendered(assets=sorted(result.assets), external_links=list(result.external_links),
                                problems=_problem_tuples(problems), glossary_uses=sorted(uses),
                                cache_keys=[list(k) for k in result.cache_keys])
            html = b""
            try:
                html = templates.chapter(nav, result.html).encode("utf-8") if templates else b""
            except SiteError as exc:
                rendered.template_error = (exc.path, exc.line, exc.message, exc.hint, exc.severity)
            if context.output is not None and context.docs is not None and rendered.template_error is None:
                write_file(context.output, nav.url, html)
                rendered.stamp = file_stamp(context.output / nav.url)
                rendered.sha256 = hashlib.sha256(html).hexdigest()
                rendered.search = context.docs.add(
                    search_document(nav.title, nav.number, result.html, context.config.language, nav.title_html))
                if not problems.errors:
                    self.cache.put("pages", page_key, _entry(rendered))
            out.append((i, rendered))
            del page  # tokens are the bulk of a worker's memory
        return out


class ChapterBatch:
    """The chapters of one build; ``jobs`` = 1 keeps everything in this process."""

    def __init__(self, chapters: list[Chapter], maps: dict[str, SourceMap], context: RenderContext,
                 jobs: int = 0) -> None:
        self.chapters = chapters
        self.maps = maps
        self.cache = cache = context.cache
        # Never more processes than cores (they would only share them) nor than chapters (they would idle).
        cores = default_jobs()
        self.jobs = max(1, min(jobs if jobs > 0 else cores, cores, len(chapters)))
        self.keys = [chapter_key(c) for c in chapters]
        self.worker = _Worker(chapters, self.keys, cache, context)
        self.facts: list[dict] = []
        self.pool: Pool | None = None
        self.owner: dict[int, int] = {}             # chapter -> worker that parsed it (and keeps its tokens)
        self.weights = [len(c.body) for c in chapters]

    def _start(self, count: int) -> bool:
        if self.pool is None and self.jobs > 1 and count >= MIN_PARALLEL:
            self.pool = Pool(self.jobs, self.worker)
        return self.pool is not None

    def place(self, problem: SiteError) -> SiteError:
        """A problem found in a chapter's expanded body, at the file and line the author wrote it."""
        source_map = self.maps.get(problem.path)
        return source_map.place(problem) if source_map is not None else problem

    def parse(self, problems: Problems) -> list[ParsedPage]:
        """Every chapter's ParsedPage (tokens only where parsed in this process); problems in course order."""
        found: dict[int, tuple[dict, list]] = {}
        missing = []
        for i, key in enumerate(self.keys):
            entry = self.cache.get("facts", key)
            if isinstance(entry, dict) and "facts" in entry and "problems" in entry:
                found[i] = (entry["facts"], entry["problems"])
            else:
                missing.append(i)
        if self._start(len(missing)):
            assert self.pool is not None
            shares = split(missing, self.weights, self.jobs)
            for k, answer in enumerate(self.pool.ask([("parse", s) if s else None for s in shares])):
                for i, facts, probs in answer:
                    found[i] = (facts, probs)
                    self.owner[i] = k
        else:
            for i, facts, probs in self.worker.parse(missing):
                found[i] = (facts, probs)
        pages = []
        self.facts = [found[i][0] for i in range(len(self.chapters))]
        for i, chapter in enumerate(self.chapters):
            self.cache.mark("facts", self.keys[i])
            facts, probs = found[i]
            for p in probs:
                problems.add(self.place(SiteError(*p)))
            page = self.worker.parsed.get(i)
            pages.append(page if page is not None else _page_from_facts(chapter, facts))
        return pages

    def render(self, site: Site, staging: Staging | None, problems: Problems) -> list[Rendered]:
        """Every chapter's page, in course order: kept from the previous site when the cache says it is still
        right, or rendered here or by the worker that parsed it (and written into ``staging``). Its problems
        are added to ``problems`` in course order, at the file and line the author wrote them.

        ``site`` is the navigation built from ``parse()``'s pages."""
        context = self.worker.context
        self.worker.site = site
        navigation = nav_signature(site)
        common = digest("page", context.signature, navigation)
        self.worker.nav_key = digest("sidebar", context.signature, navigation) if context.signature else ""
        results: dict[int, Rendered] = {}
        todo: list[tuple[int, str]] = []
        checked: dict[str, bool] = {}
        for i, key in enumerate(self.keys):
            page_key = digest(common, key)
            self.cache.mark("pages", page_key)
            rendered = _from_entry(self.cache.get("pages", page_key), context.config.content_path, checked)
            nav = site.pages[i]
            if (rendered is not None and staging is not None and context.docs is not None
                    and context.docs.has(rendered.search)
                    and staging.reuse(nav.url, rendered.stamp, rendered.sha256, nav.source)):
                results[i] = rendered
            else:
                todo.append((i, page_key))
        if self._start(len(todo)):
            assert self.pool is not None
            shares: list[list[tuple[int, str]]] = [[] for _ in range(self.jobs)]
            free = [job for job in todo if job[0] not in self.owner]
            for job in todo:
                if job[0] in self.owner:
                    shares[self.owner[job[0]]].append(job)
            for k, share in enumerate(split([j[0] for j in free], self.weights, self.jobs)):
                shares[k] += [job for job in free if job[0] in set(share)]
            # Workers forked before navigation existed get it in the request; the others inherited it.
            requests = [("render", self.facts if self.owner else None, sorted(s), self.worker.nav_key) if s else None
                        for s in shares]
            for answer in self.pool.ask(requests):
                results.update(answer)
        else:
            results.update(self.worker.render(todo))
        if staging is not None:
            for i, _ in todo:
                if results[i].stamp is not None:
                    staging.register(site.pages[i].url, site.pages[i].source)
        ordered = [results[i] for i in range(len(self.chapters))]
        for rendered in ordered:
            for kind, key in rendered.cache_keys:  # used by a worker, or by the render a kept page came from
                self.cache.mark(kind, key)
            for found in rendered.problems:
                problems.add(self.place(SiteError(*found)))
        return ordered

    def external_links(self, site: Site, rendered: list[Rendered]) -> list[tuple[str, str, int]]:
        """(file, address, line) of every external link, at the file and line the author wrote it."""
        out = []
        for nav, page in zip(site.pages, rendered):
            source_map = self.maps.get(nav.source)
            for href, line in page.external_links:
                path, line = source_map.locate(line) if source_map is not None else (nav.source, line)
                out.append((path, href, line))
        return out

    def __enter__(self) -> "ChapterBatch":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def nav_key(self) -> str:
        """Digest of the render signature and the navigation (``render`` computes it): the sidebar's cache key."""
        return self.worker.nav_key

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None


def _entry(rendered: Rendered) -> dict:
    """A page's cache entry: everything but the page itself, which the site keeps."""
    return dict(rendered.__dict__)


def _from_entry(entry, content_root, checked: dict | None = None) -> Rendered | None:
    """A cached page, if well formed and if every file it links to is still there (else it is rendered again)."""
    if not isinstance(entry, dict):
        return None
    try:
        rendered = Rendered(**entry)
        rendered.external_links = [tuple(x) for x in rendered.external_links]
        rendered.problems = [tuple(x) for x in rendered.problems]
        if not isinstance(rendered.cache_keys, list) or not all(
                isinstance(k, list) and len(k) == 2 and all(isinstance(x, str) for x in k) for k in rendered.cache_keys):
            return None
        if not isinstance(rendered.search, str) or rendered.template_error is not None \
                or not isinstance(rendered.stamp, list) or not isinstance(rendered.sha256, str) \
                or len(rendered.sha256) != 64:
            return None
    except TypeError:
        return None
    checked = {} if checked is None else checked  # asset -> still valid, shared by the pages of one build
    for rel in rendered.assets:  # the checks ``pages.html._use_asset`` made when the page was rendered
        if rel not in checked:
            target = content_root / rel
            checked[rel] = target.is_file() and target.resolve().is_relative_to(content_root.resolve())
        if not checked[rel]:
            return None
    return rendered

