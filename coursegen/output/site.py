"""Stage 5, the rest of the site into staging once the chapter pages are there: the other pages, the theme's
static files, the files the chapters link to, the attention data, and the files derived from the whole course."""

from __future__ import annotations

from ..cache import Cache
from ..config import Config
from ..course.figures import AttentionFigures
from ..course.nav import PageNav, Site
from ..errors import SiteError
from ..markdown.sanitize import clean_svg
from ..pages.context import Download, Templates
from ..source.chapters import Chapter
from ..source.glossary import Entry
from ..yamlfile import link_outside
from . import extras
from .staging import Staging


def write_site(staging: Staging, config: Config, templates: Templates, site: Site, chapters: list[Chapter],
               rendered: list, figures: AttentionFigures, glossary: list[Entry], downloads: tuple[Download, ...],
               cache: Cache) -> None:
    """Everything but the chapter pages (written as they were rendered) and the search index."""
    for download in downloads:  # PDF/EPUB rendered by Quarto (``python build.py pdf`` only)
        staging.copy(f"telechargements/{download.name}", download.path, "quarto")
    for page in rendered:
        if page.template_error:  # raised here, as a one-process build would have
            raise SiteError(*page.template_error)
    used_in: dict[str, list[PageNav]] = {
        e.id: [nav for nav, page in zip(site.pages, rendered) if e.id in page.glossary_uses] for e in glossary}
    for rel, html, source in templates.site_pages(glossary, used_in):
        staging.write(rel, html, source)
    static = config.templates_path / "static"
    for path in sorted(static.rglob("*")):
        rel = f"static/{path.relative_to(static).as_posix()}"
        outside = link_outside(path, config.templates_path, f"{config.templates_dir}/{rel}", "du dossier des gabarits")
        if outside is not None:
            raise outside
        if path.is_file():
            staging.copy(rel, path)
    staging.write("static/pygments.css", cache.memo("pygments-css", lambda: extras.pygments_css().encode()),
                  "pygments")
    favicon = {config.favicon} if config.favicon else set()  # a Quarto project's own (``_quarto.yml``)
    for rel in sorted({asset for page in rendered for asset in page.assets} | favicon):
        data = (config.content_path / rel).read_bytes()
        if rel.lower().endswith(".svg"):  # without its scripts, as the linking page's warning said
            data = clean_svg(data)[0] or b""
        staging.write(rel, data, f"{config.content_dir}/{rel}")
    for rel, data in figures.data_files():
        staging.write(rel, data, "content/_freeze")
    social = cache.memo(("social", config.title, config.subtitle, config.author, config.site_url),
                        lambda: extras.social_image(config))
    for rel, data in extras.extra_files(config, site, chapters, social, glossary=glossary):
        staging.write(rel, data, "coursegen/output/extras.py")
