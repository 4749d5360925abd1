"""Files derived from the course once its pages are known: Pygments stylesheet, social image, sitemap,
robots.txt, CNAME, llms.txt with a plain Markdown copy of each chapter, and .nojekyll."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from ..cache import Cache
from ..config import CONFIG_NAME, Config
from ..errors import Problems
from ..source.glossary import GLOSSARY_PAGE
from ..course.nav import Site
from ..pages.context import SOCIAL_IMAGE, footer_html
from ..markdown.parse import site_text
from ..text import french
from .social import drawable, social_png

LIGHT_STYLE = "xcode"  # every token colour ≥ 4.5:1 on the code background (axe colour-contrast)
DARK_STYLE = "lightbulb"  # likewise on the dark code background


@lru_cache(maxsize=1)
def pygments_css() -> str:
    """Light rules by default; dark rules for the OS preference and for the explicit dark theme."""
    from pygments.formatters import HtmlFormatter

    light = _compact(HtmlFormatter(style=LIGHT_STYLE).get_style_defs(".highlight"))
    dark_formatter = HtmlFormatter(style=DARK_STYLE)
    dark_os = _compact(dark_formatter.get_style_defs(':root:not([data-theme="light"]) .highlight'))
    dark_toggle = _compact(dark_formatter.get_style_defs('[data-theme="dark"] .highlight'))
    return (f"/* Pygments {LIGHT_STYLE} / {DARK_STYLE}, generated at build time */\n{light}\n"
            f"@media (prefers-color-scheme: dark) {{\n{dark_os}\n}}\n{dark_toggle}\n")


def check(config: Config, problems: Problems, cache: Cache) -> None:
    """Publication settings that cannot be checked key by key, checked before any page is rendered.

    ``cache`` (``coursegen.cache.Cache``): the glyphs the social image's font lacks, looked up once per
    title, subtitle and author (drawing them with Pillow costs a tenth of a second on every build).
    """
    if config.cname and config.site_url:
        host = urlsplit(config.site_url).hostname or ""
        if host != config.cname:
            problems.warn(CONFIG_NAME, 0, f"« cname » ({config.cname}) ne correspond pas à l'adresse du site "
                          f"({config.site_url}) : les liens canoniques et le plan du site viseraient un autre domaine",
                          f"mettez site_url: \"https://{config.cname}/\" ou retirez « cname »")
    for item in footer_html(config)[1]:
        where = (config.quarto_project, config.quarto_lines["page_footer"]) if "page_footer" in config.quarto_lines \
            else (CONFIG_NAME, config.key_lines.get("page_footer", 0))
        problems.warn(*where, f"pied de page (page-footer) : {item.message}",
                      item.hint)
    import importlib.util
    import json

    if importlib.util.find_spec("PIL") is None:
        problems.error("requirements.txt", 0, "le paquet Pillow manque : l'image de partage ne peut pas être dessinée",
                       "installez les dépendances : .venv/bin/python -m pip install -r requirements.txt")
        return
    texts = [("title", config.title), ("subtitle", config.subtitle), ("author", config.author)]

    def missing_glyphs() -> bytes:
        return json.dumps([drawable(site_text(text).text if key != "author" else french(text))[1]
                           for key, text in texts]).encode("utf-8")
    found = json.loads(cache.memo(("glyphes", texts), missing_glyphs))
    for (key, _), missing in zip(texts, found):
        if missing:
            shown = " ".join(dict.fromkeys(missing))
            problems.warn(CONFIG_NAME, 0, f"« {key} » : caractère(s) absent(s) de la police de l'image sociale : "
                          f"{shown} (remplacés par la lettre de base ou omis)",
                          "voir coursegen/output/fonts/LICENSE.txt pour ajouter des caractères à la police")


_RULE = re.compile(r"^(?P<selector>[^{]+?)\s*\{\s*(?P<body>[^}]*?)\s*\}")


def _compact(defs: str) -> str:
    """Pygments rules without what the site does not use (line numbers, the block background, which
    site.css sets per theme, comments), token classes sharing a colour grouped into one rule."""
    groups: dict[str, list[str]] = {}
    for line in defs.splitlines():
        rule = _RULE.match(line)
        if rule is None:
            continue
        selector, body = rule.group("selector"), rule.group("body")
        if selector.startswith(("pre", "td.linenos", "span.linenos")) or selector.endswith(".highlight"):
            continue
        groups.setdefault(body, []).append(selector)
    return "\n".join(f"{', '.join(selectors)} {{ {body} }}" for body, selectors in groups.items())


def extra_files(config: Config, site: Site, chapters: list, social: bytes | None = None,
                glossary: list | tuple = ()) -> list[tuple[str, str | bytes]]:
    """Every file derived from the course as a whole; ``chapters`` are the published sources, in order;
    ``social``: ``social_image(config)`` if the caller already has it (from the build cache)."""
    files: list[tuple[str, str | bytes]] = [(".nojekyll", ""),
                                            (SOCIAL_IMAGE, social if social is not None else social_image(config))]
    files += markdown_copies(site, chapters)
    if glossary:
        files.append((markdown_name(GLOSSARY_PAGE), glossary_markdown(glossary)))
    files.append(("llms.txt", llms_txt(config, site, bool(glossary))))
    if config.cname:
        files.append(("CNAME", config.cname + "\n"))
    if config.site_url:
        files.append(("sitemap.xml", sitemap(config, site, [GLOSSARY_PAGE] if glossary else [])))
        files.append(("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {config.site_url}sitemap.xml\n"))
    return files


def sitemap(config: Config, site: Site, extra_pages: list[str] = ()) -> str:
    from xml.sax.saxutils import escape  # imports urllib.request: only for sites that have an address

    urls = [config.site_url] + [config.site_url + url for url in [p.url for p in site.pages] + list(extra_pages)
                                if url != "index.html"]
    entries = "".join(f"  <url><loc>{escape(u)}</loc></url>\n" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{entries}</urlset>\n")


def social_image(config: Config) -> bytes:
    """The Open Graph image: course title, subtitle, and « author — host/path » when the address is known."""
    where = re.sub(r"^https?://", "", config.site_url).rstrip("/")
    footer = " — ".join(part for part in (config.author, where) if part)
    title, subtitle = (drawable(site_text(text).text)[0] for text in (config.title, config.subtitle))
    footer = drawable(french(footer))[0]
    return social_png(title, subtitle, footer)


def markdown_name(page_url: str) -> str:
    """``bases.html`` -> ``bases.md``: the plain Markdown copy published beside each chapter."""
    return page_url.removesuffix(".html") + ".md"


_MD_LINK = re.compile(r"(\]\(\s*<?)([^\s()<>#]+)(?=[#>)\s])")  # ](target: a chapter file is renamed to its copy


def markdown_copies(site: Site, chapters: list) -> list[tuple[str, str]]:
    """Each chapter as plain Markdown for AI tools (as Quarto's llms-txt): front matter dropped, the title
    as ``# …``, links to other chapters pointed at their copies."""
    by_source = {chapter.source: chapter for chapter in chapters}
    names = {name: markdown_name(page.url) for name, page in site.by_name.items()}

    def relink(match: re.Match) -> str:
        return match.group(1) + names.get(match.group(2), match.group(2))
    copies = []
    for page in site.pages:
        chapter = by_source[page.source]
        body = chapter.body.strip("\n")
        if "](" in body:
            body = _MD_LINK.sub(relink, body)
        title = f"{page.number} {page.title}" if page.number else page.title
        copies.append((markdown_name(page.url), f"# {title}\n\n{body}\n"))
    return copies


def glossary_markdown(entries) -> str:
    """The glossary as plain Markdown, beside glossaire.html (same order, same wording)."""
    lines = ["# Glossaire", ""]
    for entry in entries:
        english = f" (*{entry.english}*)" if entry.english else ""
        lines += [f"**{entry.term}**{english}", f": {entry.definition}", ""]
    return "\n".join(lines)


def llms_txt(config: Config, site: Site, has_glossary: bool = False) -> str:
    """The llms.txt index (https://llmstxt.org): title, summary, then one line per chapter copy."""
    lines = [f"# {site_text(config.title).text}", ""]
    if config.description:
        lines += [f"> {site_text(config.description).text}", ""]
    about = [site_text(config.subtitle).text, french(f"Auteur : {config.author}.") if config.author else "",
             f"Édition du {config.date_fr}." if config.date_fr else ""]
    if any(about):
        lines += [" ".join(part if part.endswith(".") else part + "." for part in about if part), ""]
    lines += ["Chaque chapitre est publié en page web et en Markdown brut ; les liens ci-dessous mènent au Markdown.", "",
              "## Chapitres", ""]
    for page in site.pages:
        title = f"{page.number} {page.title}" if page.number else page.title
        summary = f": {page.description}" if page.description else ""
        lines.append(f"- [{title}]({config.site_url}{markdown_name(page.url)}){summary}")
    if has_glossary:
        lines += ["", "## Glossaire", "",
                  f"- [Glossaire]({config.site_url}{markdown_name(GLOSSARY_PAGE)}): les termes du cours et leur définition"]
    return "\n".join(lines) + "\n"
