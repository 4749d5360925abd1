"""Full-text search: a Pagefind index of the chapters, built in the staging folder before the swap, or,
when the text changed and the previous site has an index (``IndexTiming``), once the pages are in place.

Pagefind folds accents (« modele » finds « modèle ») and stems French, but keeps an elided word in one
piece (« l’attention »). The copy it indexes therefore separates elisions with a hair space; the search
script strips elisions from queries and removes that space from excerpts. The published pages are unchanged.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from enum import Enum
from pathlib import Path

from ..cache import digest
from ..errors import SiteError
from .staging import alive, file_sha256, file_stamp, link_tree, same_bytes, swap

INDEX_DIR = "pagefind"
SCRATCH_DIR = ".cache/tmp"        # temporary folders, on the same file system as the cache and site
DOCS_DIR = ".cache/recherche"     # the documents Pagefind reads, kept between builds (``SearchDocs``)
TIMEOUT_SECONDS = 120
KEY_LENGTH = 40                   # hexadecimal digits of a search document's SHA-256 that name it
HAIR_SPACE = "\u200a"
_ELISION = re.compile(r"\b((?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)’)(?=\w)", re.IGNORECASE)


class IndexTiming(Enum):
    """When the search index of pages whose text changed is made, if the previous site has one."""

    BEFORE_SWAP = "avant"        # before the swap: the site is never seen with a stale index
    AFTER_SWAP = "après"         # ``python build.py``: pages swapped in first, then the index, before returning
    BACKGROUND = "arrière-plan"  # ``serve``: the previous index stays; the caller builds the new one


def indexable(html: str) -> str:
    """The copy of a page that Pagefind reads: « l’attention » becomes « l’ attention »."""
    return _ELISION.sub(lambda m: m.group(1) + HAIR_SPACE, html)


def search_document(title: str, number: str, body_html: str, language: str, title_html: str = "") -> str:
    """What Pagefind indexes for a chapter: its title and article body, not the navigation around it. Results
    show the heading's text: `code` in a title is read without its backticks."""
    heading = html.escape(f"{number} {title}" if number else title)
    shown = (f"{html.escape(number)} " if number else "") + (title_html or html.escape(title))
    return (f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8"><title>{heading}</title></head>'
            f"<body><main data-pagefind-body><h1>{shown}</h1>\n{body_html}</main></body></html>")


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

    def __init__(self, folder: Path | None, scratch: Path | None = None) -> None:
        self.temporary = folder is None
        self.scratch = scratch  # where temporary folders go: beside the cache, so that hard links work
        self.path = self.temp_dir("atelier-recherche-") if folder is None else folder

    def temp_dir(self, prefix: str) -> Path:
        return temp_dir(self.scratch, prefix)

    def add(self, document: str) -> str:
        """Store one page's document (as ``search_document`` made it); its key for ``has`` and ``snapshot``."""
        data = indexable(document).encode("utf-8")
        key = hashlib.sha256(data).hexdigest()[:KEY_LENGTH]
        if not same_bytes(self.path / key, data):  # absent, or damaged since it was written: written again
            tmp = self.path / f".{key}.{os.getpid()}"
            self.path.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
            os.replace(tmp, self.path / key)
        return key

    def has(self, key: str) -> bool:
        """Whether the document named ``key`` is there and intact: its bytes hash to its name (else the page is
        rendered again, which writes it again)."""
        return len(key) == KEY_LENGTH and file_sha256(self.path / key)[:KEY_LENGTH] == key

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

    The index of the previous site (seeded into ``staging``) is kept as it is when the cache recorded that it
    was made from the very same documents and its files are still those files, byte for byte (``_record``);
    else Pagefind runs (seconds for a thousand pages).

    ``later=True`` (``serve``, and ``build`` on an existing site): when the documents changed and the previous
    site has an index, that index is kept for now and a ``PendingIndex`` is returned, to build the fresh one
    and install it once the pages are in place. Without it, a build's index always matches its pages before
    the swap.
    """
    documents = digest("pagefind", language, sorted(keys.items()))
    site_key = digest("pagefind-site", str(staging.output))  # the index last made for this output folder
    target = staging.path / INDEX_DIR
    recorded = cache.get("search", site_key) if cache is not None else None
    if _is_current(recorded, documents, target):
        staging.adopt(INDEX_DIR, "pagefind")
        return None
    record = (cache, site_key, documents) if cache is not None and cache.enabled else None
    if later and (target / "pagefind.js").is_file():
        staging.adopt(INDEX_DIR, "pagefind")
        snapshot = docs.temp_dir("atelier-recherche-")
        try:
            docs.snapshot(keys, snapshot / _DOCS)
        except SiteError:
            shutil.rmtree(snapshot, ignore_errors=True)
            raise
        _seed_unchanged(target, snapshot / _SEED, recorded)
        return PendingIndex(snapshot, record, language, docs.scratch)
    staging.clear(INDEX_DIR)
    tmp = docs.temp_dir("atelier-recherche-")
    try:
        _run_pagefind(docs.snapshot(keys, tmp), staging.path, language)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _record(target, record)
    staging.adopt(INDEX_DIR, "pagefind")
    return None


def after_swap(pending: "PendingIndex | None", timing: IndexTiming, site_dir: Path,
               problems) -> "PendingIndex | None":
    """Once the pages are in place: build and install a pending index now (``AFTER_SWAP``; a failure is
    reported as such, the pages being already up to date), or hand it to the caller (``BACKGROUND``)."""
    if pending is None or timing is IndexTiming.BACKGROUND:
        return pending
    try:
        pending.build()
        pending.install(site_dir)
    except SiteError as exc:
        problems.add(SiteError(exc.path, exc.line, exc.message, "les pages sont à jour mais la recherche porte "
                               "encore sur la version précédente ; relancez la construction", exc.severity))
    finally:
        pending.discard()
    return None


class PendingIndex:
    """The index of a build's pages, to be made once they are in place, from a snapshot of their documents.

    ``build()`` makes it in a folder of its own, ``install(site_dir)`` puts it in place (the caller holds the
    build lock), and ``discard()``, called in every case, removes the snapshot and that folder.
    """

    def __init__(self, snapshot: Path, record: tuple | None, language: str, scratch: Path | None = None) -> None:
        self.snapshot, self.record, self.language = snapshot, record, language
        self.scratch = scratch  # where the index is built (same file system as the site: links, not copies)
        self.folder: Path | None = None

    def build(self) -> None:
        self.folder = folder = temp_dir(self.scratch, "atelier-index-")
        try:
            seeded = self.snapshot / _SEED
            try:
                os.rename(seeded, folder / INDEX_DIR)
            except OSError:
                seeded = None  # none, or another file system: Pagefind writes every file
            _run_pagefind(self.snapshot / _DOCS, folder, self.language)
            if seeded is not None and not _drop_unreferenced(folder / INDEX_DIR):
                shutil.rmtree(folder / INDEX_DIR)
                _run_pagefind(self.snapshot / _DOCS, folder, self.language)
        finally:
            shutil.rmtree(self.snapshot, ignore_errors=True)
        _record(folder / INDEX_DIR, self.record)

    def install(self, site_dir: Path) -> None:
        assert self.folder is not None, "build() first"
        replace_index(site_dir, self.folder / INDEX_DIR)

    def discard(self) -> None:
        shutil.rmtree(self.snapshot, ignore_errors=True)
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def replace_index(site_dir: Path, fresh: Path) -> None:
    """Put a freshly built index in place of ``site_dir/pagefind`` (the caller holds the build lock).

    Its files are linked, not copied, so that they keep the identity ``_record`` noted for the next build.
    """
    new, old = site_dir / f".{INDEX_DIR}-nouveau", site_dir / f".{INDEX_DIR}-ancien"
    for leftover in (new, old):
        shutil.rmtree(leftover, ignore_errors=True)
    new.mkdir()
    if not link_tree(fresh, new):
        shutil.rmtree(new)
        shutil.copytree(fresh, new)
    swap(new, site_dir / INDEX_DIR, old)


_DOCS, _SEED = "documents", "index-precedent"
# Pagefind names these files by a hash of their content and does not write a file that is already there.
_HASHED_FOLDERS = ("fragment", "index", "filter")


def _seed_unchanged(previous: Path, seed: Path, recorded) -> None:
    """Links to the previous index's content-named files, which Pagefind then skips (1,000 pages: 2.4 s -> 1.6 s).

    Pagefind never rewrites a file that is already there, so only files whose bytes are still those
    ``_record`` noted when Pagefind wrote them are linked; a damaged one is left for Pagefind to write again.
    The files of pages that changed are left unused beside the new ones: ``_drop_unreferenced`` removes them.
    The other files (``pagefind.js``, the entry point…) are rewritten in place by Pagefind: never linked.
    """
    files = recorded.get("files") if isinstance(recorded, dict) else None
    hashed = [name for name in _HASHED_FOLDERS if (previous / name).is_dir()]
    if not isinstance(files, dict) or not hashed or _index_version(previous) != _installed_version():
        return  # another Pagefind made it (its files may differ under the same names), or nothing to check with
    try:
        for name in hashed:
            (seed / name).mkdir(parents=True)
            for entry in os.scandir(previous / name):
                noted = files.get(f"{name}/{entry.name}")
                if entry.is_file(follow_symlinks=False) and isinstance(noted, list) and len(noted) == 4 \
                        and file_sha256(Path(entry.path)) == noted[3]:
                    os.link(entry.path, seed / name / entry.name, follow_symlinks=False)
    except OSError:  # no hard links here: Pagefind writes every file
        shutil.rmtree(seed, ignore_errors=True)


def _index_version(index: Path) -> str:
    try:
        return str(json.loads((index / "pagefind-entry.json").read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pagefind_bin")
    except PackageNotFoundError:
        return "?"


def temp_dir(scratch: Path | None, prefix: str) -> Path:
    """A new temporary folder in ``scratch`` (the system's when None), named with this process id for
    ``clean_scratch``."""
    if scratch is not None:
        scratch.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=scratch))


def clean_scratch(scratch: Path) -> None:
    """Remove temporary folders left by a process that is gone (a killed ``serve``, an interrupted build)."""
    if not scratch.is_dir():
        return
    for entry in scratch.iterdir():
        parts = entry.name.split("-")
        pid = parts[2] if len(parts) > 3 else ""
        if pid.isdigit() and (int(pid) == os.getpid() or alive(int(pid))):
            continue
        shutil.rmtree(entry, ignore_errors=True)


def _drop_unreferenced(index: Path) -> bool:
    """Remove the seeded files the new index does not use, so that it is byte for byte a clean index.

    The index's metadata (``*.pf_meta``: gzip, then CBOR) names every fragment and index chunk it uses; its
    CBOR text strings are read as they are (a length byte, then the name). False if it cannot be read: the
    caller then has Pagefind write a clean index.
    """
    import gzip

    metas = list(index.glob("*.pf_meta"))
    try:
        data = b"".join(gzip.decompress(meta.read_bytes()) for meta in metas)
    except (OSError, EOFError, ValueError):
        return False
    used = set()
    for match in _CBOR_SHORT_TEXT.finditer(data):
        name = data[match.end():match.end() + match.group()[0] - 0x60]
        if _HASHED_NAME.fullmatch(name):
            used.add(name.decode("ascii"))
    if not metas or not used:
        return False
    drop = []
    for folder in _HASHED_FOLDERS:
        if (index / folder).is_dir():
            names = [(entry.name.rsplit(".", 1)[0], entry.path) for entry in os.scandir(index / folder)]
            if names and not any(name in used for name, _ in names):
                return False  # the metadata names none of them: a format this reading does not know
            drop += [path for name, path in names if name not in used]
    for path in drop:
        os.unlink(path)
    return True


_CBOR_SHORT_TEXT = re.compile(rb"[\x61-\x77]")          # CBOR text string of 1 to 23 bytes: its header byte
_HASHED_NAME = re.compile(rb"[a-z][a-z0-9-]*_[0-9a-f]{7,}")  # « fr_d1672dd »: a fragment or an index chunk


def _record(index: Path, record: tuple | None) -> None:
    """Note in the cache, for the output folder, which documents the index was made from and which files make
    it: identity (``output.staging.file_stamp``) and SHA-256 of each. The next build keeps them as they are if nothing
    changed and they are intact. Files, not copies: an index is never restored from the cache.
    """
    if record is None:
        return
    cache, site_key, documents = record
    files = {p.relative_to(index).as_posix(): [*(file_stamp(p) or []), file_sha256(p)]
             for p in sorted(index.rglob("*")) if p.is_file()}
    cache.put("search", site_key, {"documents": documents, "files": files})


def _is_current(recorded, documents: str, target: Path) -> bool:
    """Whether ``target`` (the previous site's index, seeded) was made from ``documents`` and holds exactly the
    files ``_record`` noted, with the same identity and the same bytes."""
    if not isinstance(recorded, dict) or recorded.get("documents") != documents or not target.is_dir():
        return False
    files = recorded.get("files")
    if not isinstance(files, dict) or not files:
        return False
    present = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    if present != set(files) or not all(isinstance(v, list) and len(v) == 4 for v in files.values()):
        return False
    return all(file_stamp(target / rel) == v[:3] for rel, v in files.items()) and \
        all(file_sha256(target / rel) == v[3] for rel, v in files.items())


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
