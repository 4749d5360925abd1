"""The only place that writes the site: a staging folder, one write function, an atomic swap, a lock."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Iterator

STAGING_PREFIX = ".site-staging-"
OLD_PREFIX = ".site-old-"


class OutputError(Exception):
    """A write the builder refuses (second write to a path, path escaping the output root)."""


class Staging:
    """A fresh folder beside ``site/`` that receives every byte of a build before the swap."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.path = output.parent / f"{STAGING_PREFIX}{output.name}-{os.getpid()}"
        self.sources: dict[str, str] = {}

    def __enter__(self) -> "Staging":
        if self.output.is_symlink() or (self.output.exists() and not self.output.is_dir()):
            raise OutputError(f"« {self.output.name} » existe et n'est pas un dossier : il ne sera pas remplacé par "
                              "le site (choisissez un dossier de sortie dédié)")
        clean_leftovers(self.output)
        self.path.mkdir(parents=True)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.path.exists():  # still here: the build failed or was not committed
            shutil.rmtree(self.path)

    def write(self, rel_path: str, data: bytes | str, source: str = "") -> None:
        """Write one output file; refuse a second write to the same path and any escaping path."""
        rel = PurePosixPath(rel_path)
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            raise OutputError(f"chemin de sortie refusé « {rel_path} » ({source})")
        key = rel.as_posix()
        if key in self.sources:
            raise OutputError(f"« {key} » serait écrit deux fois : par {self.sources[key]} et par {source}")
        self.sources[key] = source or key
        target = self.path / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    def copy(self, rel_path: str, source_file: Path, source: str = "") -> None:
        """Copy a file into the site through the same checks as ``write``."""
        self.write(rel_path, source_file.read_bytes(), source or str(source_file))

    def commit(self) -> None:
        """Swap the staging folder into place; the old site is removed only after the swap."""
        if self.output.exists():
            if not _exchange(self.path, self.output):
                old = self.output.parent / f"{OLD_PREFIX}{self.output.name}-{os.getpid()}"
                os.rename(self.output, old)
                os.rename(self.path, self.output)
            shutil.rmtree(self.path)  # after an exchange, staging holds the previous site
        else:
            os.rename(self.path, self.output)
        clean_leftovers(self.output)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two directories (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    rc = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EXDEV, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def clean_leftovers(output: Path) -> None:
    """Remove staging/old folders left by an interrupted build; restore the site if a swap was cut."""
    parent = output.parent
    if not parent.is_dir():
        return
    olds = sorted(parent.glob(f"{OLD_PREFIX}{output.name}-*"))
    if not output.exists() and olds:
        os.rename(olds[-1], output)  # killed between the two renames of the fallback swap
        olds = olds[:-1]
    for leftover in olds + sorted(parent.glob(f"{STAGING_PREFIX}{output.name}-*")):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
            continue  # another build's folder, still in use
        try:
            shutil.rmtree(leftover)
        except OSError as exc:
            raise OutputError(f"impossible de supprimer « {leftover.name} », laissé par une construction interrompue "
                              f"({exc.strerror}) : supprimez ce dossier puis relancez") from None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def build_lock(root: Path, on_wait=None) -> Iterator[None]:
    """One build at a time per project: a second one waits for the first to finish."""
    lock_path = root / ".build.lock"
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_if_changed(path: Path, data: bytes) -> bool:
    """For files outside the site (frozen figures): replace atomically, only when the bytes differ."""
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True
