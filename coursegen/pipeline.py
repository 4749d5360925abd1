"""The build, top to bottom, one call per stage: read the sources, parse, lay out the course, render the pages
into a staging folder beside ``site/``, write the rest, swap it into place. On any error the previous site
stays exactly as it was, with one deliberate exception, the search index under ``IndexTiming.AFTER_SWAP``
(see ``output.search``)."""

from __future__ import annotations

import time
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from .cache import Cache, digest, own_folder, tree_digest
from .config import Config, load_for_build
from .course.figures import FREEZE_DIR, SPECS_FILE, AttentionFigures
from .course.nav import site_nav
from .errors import Problems, SiteError, UserError
from .markdown.constructs import count_constructs, count_shortcodes, frozen_pages
from .markdown.lint import check_pages
from .output import extras
from .output.search import DOCS_DIR, SCRATCH_DIR, IndexTiming, PendingIndex, SearchDocs, after_swap, build_index, \
    clean_scratch
from .output.site import write_site
from .output.staging import Staging, build_lock, os_problem, shown_path
from .pages.context import Download, Templates
from .pages.html import publishable
from .source.chapters import load_chapters
from .source.freeze import load_freeze
from .source.glossary import load_glossary
from .source.includes import expand_all
from .source.values import load_values
from .speed.batch import ChapterBatch, RenderContext


@dataclass(frozen=True)
class Options:
    """How to build: what a command asks for, besides the project's own config."""

    strict: bool = False                  # warnings count as errors
    write: bool = True                    # False: ``check`` (nothing written, no lock)
    lint: bool = False                    # ``check``: authoring mistakes the page would still show
    jobs: int = 0                         # processes that parse and render (0: one per core, for large courses)
    cache: bool = True                    # reuse ``.cache/build/`` (the bytes are the same)
    index: IndexTiming = IndexTiming.BEFORE_SWAP
    downloads: tuple[Download, ...] = ()  # PDF/EPUB made by ``pdf``, linked from the home page
    on_wait: Callable[[], None] | None = None  # told when another build holds the lock


@dataclass
class BuildReport:
    problems: Problems
    output: Path | None = None
    pages: int = 0
    seconds: float = 0.0
    written: bool = False
    external_links: list[tuple[str, str, int]] = field(default_factory=list)  # (file, address, line)
    timings: list[tuple[str, float]] = field(default_factory=list)           # (stage, seconds) for -v
    pending_index: PendingIndex | None = None  # ``IndexTiming.BACKGROUND``: the index for the caller to make
    config: Config | None = None  # what was built (the summary tells where a deduced site_url came from)
    constructs: dict[str, int] | None = None   # ``check`` of a Quarto project: the constructs found (by name)
    started: float = field(default_factory=time.perf_counter, repr=False)

    def lap(self, stage: str) -> None:
        self.seconds = time.perf_counter() - self.started
        self.timings.append((stage, self.seconds - sum(t for _, t in self.timings)))


