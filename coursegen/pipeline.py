"""The build, top to bottom: read and compute everything, write into staging, swap into place."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from . import postbuild
from .config import Config, load_config
from .content import load_chapters
from .errors import Problems, SiteError
from .figures import AttentionFigures
from .htmlrender import install_rules, render_page
from .markdown import parse_page
from .nav import PageNav, Site, build_nav
from .output import OutputError, Staging, build_lock
from .render import make_environment, render_template, url_helper


@dataclass
class BuildReport:
    problems: Problems
    pages: int = 0
    seconds: float = 0.0
    output: Path | None = None
    written: bool = False
    external_links: list[tuple[str, str, int]] = field(default_factory=list)
    timings: list[tuple[str, float]] = field(default_factory=list)   # (stage, seconds) for -v

    def lap(self, stage: str, since: float) -> float:
        now = time.perf_counter()
        self.timings.append((stage, now - since))
        return now


@dataclass
class Page:
    """One output HTML page before templating."""

    nav: PageNav
    html: str


def build(root: Path, *, strict: bool = False, output: Path | None = None,
          write: bool = True, on_wait=None) -> BuildReport:
    """Build the site of the project at ``root``; the previous site stays untouched on any error."""
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
    report.output = config.output_path
    lap = report.lap("config", start)

    # Phase 1: read and compute, write nothing.
    chapters = load_chapters(config, problems)
    parsed = [parse_page(chapter, problems) for chapter in chapters]
    lap = report.lap("lecture et analyse du Markdown", lap)
    site = build_nav(parsed)
    figures = AttentionFigures(config, problems)
    install_rules()
    pages: list[Page] = []
    assets: set[str] = set()
    for page, nav in zip(parsed, site.pages):
        page.env["content_root"] = config.content_path
        result = render_page(page, nav, site, problems, figures.renderer_for(page.chapter.source))
        pages.append(Page(nav, result.html))
        assets |= result.assets
        report.external_links += [(nav.source, href, line) for href, line in result.external_links]
    report.pages = len(pages) + 1  # chapters and the home page
    lap = report.lap("navigation et rendu HTML", lap)
    if problems.failed(strict) or not write:
        return _done(report, start)

    # Phase 2: templates into a staging folder; Phase 3: swap only if all went well.
    env = make_environment(config.templates_path)
    with build_lock(config.root, on_wait):
        try:
            with Staging(config.output_path) as staging:
                _write_site(staging, config, env, site, pages, assets, figures)
                if problems.failed(strict):
                    return _done(report, start)
                lap = report.lap("gabarits et écriture", lap)
                staging.commit()
                report.written = True
                report.lap("remplacement de site/", lap)
        except SiteError as exc:
            problems.add(exc)
        except OutputError as exc:
            problems.error(config.output_dir, 0, str(exc))
    return _done(report, start)


def _write_site(staging: Staging, config: Config, env, site: Site, pages: list[Page],
                assets: set[str], figures: AttentionFigures) -> None:
    tdir = config.templates_dir
    common = {"site": _site_context(config), "chapters": site.pages}
    sidebar = render_template(env, "partials/sidebar.html", {**common, "url": url_helper("index.html")}, tdir)
    home = render_template(env, "home.html", {**common, "page": _page_context("home", config.title, "index.html"),
                                              "sidebar": sidebar, "url": url_helper("index.html")}, tdir)
    staging.write("index.html", home, "templates/home.html")
    for page in pages:
        nav = page.nav
        marked = sidebar.replace(f'data-page="{nav.slug}"', f'data-page="{nav.slug}" aria-current="page"', 1)
        context = {**common, "page": _page_context("chapter", nav.title, nav.url, nav), "content": page.html,
                   "sidebar": marked, "url": url_helper(nav.url)}
        staging.write(nav.url, render_template(env, "chapter.html", context, tdir), nav.source)
    base = config.base_path if config.site_url else ""
    not_found = render_template(env, "404.html", {
        **common, "page": _page_context("404", "Page introuvable", "404.html"),
        "sidebar": render_template(env, "partials/sidebar.html", {**common, "url": url_helper("", base)}, tdir)
        if base else sidebar, "url": url_helper("404.html", base)}, tdir)
    staging.write("404.html", not_found, "templates/404.html")

    static = config.templates_path / "static"
    for path in sorted(p for p in static.rglob("*") if p.is_file()):
        staging.copy(f"static/{path.relative_to(static).as_posix()}", path)
    staging.write("static/pygments.css", postbuild.pygments_css(), "pygments")
    for rel in sorted(assets):
        staging.copy(rel, config.content_path / rel, f"{config.content_dir}/{rel}")
    for rel, data in figures.data_files():
        staging.write(rel, data, "content/_freeze")
    for rel, data in postbuild.extra_files(config, site):
        staging.write(rel, data, "postbuild")


def _site_context(config: Config) -> dict:
    from .typography import french

    return {"title": french(config.title), "subtitle": french(config.subtitle), "author": config.author,
            "date_fr": config.date_fr, "date_iso": config.date.isoformat() if config.date else "",
            "description": french(config.description), "language": config.language,
            "base_path": config.base_path, "site_url": config.site_url, "extra": config.extra}


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
    report.seconds = time.perf_counter() - start
    return report
