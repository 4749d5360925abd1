"""Full-text search: a Pagefind index of the chapters, built in the staging folder before the swap.

Pagefind folds accents (« modele » finds « modèle ») and stems French, but keeps an elided word in one
piece (« l’attention »). The copy it indexes therefore separates elisions with a hair space; the search
script strips elisions from queries and removes that space from excerpts. The published pages are unchanged.
"""

from __future__ import annotations

import html
import re
import subprocess
import tempfile
from pathlib import Path

from .errors import SiteError

INDEX_DIR = "pagefind"
TIMEOUT_SECONDS = 120
HAIR_SPACE = "\u200a"
_ELISION = re.compile(r"\b((?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)’)(?=\w)", re.IGNORECASE)


def indexable(html: str) -> str:
    """The copy of a page that Pagefind reads: « l’attention » becomes « l’ attention »."""
    return _ELISION.sub(lambda m: m.group(1) + HAIR_SPACE, html)


def search_document(title: str, number: str, body_html: str, language: str) -> str:
    """What Pagefind indexes for a chapter: its title and article body, not the navigation around it."""
    heading = html.escape(f"{number} {title}" if number else title)
    return (f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8"><title>{heading}</title></head>'
            f"<body><main data-pagefind-body><h1>{heading}</h1>\n{body_html}</main></body></html>")


def _executable() -> Path:
    try:
        from pagefind_bin import get_executable
    except ImportError:
        raise SiteError("requirements.txt", 0, "le moteur de recherche Pagefind n'est pas installé",
                        "lancez « bash scripts/build-site.sh » ou « pip install -r requirements.txt »") from None
    try:
        return get_executable()
    except FileNotFoundError as exc:
        raise SiteError("requirements.txt", 0, f"binaire Pagefind introuvable ({exc})",
                        "réinstallez le paquet pagefind-bin") from None


def build_index(pages: dict[str, str], output_dir: Path, language: str = "fr") -> None:
    """Index ``{url: html}`` into ``output_dir/pagefind``; any failure stops the build."""
    binary = _executable()
    with tempfile.TemporaryDirectory(prefix="atelier-recherche-") as tmp:
        source = Path(tmp)
        for url, html in pages.items():
            (source / url).parent.mkdir(parents=True, exist_ok=True)
            (source / url).write_text(indexable(html), encoding="utf-8")
        try:
            result = subprocess.run(
                [str(binary), "--site", str(source), "--output-path", str(output_dir / INDEX_DIR),
                 "--force-language", language, "--quiet"],
                capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise SiteError(INDEX_DIR, 0, f"l'index de recherche n'a pas été construit en {TIMEOUT_SECONDS} s",
                            "relancez la construction ; si cela persiste, signalez-le") from None
        except OSError as exc:
            raise SiteError(INDEX_DIR, 0, f"Pagefind n'a pas pu être lancé ({exc.strerror})",
                            "réinstallez le paquet pagefind-bin") from None
    if result.returncode != 0 or not (output_dir / INDEX_DIR / "pagefind.js").is_file():
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["aucun message"]
        raise SiteError(INDEX_DIR, 0, f"échec de l'index de recherche : {detail[0]}",
                        "le site n'a pas été publié sans recherche ; corrigez puis relancez")
