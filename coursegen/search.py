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

from .errors import SiteError
from .output import write_file

INDEX_DIR = "pagefind"
DOCS_DIR = ".cache/recherche"     # the documents Pagefind reads, kept between builds (``SearchDocs``)
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


class SearchDocs:
    """The documents Pagefind reads, stored by content hash so that unchanged pages are never written again.

    In ``.cache/recherche/`` when the cache is on, else in a temporary folder. Render workers ``add`` the
    documents of the pages they render; Pagefind reads a folder of hard links named by page URL (``snapshot``),
    since it takes each result's address from the file's path.
    """

    def __init__(self, folder: Path | None) -> None:
        self.temporary = folder is None
        self.path = Path(tempfile.mkdtemp(prefix="atelier-recherche-")) if folder is None else folder

    def add(self, document: str) -> str:
        """Store one page's document (as ``search_document`` made it); its key for ``has`` and ``snapshot``."""
        import hashlib

        data = indexable(document).encode("utf-8")
        key = hashlib.sha256(data).hexdigest()[:40]
        if not (self.path / key).is_file():
            write_file(self.path, key, data)
        return key

    def has(self, key: str) -> bool:
        return bool(key) and (self.path / key).is_file()

    def snapshot(self, keys: dict[str, str], folder: Path) -> Path:
        """``{url: key}`` as files named by URL under ``folder``: links, or copies where links are refused."""
        try:
            for url, key in sorted(keys.items()):
                target = folder / url
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(self.path / key, target)
                except OSError:
                    shutil.copyfile(self.path / key, target)
        except OSError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise SiteError(DOCS_DIR, 0, f"documents de recherche illisibles ({exc.strerror})",
                            "supprimez le dossier .cache puis relancez la construction") from None
        return folder

    def prune(self, keys: set[str]) -> None:
        """After a successful build: drop documents no page of it uses."""
        if self.temporary or not self.path.is_dir():
            return
        for entry in self.path.iterdir():
            if entry.name not in keys:
                entry.unlink(missing_ok=True)

    def close(self) -> None:
        if self.temporary:
            shutil.rmtree(self.path, ignore_errors=True)


def build_index(docs: SearchDocs, keys: dict[str, str], staging, language: str = "fr", cache=None,
                later: bool = False) -> PendingIndex | None:
    """Index the pages ``{url: document key}`` into ``staging/pagefind``; any failure stops the build.

    The index of the previous site (in a seeded ``Staging``) is kept as it is when it was made from the very
    same documents; else an index saved in ``coursegen.cache.Cache`` for those documents is copied (each file
    checked against its SHA-256); else Pagefind runs (seconds for a thousand pages).

    ``later=True`` (``serve``, and ``build`` on an existing site): when the documents changed and the previous
    site has an index, that index is kept for now and the function returned builds the fresh one into a given
    folder, to be put in place with ``replace_index`` once the pages are. Without it, a build's index always
    matches its pages before the swap.
    """
    from .cache import digest

    saved = cache.folder("search", digest("pagefind", language, sorted(keys.items()))) if cache else None
    target = staging.path / INDEX_DIR
    if saved is not None and _is_current(saved, target):
        staging.adopt(INDEX_DIR, "pagefind")
        return None
    if later and (target / "pagefind.js").is_file():
        staging.adopt(INDEX_DIR, "pagefind")
        return PendingIndex(docs.snapshot(keys, Path(tempfile.mkdtemp(prefix="atelier-recherche-"))), saved, language)
    staging.clear(INDEX_DIR)
    if saved is None or not _restore(saved, target):
        with tempfile.TemporaryDirectory(prefix="atelier-recherche-") as tmp:
            _run_pagefind(docs.snapshot(keys, Path(tmp)), staging.path, language)
        if saved is not None:
            _save(target, saved)
    staging.adopt(INDEX_DIR, "pagefind")
    return None


