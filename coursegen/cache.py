"""The build cache in ``.cache/build/`` at the project root (git-ignored): results named by a hash of all they depend on.

A key is the SHA-256 of its parts and of ``code_version()`` (every file of ``coursegen/``, the Python version
and the installed distributions), so a change of code, dependency, config or template gives other keys: a
stale entry is never looked up, and entries not used by the last build are pruned.

Every entry is checked when read (``seal``/``unseal``): its first line names the format, the kind and key it
was stored under and the SHA-256 of those and of the payload. An entry that is cut, altered, stored under
another key (swapped, copied from another project) or written by another version of the format is treated as
absent, then computed again and rewritten: the cache never changes a byte of the site, only how fast it is made.
Jinja2's compiled templates (``.cache/jinja``) are kept in entries of the same form (``pages.templates.TemplateBytecode``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any


CACHE_DIR = ".cache/build"
PACKAGE = Path(__file__).resolve().parent
FORMAT = "atelier-cache/1"


def _checksum(name: str, payload: bytes) -> str:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + payload).hexdigest()


def seal(name: str, payload: bytes) -> bytes:
    """The bytes of an entry stored under ``name`` (``kind/key``): a header that names it, then ``payload``."""
    return f"{FORMAT} {name} {_checksum(name, payload)}\n".encode("utf-8") + payload


def unseal(name: str, raw: bytes) -> bytes | None:
    """The payload of ``raw`` if it is an intact entry stored under ``name``, else None."""
    header, newline, payload = raw.partition(b"\n")
    if not newline or header != f"{FORMAT} {name} {_checksum(name, payload)}".encode("utf-8"):
        return None
    return payload


def write_entry(target: Path, name: str, payload: bytes) -> None:
    """Write an entry whole or not at all; a read-only or full disk only means it is computed again next time."""
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(seal(name, payload))
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of what the output depends on besides the project: this package, Python, the installed packages."""
    import sysconfig

    h = hashlib.sha256(sys.version.encode())
    for path in sorted(p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for where in sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}):
        if os.path.isdir(where):  # the dist-info folder names carry every installed version
            h.update("\0".join(sorted(n for n in os.listdir(where) if n.endswith(".dist-info"))).encode())
    return h.hexdigest()


_ENTRY_NAME = re.compile(r"\.?[0-9a-f]{64}(?:\.tmp-\d+)?")  # a key, or a key being written


def own_folder(root: Path, rel: str) -> Path | None:
    """``root/rel``, a folder of the build's own below the project, or None when any part of it that exists is
    a symbolic link: the cache and the search documents are pruned, and a link would prune another folder."""
    path = root
    for part in Path(rel).parts:
        path = path / part
        if path.is_symlink():
            return None
    return root / rel


def digest(*parts: Any) -> str:
    """SHA-256 of ``parts`` (bytes as they are, anything else through ``repr``) and of the code version."""
    h = hashlib.sha256(code_version().encode())
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


def tree_digest(folder: Path) -> str:
    """Names and bytes of every file below ``folder`` (templates, frozen data)."""
    if not folder.is_dir():
        return digest("absent")
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return digest(*[item for p in files for item in (p.relative_to(folder).as_posix(), p.read_bytes())])


class Cache:
    """Entries grouped by kind (``facts``, ``pages``, ``files``); ``Cache(None)`` is a disabled cache."""

    def __init__(self, root: Path | None) -> None:
        self.path = own_folder(root, CACHE_DIR) if root is not None else None
        self.used: dict[str, set[str]] = {}

    @property
    def enabled(self) -> bool:
        return self.path is not None

    def _file(self, kind: str, key: str) -> Path:
        assert self.path is not None
        return self.path / kind / key

    def mark(self, kind: str, key: str) -> None:
        """Keep ``key`` at the next ``prune`` (entries read or written by worker processes)."""
        self.used.setdefault(kind, set()).add(key)

    def get_bytes(self, kind: str, key: str) -> bytes | None:
        if self.path is None:
            return None
        self.used.setdefault(kind, set()).add(key)
        try:
            raw = self._file(kind, key).read_bytes()
        except OSError:
            return None
        return unseal(f"{kind}/{key}", raw)  # None: cut, altered or swapped; computed again and rewritten

    def put_bytes(self, kind: str, key: str, payload: bytes) -> None:
        if self.path is None:
            return
        self.used.setdefault(kind, set()).add(key)
        write_entry(self._file(kind, key), f"{kind}/{key}", payload)

    def get(self, kind: str, key: str) -> Any:
        """The JSON value stored under ``key``, or None if absent, corrupted or undecodable."""
        payload = self.get_bytes(kind, key)
        if payload is None:
            return None
        try:
            return json.loads(payload)
        except ValueError:
            return None

    def put(self, kind: str, key: str, value: Any) -> None:
        self.put_bytes(kind, key, json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    def memo(self, what: Any, compute) -> bytes:
        """The bytes ``compute()`` gives for ``what``, made once and kept (``what`` must say all they depend on)."""
        key = digest("file", what)
        data = self.get_bytes("files", key)
        if data is None:
            data = compute()
            self.put_bytes("files", key, data)
        return data

    def prune(self) -> None:
        """Remove the entries this build did not use (older versions of pages, templates, code)."""
        if self.path is None or not self.path.is_dir():
            return
        for folder in self.path.iterdir():
            if not folder.is_dir():
                continue
            keep = self.used.get(folder.name, set())
            for entry in folder.iterdir():
                if entry.name in keep or not _ENTRY_NAME.fullmatch(entry.name):
                    continue  # only entries this cache names are ever removed
                if entry.is_dir():
                    import shutil

                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
