"""Stage 4, the site's templates: one Jinja2 environment per build and the context each kind of page gets.

Template context, for theme authors (every page):
  site         -- title, subtitle, description (plain text) and their *_html (inline HTML: `code`, emphasis),
                  author, date_fr, date_iso, language, base_path, site_url,
                  extra (config.yaml's free-form data), social_image, footer (left/center/right HTML of
                  page_footer, sanitised; empty: the tool's footer), favicon ("" : the theme's)
  page         -- kind ("home" | "chapter" | "search" | "glossary" | "404"), title (plain text), title_html
                  (inline HTML: `code`, emphasis), subtitle_html, authors, date, url, number, description (text),
                  description_html,
                  toc (sections: level, id, text, html, number), prev, next, source, anchor (id of the title),
                  repo_links (action, label, url: Quarto's repo-actions)
  chapters     -- the course's pages in order (slug, url, title, title_html, number, description,
                  description_html, toc; opens: the group titles the sidebar opens before the page, depth, part,
                  nav_title: Quarto parts, sections and menus)
  downloads    -- PDF/EPUB links (url, format, size); glossary_url -- "" without a glossary
  sidebar      -- the course sidebar's HTML; ui -- the French interface strings (pages/ui.py)
  url(path)    -- a link to a site file, relative to the current page (absolute under site_url on 404)
  content      -- chapter pages only: the chapter's HTML
  entries, used_in -- glossary page only: the entries, and the pages that use each one
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path


from ..cache import Cache
from ..config import Config
from ..course.nav import PageNav, Site
from ..errors import SiteError
from ..markdown.sanitize import clean_html
from ..source.glossary import GLOSSARY_PAGE, Entry
from ..markdown.parse import engine, site_text
from .templates import Sidebar, make_environment, render_template, url_helper

SOCIAL_IMAGE = "static/social.png"
JINJA_CACHE = ".cache/jinja"


@dataclass(frozen=True)
class Download:
    name: str    # "cours.pdf"
    path: Path   # the file to copy into telechargements/


class Templates:
    """The templates of one build (or of one worker process): environment, shared context, sidebars."""

    def __init__(self, config: Config, site: Site, downloads: tuple[Download, ...], glossary: list[Entry],
                 cache: Cache, nav_key: str = "") -> None:
        self.config = config
        self.cache = cache
        self.nav_key = nav_key  # signature and navigation: the sidebar is cached under it
        bytecode = config.root / JINJA_CACHE if cache.enabled else None
        self.env = make_environment(config.templates_path, bytecode)
        links = [{"url": f"telechargements/{d.name}", "format": d.name.rsplit(".", 1)[-1].upper(),
                  "size": f"{max(1, round(d.path.stat().st_size / 1024))} Ko"} for d in downloads]
        self.common = {"site": site_context(config), "chapters": site.pages, "downloads": links,
                       "glossary_url": GLOSSARY_PAGE if glossary else ""}
        self._sidebars: dict[tuple[str, str], Sidebar] = {}
        self.home_page = any(p.url == "index.html" for p in site.pages)  # a Quarto project's index.qmd

    def render(self, template: str, kind: str, title: str, url: str, nav: PageNav | None = None,
               current: str = "", base: str = "", **extra) -> str:
        """One page: ``current`` is the slug marked in the sidebar; ``base`` makes links absolute (404)."""
        page = {"kind": kind, "title": title, "url": url, "title_html": nav.title_html if nav else html.escape(title),
                "subtitle_html": nav.subtitle_html if nav else "",
                "description_html": nav.description_html if nav else "", "authors": nav.authors if nav else (),
                "date": nav.date if nav else "",
                "number": nav.number if nav else "", "description": nav.description if nav else "",
                "toc": [s for s in nav.toc if s.level <= nav.toc_depth] if nav else [], "prev": nav.prev if nav else None,
                "next": nav.next if nav else None, "source": nav.source if nav else "",
                "anchor": nav.anchor if nav else "", "repo_links": repo_links(self.config, nav) if nav else []}
        sidebar = self.sidebar(base, "" if base else posixpath.dirname(url)).for_page(current)
        context = {**self.common, "page": page, **extra, "sidebar": sidebar, "url": url_helper(url, base)}
        return render_template(self.env, template, context, self.config.templates_dir)

    def chapter(self, nav: PageNav, body: str) -> str:
        return self.render("chapter.html", "chapter", nav.title, nav.url, nav, current=nav.slug, content=body)

    def sidebar(self, base: str = "", folder: str = "") -> Sidebar:
        """The course sidebar, rendered once per state of the course, base path and folder of the page (its
        links are relative to it), then cached: listing a thousand chapters takes a tenth of a second."""
        key = (base, folder)
        if key not in self._sidebars:
            def render() -> bytes:
                here = url_helper("", base) if base else url_helper(posixpath.join(folder, "index.html"))
                return render_template(self.env, "partials/sidebar.html", {**self.common, "url": here},
                                       self.config.templates_dir).encode("utf-8")
            memo_key = ("sidebar", self.nav_key, base) + ((folder,) if folder else ())
            html = self.cache.memo(memo_key, render) if self.nav_key else render()
            self._sidebars[key] = Sidebar(html.decode("utf-8"))
        return self._sidebars[key]

    def site_pages(self, glossary: list[Entry], used_in: dict[str, list[PageNav]]) -> list[tuple[str, str, str]]:
        """Home, search, glossary and 404 pages as (path, HTML, the source named in output errors)."""
        pages = [] if self.home_page else [
            ("index.html", self.render("home.html", "home", self.config.title, "index.html"), "templates/home.html")]
        pages += [("recherche.html", self.render("search.html", "search", "Recherche", "recherche.html"),
                  "templates/search.html")]
        if glossary:
            pages.append((GLOSSARY_PAGE, self.render("glossary.html", "glossary", "Glossaire", GLOSSARY_PAGE,
                                                     current="glossaire", entries=glossary, used_in=used_in),
                          "content/glossaire.yaml"))
        base = self.config.base_path if self.config.site_url else ""
        pages.append(("404.html", self.render("404.html", "404", "Page introuvable", "404.html", base=base),
                      "templates/404.html"))
        return pages


REPO_ACTIONS = {"edit": ("Modifier cette page", "edit"), "source": ("Voir le code source", "blob"),
                "issue": ("Signaler un problème", "")}


def repo_links(config: Config, nav: PageNav) -> list[dict[str, str]]:
    """Quarto's ``repo-actions`` under a chapter: edit it, see its source, report a problem on the repository."""
    if not config.repo_url:
        return []
    out = []
    for action in config.repo_actions:
        label, verb = REPO_ACTIONS[action]
        path = f"{config.repo_subdir.strip('/')}/{nav.name}" if config.repo_subdir.strip("/") else nav.name
        href = f"{config.repo_url}/{verb}/{config.repo_branch}/{path}" if verb else f"{config.repo_url}/issues/new"
        out.append({"action": action, "label": label, "url": href})
    return out




