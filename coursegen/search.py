"""Full-text search: a Pagefind index of the chapters, built in the staging folder before the swap.

Pagefind folds accents (« modele » finds « modèle ») and stems French, but keeps an elided word in one
piece (« l’attention »). The copy it indexes therefore separates elisions with a hair space; the search
script strips elisions from queries and removes that space from excerpts. The published pages are unchanged.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

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


def build_index(pages: dict[str, str], output_dir: Path, language: str = "fr", cache=None,
                previous: Path | None = None) -> Callable[[Path], Path] | None:
    """Index ``{url: html}`` into ``output_dir/pagefind``; any failure stops the build.

    With a ``coursegen.cache.Cache``, an index made from the very same documents is copied instead of rebuilt
    (Pagefind takes seconds for a thousand pages); any file that does not match its recorded SHA-256 makes
    the copy void and the index is built again.

    ``previous`` is for ``serve`` only: the index of the site this build replaces. When the documents changed,
    it is copied as it is, and the function returned builds the fresh index into a given folder (to be run in
    the background, then put in place with ``replace_index``). ``build`` never passes it: a published site's
    index always matches its pages.
    """
    from .cache import digest

    saved = cache.folder("search", digest("pagefind", language, sorted(pages.items()))) if cache else None
    target = output_dir / INDEX_DIR
    if saved is not None and _restore(saved, target):
        return None
    if previous is not None and (previous / "pagefind.js").is_file():
        shutil.copytree(previous, target)

        def fresh(folder: Path) -> Path:
            _run_pagefind(pages, folder, language)
            if saved is not None:
                _save(folder / INDEX_DIR, saved)
            return folder / INDEX_DIR
        return fresh
    _run_pagefind(pages, output_dir, language)
    if saved is not None:
        _save(target, saved)
    return None


def replace_index(site_dir: Path, fresh: Path) -> None:
    """Put a freshly built index in place of ``site_dir/pagefind`` (the caller holds the build lock)."""
    new, old = site_dir / f".{INDEX_DIR}-nouveau", site_dir / f".{INDEX_DIR}-ancien"
    for leftover in (new, old):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.copytree(fresh, new)
    current = site_dir / INDEX_DIR
    if current.exists():
        os.rename(current, old)
    os.rename(new, current)
    shutil.rmtree(old, ignore_errors=True)


def _save(index: Path, saved: Path) -> None:
    import hashlib

    files = sorted(p for p in index.rglob("*") if p.is_file())
    manifest = {p.relative_to(index).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    tmp = saved.with_name(f".{saved.name}.tmp-{os.getpid()}")
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(index, tmp)
        (tmp / _MANIFEST).write_text(json.dumps(manifest, sort_keys=True), encoding="utf-8")
        shutil.rmtree(saved, ignore_errors=True)
        os.rename(tmp, saved)
    except OSError:  # read-only or full disk: the next build indexes again
        shutil.rmtree(tmp, ignore_errors=True)


_MANIFEST = ".manifest.json"


def _restore(saved: Path, target: Path) -> bool:
    """Copy a saved index into ``target`` if every file is there and intact; else leave nothing behind."""
    import hashlib

    try:
        manifest = json.loads((saved / _MANIFEST).read_text(encoding="utf-8"))
        for rel, checksum in manifest.items():
            if rel.startswith("/") or ".." in rel.split("/"):
                raise ValueError(rel)
            data = (saved / rel).read_bytes()
            if hashlib.sha256(data).hexdigest() != checksum:
                raise ValueError(rel)
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            (target / rel).write_bytes(data)
        return bool(manifest) and (target / "pagefind.js").is_file()
    except (OSError, ValueError, AttributeError):
        shutil.rmtree(target, ignore_errors=True)
        return False


def _run_pagefind(pages: dict[str, str], output_dir: Path, language: str) -> None:
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