def build(config: Config, options: Options, problems: Problems | None = None) -> BuildReport:
    """Build the site of ``config``; see the module docstring for what is kept on failure. ``problems``: those
    found before (the config's), which count for ``--strict`` as the build's own."""
    problems = problems if problems is not None else Problems()
    report = BuildReport(problems, config.output_path, config=config)
    chapters, maps = expand_all(load_chapters(config, problems), config.root, problems,  # 1. source
                                load_values(config, problems))
    chapters = [replace(ch, frozen=load_freeze(ch.source, config, problems)) for ch in chapters]  # Quarto's outputs
    glossary = load_glossary(config.content_path, config.content_dir, problems)
    figures = AttentionFigures(config)
    cache = Cache(config.root if options.cache and options.write and not options.lint else None)
    with ExitStack() as stack:
        try:
            staging, docs = _open_output(stack, config, cache, options)
            context = RenderContext(config, figures, glossary, options.downloads,
                                    _signature(config, glossary, options.downloads, chapters) if cache.enabled else "",
                                    staging.path if staging else None, docs, cache)
            batch = stack.enter_context(ChapterBatch(chapters, maps, context, 1 if options.lint else options.jobs))
            parsed = batch.parse(problems)                                                # 2. markdown
            report.lap("lecture et analyse du Markdown")
            if options.lint and config.quarto_project:  # before rendering, which rewrites some tokens
                found = count_constructs(p.tokens for p in parsed if p.tokens is not None)
                found["freeze"] = frozen_pages((config.root / config.quarto_project).parent)
                for source in sorted({f for m in maps.values() for f, _ in m.lines} | {c.source for c in chapters}):
                    found.update(count_shortcodes((config.root / source).read_text(encoding="utf-8", errors="replace")))
                report.constructs = dict(found)
            site = site_nav(parsed, config)                                               # 3. course
            extras.check(config, problems, cache)
            figures.preload(parsed, problems)
            rendered = batch.render(site, staging, problems)                              # 4. pages
            batch.close()  # the forked workers are done: their memory is freed before Pagefind runs
            report.pages, report.external_links = len(rendered) + 1, batch.external_links(site, rendered)
            if options.lint:
                check_pages(parsed, problems, batch.place)
            report.lap("navigation et rendu HTML")
            if problems.failed(options.strict) or staging is None or docs is None:
                return report
            templates = Templates(config, site, options.downloads, glossary, cache, batch.nav_key)  # 5. output
            write_site(staging, config, templates, site, [p.chapter for p in parsed], rendered, figures, glossary,
                       options.downloads, cache)
            pending = build_index(docs, {nav.url: page.search for nav, page in zip(site.pages, rendered)}, staging,
                                  config.language, cache, later=options.index is not IndexTiming.BEFORE_SWAP)
            stack.callback(lambda: pending is not None and report.pending_index is None and pending.discard())
            report.lap("gabarits et écriture")
            staging.commit()                                                              # 6. swap
            report.written = True
            for folder, note in staging.notes:
                problems.add(note.at(shown_path(folder, config.root), severity="warning"))
            docs.prune({page.search for page in rendered})
            cache.prune()
            report.lap("remplacement de site/")
            report.pending_index = after_swap(pending, options.index, config.output_path, problems)
            if pending is not None and options.index is IndexTiming.AFTER_SWAP:
                report.lap("index de recherche (après les pages)")
        except SiteError as exc:
            problems.add(exc)
        except UserError as exc:
            problems.add(exc.at(config.output_dir))
        except OSError as exc:  # a full disk, no permission, a busy mount: the previous site is left as it was
            problems.add(os_problem(exc, config.root, config.output_dir))
        finally:
            report.seconds = time.perf_counter() - report.started
    return report


def build_project(root: Path, options: Options = Options(), output: Path | None = None,
                  site_url: tuple[str, str] | None = None, quarto: Path | None = None) -> BuildReport:
    """What the commands run: load the project's config (with ``--output`` and ``--site-url``; the Quarto
    project ``quarto`` where it stands with ``--quarto``), then build."""
    problems = Problems()
    config = load_for_build(root, problems, output, site_url, quarto)
    return build(config, options, problems) if config is not None else BuildReport(problems)


def _open_output(stack: ExitStack, config: Config, cache: Cache,
                 options: Options) -> tuple[Staging | None, SearchDocs | None]:
    """The build lock, the staging folder (seeded from the previous site when cached) and the search documents;
    none of them for ``check``."""
    if not options.write:
        return None, None
    stack.enter_context(build_lock(config.root, options.on_wait))
    staging = stack.enter_context(Staging(config.output_path, seed=cache.enabled, content=config.content_path))
    scratch = own_folder(config.root, SCRATCH_DIR) if cache.enabled else None
    if scratch is not None:
        clean_scratch(scratch)
    docs = SearchDocs(own_folder(config.root, DOCS_DIR) if scratch else None, scratch)
    stack.callback(docs.close)
    return staging, docs


def _signature(config: Config, glossary: list, downloads: tuple[Download, ...], chapters: list = ()) -> str:
    """What a chapter page depends on besides the course's navigation and its own source (cache key). Also
    the files whose link warns rather than fails (``pages.html._use_asset``): SVG files by content (what
    their published copy leaves out), the other files by name if their type is refused (while they exist); and
    the bibliographies and citation styles the chapters name, by content."""
    specs = config.content_path / SPECS_FILE
    content = config.content_path.resolve()
    output = config.output_path
    watched = sorted(p for p in config.content_path.rglob("*")
                     if (p.suffix.lower() == ".svg" or not publishable(p.name)) and not p.is_relative_to(output)
                     and not any(part.startswith(".") for part in p.relative_to(config.content_path).parts))
    return digest("site", repr(replace(config, output_dir="")), tree_digest(config.templates_path), glossary,
                  specs.read_bytes() if specs.is_file() else b"", tree_digest(config.content_path / FREEZE_DIR),
                  [(d.name, d.path.stat().st_size) for d in downloads],
                  [(rel, (config.root / rel).read_bytes()) for rel in sorted({
                      f for c in chapters if c.bibliography for f in (*c.bibliography.files, c.bibliography.csl) if f})
                   if (config.root / rel).is_file()],
                  [(p.relative_to(config.content_path).as_posix(), p.read_bytes() if p.suffix.lower() == ".svg"
                    else b"") for p in watched if p.is_file() and p.resolve().is_relative_to(content)])
