"""Files derived from the built pages: Pygments stylesheet, sitemap, robots.txt, .nojekyll."""

from __future__ import annotations

from functools import lru_cache
from xml.sax.saxutils import escape

from .config import Config
from .nav import Site

LIGHT_STYLE = "default"
DARK_STYLE = "github-dark"


@lru_cache(maxsize=1)
def pygments_css() -> str:
    """Light rules by default; dark rules for the OS preference and for the explicit dark theme."""
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style=LIGHT_STYLE).get_style_defs(".highlight")
    dark_formatter = HtmlFormatter(style=DARK_STYLE)
    dark_os = dark_formatter.get_style_defs(':root:not([data-theme="light"]) .highlight')
    dark_toggle = dark_formatter.get_style_defs('[data-theme="dark"] .highlight')
    return (f"/* Pygments {LIGHT_STYLE} / {DARK_STYLE}, generated at build time */\n{light}\n"
            f"@media (prefers-color-scheme: dark) {{\n{dark_os}\n}}\n{dark_toggle}\n")


def extra_files(config: Config, site: Site) -> list[tuple[str, str]]:
    """``.nojekyll`` always; ``sitemap.xml`` and ``robots.txt`` when the public address is known."""
    files = [(".nojekyll", "")]
    if config.site_url:
        urls = [config.site_url] + [config.site_url + page.url for page in site.pages]
        entries = "".join(f"  <url><loc>{escape(u)}</loc></url>\n" for u in urls)
        files.append(("sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>\n'
                      '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                      f"{entries}</urlset>\n"))
        files.append(("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {config.site_url}sitemap.xml\n"))
    return files