def footer_html(config: Config) -> tuple[dict[str, str], list[SiteError]]:
    """``page-footer`` (left, center, right) as sanitised HTML, and what the sanitiser removed."""
    out: dict[str, str] = {}
    removed: list[SiteError] = []
    for side in ("left", "center", "right"):
        text = config.page_footer.get(side, "")
        if not text:
            continue
        # inline Markdown (with {.class} attributes) and HTML, as Quarto's page-footer; then the allow-list
        cleaned, dropped = clean_html(engine().renderInline(text, {}).strip())
        removed += dropped
        out[side] = f'<ul class="footer-list">{cleaned}</ul>' if re.match(r"\s*<li\b", cleaned) else cleaned
    return out, removed


def site_context(config: Config) -> dict:
    title, subtitle, description = (site_text(text) for text in (config.title, config.subtitle, config.description))
    return {"footer": footer_html(config)[0], "favicon": config.favicon, "title": title.text, "title_html": title.html, "subtitle": subtitle.text, "subtitle_html": subtitle.html,
            "author": config.author, "date_fr": config.date_fr, "date_iso": config.date.isoformat() if config.date else "",
            "description": description.text, "description_html": description.html, "language": config.language,
            "base_path": config.base_path, "site_url": config.site_url, "extra": config.extra,
            "social_image": SOCIAL_IMAGE}
