#!/usr/bin/env python3
"""Page weight: what each page of the course costs a learner on first visit, gzip-compressed.

Builds the course into a temporary folder (or measures ``--site DIR``), then for every HTML page adds up
the page and what it loads before any interaction: its stylesheets, its scripts and its eager images.
Lazily loaded parts are listed apart and not counted: attention figure data (fetched when a figure comes
near), images with ``loading="lazy"`` and the search index (loaded by the search page on demand).

Budgets (issue 5): a page ≤ 60 KB transferred (gzip, level 6 as most web servers), the CSS a page loads
≤ 20 KB transferred (gzip; the uncompressed size, what the browser parses, is shown beside it), and no
render-blocking script besides the theme script (a few hundred bytes, run before the first paint so
that a dark page never flashes white). Exit status 1 if a budget is exceeded.

    .venv/bin/python benchmarks/page_weight.py [--site DIR]
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable
from urllib.parse import urljoin, urlsplit

REPO = Path(__file__).resolve().parent.parent
PAGE_BUDGET = 60 * 1024
CSS_BUDGET = 20 * 1024
ALLOWED_BLOCKING = {"static/theme.js"}


@dataclass
class Resources:
    css: list[str] = field(default_factory=list)
    js: list[str] = field(default_factory=list)
    blocking_js: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    lazy: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = Resources()
        self.in_head = False

    def handle_starttag(self, tag: str, attrs) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "head":
            self.in_head = True
        elif tag == "body":
            self.in_head = False
        elif tag == "link" and "stylesheet" in a.get("rel", "").split():
            self.found.css.append(a["href"])
        elif tag == "link" and "icon" in a.get("rel", "").split():
            self.found.images.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.found.js.append(a["src"])
            if self.in_head and "defer" not in a and "async" not in a and a.get("type") != "module":
                self.found.blocking_js.append(a["src"])
        elif tag == "img" and a.get("src") and not a["src"].startswith("data:"):
            (self.found.lazy if a.get("loading") == "lazy" else self.found.images).append(a["src"])
        elif a.get("data-src"):
            self.found.data.append(a["data-src"])


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def resolve(site: Path, page: str, href: str) -> tuple[str, Path]:
    rel = urlsplit(urljoin("/" + page, href)).path.lstrip("/")
    return rel, site / rel


def kb(n: int) -> str:
    return f"{n / 1024:6.1f}"


def measure(site: Path) -> int:
    pages = sorted(p.relative_to(site).as_posix() for p in site.glob("*.html"))
    over = 0
    print(f"Poids transféré par page (gzip niveau 6, en Ko) — {site}")
    print(f"{'page':24} {'HTML':>6} {'CSS':>6} {'JS':>6} {'images':>6} {'total':>6}   CSS brut   différé (non compté)")
    for page in pages:
        raw = (site / page).read_bytes()
        collector = _Collector()
        collector.feed(raw.decode("utf-8"))
        found = collector.found
        sizes = {"css": 0, "js": 0, "images": 0}
        css_raw = 0
        for kind in sizes:
            for href in getattr(found, kind):
                rel, path = resolve(site, page, href)
                if not path.is_file():
                    print(f"  {page}: {href} introuvable", file=sys.stderr)
                    over += 1
                    continue
                data = path.read_bytes()
                sizes[kind] += gz(data)
                if kind == "css":
                    css_raw += len(data)
        html = gz(raw)
        total = html + sum(sizes.values())
        deferred = sum(gz(resolve(site, page, h)[1].read_bytes()) for h in found.lazy + found.data
                       if resolve(site, page, h)[1].is_file())
        flags = []
        if total > PAGE_BUDGET:
            flags.append(f"> {PAGE_BUDGET // 1024} Ko")
        if sizes["css"] > CSS_BUDGET:
            flags.append(f"CSS > {CSS_BUDGET // 1024} Ko")
        blocking = [h for h in found.blocking_js if resolve(site, page, h)[0] not in ALLOWED_BLOCKING]
        if blocking:
            flags.append("JS bloquant : " + ", ".join(blocking))
        over += bool(flags)
        lazy = f"{kb(deferred).strip()} Ko ({len(found.lazy) + len(found.data)} fichiers)" if deferred else "—"
        print(f"{page:24} {kb(html)} {kb(sizes['css'])} {kb(sizes['js'])} {kb(sizes['images'])} {kb(total)}"
              f"   {kb(css_raw)}     {lazy}" + (f"   ⚠ {' ; '.join(flags)}" if flags else ""))
    index = site / "pagefind"
    if index.is_dir():
        files = [p for p in index.rglob("*") if p.is_file()]
        print(f"Index de recherche (chargé à la demande par la page de recherche) : {len(files)} fichiers, "
              f"{kb(sum(p.stat().st_size for p in files)).strip()} Ko sur disque")
    print(f"Budgets : page ≤ {PAGE_BUDGET // 1024} Ko (gzip), CSS ≤ {CSS_BUDGET // 1024} Ko (gzip), "
          "aucun script bloquant hormis theme.js. " + ("Tout est dans le budget." if not over
                                                       else f"{over} page(s) hors budget."))
    return 1 if over else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="mesurer ce site déjà construit au lieu de construire le cours")
    args = parser.parse_args()
    return measure(args.site) if args.site else on_built_course(measure)


def on_built_course(measure_site: Callable[[Path], int]) -> int:
    """Build this course into a temporary folder and run ``measure_site`` on it (the build's exit code if it fails)."""
    with tempfile.TemporaryDirectory(prefix="mesure-") as tmp:
        out = Path(tmp) / "site"
        result = subprocess.run([sys.executable, str(REPO / "build.py"), "--quiet", "--output", str(out)],
                                cwd=REPO, capture_output=True, text=True)
        if result.returncode:
            print(result.stderr, file=sys.stderr)
            return result.returncode
        return measure_site(out)


if __name__ == "__main__":
    sys.exit(main())