class PendingIndex:
    """The index of a build's pages, to be made once they are in place, from a snapshot of their documents.

    Calling it builds the index into a folder (then ``replace_index``); a build that stops before that calls
    ``discard``, which leaves nothing behind unless the index was handed over (``serve``'s background thread).
    """

    def __init__(self, snapshot: Path, saved: Path | None, language: str) -> None:
        self.snapshot, self.saved, self.language = snapshot, saved, language
        self.handed_over = False

    def __call__(self, folder: Path) -> Path:
        try:
            _run_pagefind(self.snapshot, folder, self.language)
        finally:
            shutil.rmtree(self.snapshot, ignore_errors=True)
        if self.saved is not None:
            _save(folder / INDEX_DIR, self.saved)
        return folder / INDEX_DIR

    def hand_over(self) -> "PendingIndex":
        self.handed_over = True
        return self

    def discard(self) -> None:
        if not self.handed_over:
            shutil.rmtree(self.snapshot, ignore_errors=True)


def replace_index(site_dir: Path, fresh: Path) -> None:
    """Put a freshly built index in place of ``site_dir/pagefind`` (the caller holds the build lock).

    Its files are linked, not copied, so that they keep the identity ``_save`` recorded for the next build.
    """
    from .output import _exchange, _link_tree

    new, old = site_dir / f".{INDEX_DIR}-nouveau", site_dir / f".{INDEX_DIR}-ancien"
    for leftover in (new, old):
        shutil.rmtree(leftover, ignore_errors=True)
    new.mkdir()
    if not _link_tree(fresh, new):
        shutil.rmtree(new)
        shutil.copytree(fresh, new)
    current = site_dir / INDEX_DIR
    if current.exists() and _exchange(new, current):
        shutil.rmtree(new)
        return
    if current.exists():
        os.rename(current, old)
    os.rename(new, current)
    shutil.rmtree(old, ignore_errors=True)


def _save(index: Path, saved: Path) -> None:
    """Keep a copy of ``index`` in the cache, with each file's SHA-256 and the identity of the file itself."""
    import hashlib

    from .output import file_stamp

    files = sorted(p for p in index.rglob("*") if p.is_file())
    manifest = {"files": {p.relative_to(index).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files},
                "site": {p.relative_to(index).as_posix(): file_stamp(p) for p in files}}
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


def _manifest(saved: Path) -> dict:
    try:
        manifest = json.loads((saved / _MANIFEST).read_text(encoding="utf-8"))
        files, site = manifest["files"], manifest["site"]
        if not (isinstance(files, dict) and isinstance(site, dict) and files and set(files) == set(site)):
            return {}
        for rel in files:
            if rel.startswith("/") or ".." in rel.split("/"):
                return {}
        return manifest
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _is_current(saved: Path, target: Path) -> bool:
    """Whether ``target`` (the previous site's index, seeded) holds exactly the files ``_save`` recorded."""
    from .output import file_stamp

    site = _manifest(saved).get("site")
    if not site or not target.is_dir():
        return False
    present = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    return present == set(site) and all(file_stamp(target / rel) == stamp for rel, stamp in site.items())


def _restore(saved: Path, target: Path) -> bool:
    """Copy a saved index into ``target`` if every file is there and intact; else leave nothing behind."""
    import hashlib

    files = _manifest(saved).get("files")
    try:
        if not files:
            raise ValueError("manifeste")
        for rel, checksum in files.items():
            data = (saved / rel).read_bytes()
            if hashlib.sha256(data).hexdigest() != checksum:
                raise ValueError(rel)
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            (target / rel).write_bytes(data)
        return (target / "pagefind.js").is_file()
    except (OSError, ValueError):
        shutil.rmtree(target, ignore_errors=True)
        return False


def _run_pagefind(source: Path, output_dir: Path, language: str) -> None:
    """Index the documents under ``source`` into ``output_dir/pagefind``."""
    binary = _executable()
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
