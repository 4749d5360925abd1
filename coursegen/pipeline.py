"""The build, top to bottom: read and compute everything, write into staging, swap into place."""

from __future__ import annotations

import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from . import postbuild
from .cache import Cache, digest, tree_digest
from .chapters import ChapterBatch, RenderContext, Rendered
from .config import Config, load_config, with_site_url
from .content import load_chapters
from .errors import Problems, SiteError
from .figures import FREEZE_DIR, SPECS_FILE, AttentionFigures
from .qmd import SourceMap, expand_includes, remap
from .nav import PageNav, Site, build_nav
from .output import OutputError, Staging, build_lock
from .render import Sidebar, make_environment, render_template, url_helper
from .search import (DOCS_DIR as SEARCH_DOCS_DIR, SCRATCH_DIR, PendingIndex, SearchDocs, build_index as build_search_index,
                     clean_scratch)
from .glossary import GLOSSARY_PAGE, load_glossary


@dataclass
class BuildReport:
    problems: Problems
    pages: int = 0
    seconds: float = 0.0
    output: Path | None = None
    written: bool = False
    external_links: list[tuple[str, str, int]] = field(default_factory=list)
    timings: list[tuple[str, float]] = field(default_factory=list)   # (stage, seconds) for -v
    source_maps: dict[str, SourceMap] = field(default_factory=dict)  # chapter -> lines of its includes
    mapped_from: int = 0
    # ``search="background"`` (``serve``): builds the up-to-date search index into a folder; the written site has
    # the previous one until ``PendingIndex.install`` puts it in place.
    pending_index: PendingIndex | None = None

    def lap(self, stage: str, since: float) -> float:
        now = time.perf_counter()
        self.timings.append((stage, now - since))
        return now


@dataclass
class Page:
    """One chapter's output: its place in the course and its rendered page."""

    nav: PageNav
    rendered: Rendered


def build(root: Path, *, strict: bool = False, output: Path | None = None,
          write: bool = True, on_wait=None, site_url: tuple[str, str] | None = None,
          lint: bool = False, downloads: list[tuple[str, Path]] = (), jobs: int = 0,
          cache: bool = True, search: str = "before") -> BuildReport:
    """Build the site of the project at ``root``; the previous site stays untouched on any error (but for
    ``search="after"``: when the index fails after the pages were swapped in, the error says so).

    ``jobs``: processes that parse and render the chapters (0: one per core, used only for courses large
    enough to gain from it); ``cache``: reuse ``.cache/build/`` (builds that write only; the bytes are the same);
    ``search``: when the pages' text changed and the previous site has a search index, "before" builds the new
    index before the swap (the site is never seen with a stale index); "after" swaps the pages in first, then
    builds the index and swaps it in too, before returning (``python build.py``: pages updated sooner);
    "background" (``serve``) keeps the previous index and leaves the new one to ``report.pending_index``, so
    that the preview reloads without waiting for Pagefind.
    """
    start = time.perf_counter()
    problems = Problems()
    report = BuildReport(problems)
    config = load_config(root, problems)
    if config is None:
        return _done(report, start)
    if output is not None:
        config = _with_output(config, output, problems)
        if config is None:
            return _done(report, start)
    if site_url is not None:  # (address, where it came from): --site-url or ATELIER_SITE_URL
        config = with_site_url(config, site_url[0], site_url[1], problems)
        if config is None:
            return _done(report, start)
    report.output = config.output_path
    lap = report.lap("config", start)

    # Phase 1: read, parse, lay out the course; chapter pages are rendered into staging, never into site/.
    chapters = []
    for chapter in load_chapters(config, problems):
        chapter, report.source_maps[chapter.source] = expand_includes(chapter, config.root, problems)
        chapters.append(chapter)
    report.mapped_from = len(problems.items)  # problems found from here on are at expanded-body lines
    later = Problems()  # reported after the chapters' own parse problems, as they always were
    glossary = load_glossary(config.content_path, config.content_dir, later)
    figures = AttentionFigures(config, later)
    store = Cache(config.root if cache and write and not lint else None)
    with ExitStack() as stack:  # errors are caught inside: a frozen SiteError cannot cross a contextmanager
        try:
            staging = None
            if write:  # pages go into staging as they are rendered; one build at a time per project
                stack.enter_context(build_lock(config.root, on_wait))
                staging = stack.enter_context(Staging(config.output_path, seed=store.enabled))
            scratch = config.root / SCRATCH_DIR if store.enabled else None
            if scratch is not None:
                clean_scratch(scratch)
            docs = SearchDocs(config.root / SEARCH_DOCS_DIR if scratch else None, scratch) if write else None
            if docs is not None:
                stack.callback(docs.close)
            context = RenderContext(config, figures, glossary, GLOSSARY_PAGE,
                                    _chapter_pages(config, downloads, glossary, store) if write else None,
                                    _signature(config, glossary, downloads) if store.enabled else "",
                                    staging.path if staging else None, docs)
            batch = ChapterBatch(chapters, store, context, jobs=1 if lint else jobs)
            try:
                parsed = batch.parse(problems)
                lap = report.lap("lecture et analyse du Markdown", lap)
                site = build_nav(parsed)
                problems.extend(later)
                postbuild.check(config, problems, store)
                later.items.clear()
                figures.preload(parsed)
                problems.extend(later)
                figures.problems = problems
                rendered = batch.render(site, parsed, staging)
            finally:
                batch.close()
            pages: list[Page] = []
            for nav, result in zip(site.pages, rendered):
                for found in result.problems:
                    problems.add(SiteError(*found))
                pages.append(Page(nav, result))
                report.external_links += [(nav.source, href, line) for href, line in result.external_links]
            report.pages = len(pages) + 1  # chapters and the home page
            if lint:  # ``check``: authoring mistakes the page would still show
                from .lint import check_pages

                check_pages(parsed, problems)
            lap = report.lap("navigation et rendu HTML", lap)
            if problems.failed(strict) or staging is None or docs is None:
                return _done(report, start)

            # Phase 2: the other pages into staging; Phase 3: swap only if all went well.
            env = make_environment(config.templates_path, _bytecode_dir(config, store))
            pending = _write_site(staging, config, env, site, pages, figures, [page.chapter for page in parsed],
                                  downloads=downloads, entries=glossary, cache=store, docs=docs,
                                  search_later=search != "before", nav_key=batch.worker.nav_key)
            if pending is not None:  # nothing left behind, unless ``serve`` takes it (``report.pending_index``)
                stack.callback(lambda: report.pending_index is None and pending.discard())
            if problems.failed(strict):
                return _done(report, start)
            lap = report.lap("gabarits et écriture", lap)
            staging.commit()
            report.written = True
            docs.prune({page.rendered.search for page in pages})
            store.prune()
            lap = report.lap("remplacement de site/", lap)
            if pending is not None and search == "after":
                try:
                    pending.build()
                    pending.install(config.output_path)
                except SiteError as exc:  # the pages are in place: say so rather than "site unchanged"
                    problems.add(SiteError(exc.path, exc.line, exc.message,
                                           "les pages sont à jour mais la recherche porte encore sur la version "
                                           "précédente ; relancez la construction", exc.severity))
                report.lap("index de recherche (après les pages)", lap)
            elif pending is not None:
                report.pending_index = pending
        except SiteError as exc:
            problems.add(exc)
        except OutputError as exc:
            problems.error(config.output_dir, 0, str(exc))
    return _done(report, start)


def _write_site(staging: Staging, config: Config, env, site: Site, pages: list[Page],
                figures: AttentionFigures, chapters: list, downloads: list[tuple[str, Path]] = (),
                entries=(), cache: Cache | None = None, docs: SearchDocs | None = None, search_later: bool = False,
                nav_key: str = ""):
    tdir = config.templates_dir
    # PDF/EPUB rendered by Quarto (``python build.py pdf`` only): copied and linked from the home page.
    for name, path in downloads:
        staging.copy(f"telechargements/{name}", path, "quarto")
    store = cache or Cache(None)
    common = _common(config, site, downloads, entries)
    sidebars = _sidebar(env, common, tdir, store, nav_key)
    sidebar = sidebars.for_page()
    home = render_template(env, "home.html", {**common, "page": _page_context("home", config.title, "index.html"),
                                              "sidebar": sidebar, "url": url_helper("index.html")}, tdir)
    staging.write("index.html", home, "templates/home.html")
    assets: set[str] = set()
    for page in pages:  # written by the chapters' render (coursegen/chapters.py, ``_chapter_pages`` below)
        if page.rendered.template_error:
            raise SiteError(*page.rendered.template_error)
        assets.update(page.rendered.assets)
    search_page = render_template(env, "search.html", {
        **common, "page": _page_context("search", "Recherche", "recherche.html"), "sidebar": sidebar,
        "url": url_helper("recherche.html")}, tdir)
    staging.write("recherche.html", search_page, "templates/search.html")
    if entries:
        used_in = {e.id: [p.nav for p in pages if e.id in p.rendered.glossary_uses] for e in entries}
        staging.write(GLOSSARY_PAGE, render_template(env, "glossary.html", {
            **common, "page": _page_context("glossary", "Glossaire", GLOSSARY_PAGE), "entries": entries,
            "used_in": used_in, "sidebar": sidebars.for_page("glossaire"),
            "url": url_helper(GLOSSARY_PAGE)}, tdir), "content/glossaire.yaml")
    base = config.base_path if config.site_url else ""
    not_found = render_template(env, "404.html", {
        **common, "page": _page_context("404", "Page introuvable", "404.html"),
        "sidebar": _sidebar(env, common, tdir, store, nav_key, base).for_page() if base else sidebar,
        "url": url_helper("404.html", base)}, tdir)
    staging.write("404.html", not_found, "templates/404.html")

    static = config.templates_path / "static"
    for path in sorted(p for p in static.rglob("*") if p.is_file()):
        staging.copy(f"static/{path.relative_to(static).as_posix()}", path)
    staging.write("static/pygments.css", store.memo("pygments-css", lambda: postbuild.pygments_css().encode()),
                  "pygments")
    for rel in sorted(assets):
        staging.copy(rel, config.content_path / rel, f"{config.content_dir}/{rel}")
    for rel, data in figures.data_files():
        staging.write(rel, data, "content/_freeze")
    social = store.memo(("social", config.title, config.subtitle, config.author, config.site_url),
                   lambda: postbuild.social_image(config))
    for rel, data in postbuild.extra_files(config, site, chapters, social, glossary=entries):
        staging.write(rel, data, "postbuild")
    # Pagefind writes its bundle itself (staging/pagefind/); it is the one writer besides output.write_file.
    pending = build_search_index(docs, {p.nav.url: p.rendered.search for p in pages}, staging, config.language,
                                 store, later=search_later)
    return pending


def _sidebar(env, common: dict, tdir: str, store: Cache, nav_key: str, base: str = "") -> Sidebar:
    """The course sidebar, rendered once per state of the course (``nav_key``: signature and navigation) and
    base path, then cached: listing a thousand chapters takes a tenth of a second per rendering."""
    def render() -> bytes:
        page = url_helper("", base) if base else url_helper("index.html")
        return render_template(env, "partials/sidebar.html", {**common, "url": page}, tdir).encode("utf-8")
    html = store.memo(("sidebar", nav_key, base), render) if nav_key else render()
    return Sidebar(html.decode("utf-8"))


def _common(config: Config, site: Site, downloads, entries) -> dict:
    """The context every page template shares."""
    links = [{"url": f"telechargements/{name}", "format": name.rsplit(".", 1)[-1].upper(),
              "size": f"{max(1, round(path.stat().st_size / 1024))} Ko"} for name, path in downloads]
    return {"site": _site_context(config), "chapters": site.pages, "downloads": links,
            "glossary_url": GLOSSARY_PAGE if entries else ""}


def _bytecode_dir(config: Config, store: Cache) -> Path | None:
    return config.root / ".cache" / "jinja" if store.enabled else None


def _chapter_pages(config: Config, downloads, entries, store: Cache):
    """``site -> render(nav, body_html)``: the chapter template, one environment and one sidebar per process."""
    def for_site(site: Site, nav_key: str = ""):
        env = make_environment(config.templates_path, _bytecode_dir(config, store))
        common = _common(config, site, downloads, entries)
        tdir = config.templates_dir
        sidebars: list[Sidebar] = []

        def render(nav: PageNav, body: str) -> str:
            if not sidebars:
                sidebars.append(_sidebar(env, common, tdir, store, nav_key))
            context = {**common, "page": _page_context("chapter", nav.title, nav.url, nav), "content": body,
                       "sidebar": sidebars[0].for_page(nav.slug), "url": url_helper(nav.url)}
            return render_template(env, "chapter.html", context, tdir)
        return render
    return for_site


def _signature(config: Config, glossary, downloads) -> str:
    """What a chapter page depends on besides the course's navigation and its own source (cache key)."""
    from dataclasses import replace

    specs = config.content_path / SPECS_FILE
    return digest("site", repr(replace(config, output_dir="")), tree_digest(config.templates_path), glossary,
                  specs.read_bytes() if specs.is_file() else b"", tree_digest(config.content_path / FREEZE_DIR),
                  [(name, path.stat().st_size) for name, path in downloads])


def _site_context(config: Config) -> dict:
    from .typography import french

    return {"title": french(config.title), "subtitle": french(config.subtitle), "author": config.author,
            "date_fr": config.date_fr, "date_iso": config.date.isoformat() if config.date else "",
            "description": french(config.description), "language": config.language,
            "base_path": config.base_path, "site_url": config.site_url, "extra": config.extra,
            "social_image": postbuild.SOCIAL_IMAGE}


def _page_context(kind: str, title: str, url: str, nav: PageNav | None = None) -> dict:
    return {"kind": kind, "title": title, "url": url,
            "number": nav.number if nav else "", "description": nav.description if nav else "",
            "toc": nav.toc if nav else [], "prev": nav.prev if nav else None,
            "next": nav.next if nav else None, "source": nav.source if nav else ""}


def _with_output(config: Config, output: Path, problems: Problems) -> Config | None:
    from dataclasses import replace

    out = output if output.is_absolute() else (Path.cwd() / output)
    out = out.resolve()
    root = config.root.resolve()
    if out == root or root.is_relative_to(out) or config.content_path.resolve().is_relative_to(out):
        problems.error("--output", 0, f"le dossier de sortie « {output} » contient le projet ou content/",
                       "choisissez un dossier dédié, par exemple « site »")
        return None
    return replace(config, output_dir=str(out))


def _done(report: BuildReport, start: float) -> BuildReport:
    remap(report.problems, report.source_maps, report.mapped_from)
    links = []
    for source, href, line in report.external_links:
        where = report.source_maps[source].locate(line) if source in report.source_maps else (source, line)
        links.append((where[0], href, where[1]))
    report.external_links = links
    report.seconds = time.perf_counter() - start
    return report
