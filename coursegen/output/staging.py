"""Stage 5, writing the site: a staging folder beside ``site/``, one function that writes a file's bytes, an
atomic swap, a lock.

The output folder is the build's alone: it is replaced only if it is absent, empty or marked as a site this tool
built (``config.SITE_MARKER``, written into every build; ``config.output_occupant`` says what else is accepted).
An OS error while writing (a full disk, no permission, a busy mount) leaves the previous site as it was and
nothing in the way of the next build; ``os_problem`` says it in French.

Every file of a build goes into staging before the swap: chapter pages through ``write_file`` (called by
the process that rendered them, a forked worker included, and registered by ``speed.batch`` once written:
the one relaxation of « registered before written »), everything else through ``Staging.write`` and
``Staging.copy``, which register first. Two writers do not go through ``write_file``: Pagefind writes its bundle into a folder of
its own (``output.search``), and after ``python build.py`` has swapped the pages in, the new search index
is swapped into ``site/pagefind/`` on its own (``output.search.replace_index``).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import re
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Iterator

from ..config import OCCUPIED_HINT, SITE_MARKER, output_occupant
from ..errors import SiteError, UserError

STAGING_PREFIX = ".site-staging-"
_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*")  # no "..", no "/x", no "a//b"
OLD_PREFIX = ".site-old-"
MARKER_TEXT = (
    "Ce dossier est un site construit par « python build.py » (Atelier LLM).\n"
    "Chaque construction le remplace en entier : un fichier ajouté ici à la main serait supprimé.\n"
    "Écrivez dans le dossier de contenu et les gabarits, puis reconstruisez.\n"
    "Ce fichier marque le dossier comme appartenant à l'outil : sans lui, la construction refuse de remplacer\n"
    "un dossier qui contient d'autres fichiers que les siens.\n")


class Staging:
    """A folder beside ``site/`` that receives every byte of a build before the swap.

    With ``seed=True`` it starts as hard links to the current site's files: a file whose bytes did not change
    is then kept as it is (never rewritten), a changed one is replaced by a new file (a link is never written
    through, so the live site is untouched until the swap), and at ``commit`` the seeded files this build did
    not produce are removed. Incremental builds thus write only what changed.
    """

    def __init__(self, output: Path, *, seed: bool = False, content: Path | None = None) -> None:
        self.output = output
        self.path = output.parent / f"{STAGING_PREFIX}{output.name}-{os.getpid()}"
        self.sources: dict[str, str] = {}
        self.seeded: set[str] = set()
        self.seed = seed
        self.content = content  # the content folder, whose copies an unmarked previous site may hold
        self.notes: list[tuple[Path, UserError]] = []  # folders left behind that could not be removed (warnings)

    def __enter__(self) -> "Staging":
        if self.output.is_symlink() or (self.output.exists() and not self.output.is_dir()):
            raise UserError(f"« {self.output.name} » existe et n'est pas un dossier : il ne sera pas remplacé par "
                              "le site (choisissez un dossier de sortie dédié)")
        occupant = output_occupant(self.output, self.content)
        if occupant:  # checked with the config already; again here, just before anything is written
            raise UserError(f"« {self.output.name} » contient des fichiers qui ne viennent pas de la construction "
                            f"(« {occupant} ») : il ne sera pas remplacé", OCCUPIED_HINT)
        self.notes += clean_leftovers(self.output)
        self.path.mkdir(parents=True)
        try:
            if self.seed and self.output.is_dir():
                self.seeded = link_tree(self.output, self.path)
            self.write(SITE_MARKER, MARKER_TEXT, "la construction")
        except BaseException:
            self.__exit__()  # not called by ``with`` when ``__enter__`` fails
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.path.exists():  # still here: the build failed or was not committed
            remove_tree(self.path)  # if it cannot be removed, the next build says so (``clean_leftovers``)

    def register(self, rel_path: str, source: str = "") -> str:
        """Claim ``rel_path`` for this build (refusing a second claim and any escaping path)."""
        if _PLAIN.fullmatch(rel_path) and "//" not in rel_path:
            key = rel_path  # the common case, without PurePosixPath (a thousand pages, a thousand index files)
        else:
            rel = PurePosixPath(rel_path)
            if rel.is_absolute() or ".." in rel.parts or not rel.parts:
                raise UserError(f"chemin de sortie refusé « {rel_path} » ({source})")
            key = rel.as_posix()
        if key in self.sources:
            raise UserError(f"« {key} » serait écrit deux fois : par {self.sources[key]} et par {source}")
        self.sources[key] = source or key
        return key

    def write(self, rel_path: str, data: bytes | str, source: str = "") -> None:
        """Write one output file; refuse a second write to the same path and any escaping path."""
        key = self.register(rel_path, source)
        write_file(self.path, key, data.encode("utf-8") if isinstance(data, str) else data)

    def copy(self, rel_path: str, source_file: Path, source: str = "") -> None:
        """Copy a file into the site through the same checks as ``write``."""
        self.write(rel_path, source_file.read_bytes(), source or str(source_file))

    def reuse(self, rel_path: str, stamp: list | None, sha256: str, source: str = "") -> bool:
        """Keep the previous site's file at ``rel_path`` if it is still the very file a build wrote: the same
        identity (``file_stamp``, cheap), then the same bytes (an edit that kept its size and mtime)."""
        if stamp is None or rel_path not in self.seeded or file_stamp(self.path / rel_path) != list(stamp) \
                or file_sha256(self.path / rel_path) != sha256:
            return False
        self.register(rel_path, source)
        return True

    def adopt(self, folder: str, source: str) -> None:
        """Claim every file under ``folder`` (written there by another program: Pagefind)."""
        base = os.path.join(self.path, folder)
        found = []
        for where, _, files in os.walk(base):
            rel = os.path.relpath(where, self.path).replace(os.sep, "/")
            found += [f"{rel}/{name}" for name in files]
        for key in sorted(found):
            self.register(key, source)

    def clear(self, folder: str) -> None:
        """Remove what the previous site had under ``folder`` before another program writes it afresh."""
        shutil.rmtree(self.path / folder, ignore_errors=True)
        self.seeded = {rel for rel in self.seeded if not rel.startswith(folder.rstrip("/") + "/")}

    def commit(self) -> None:
        """Swap the staging folder into place; the old site is removed only after the swap, and a failure to
        remove it is only noted (``notes``): the new site is in place, the next build removes it or says so."""
        self._drop_stale()
        # the previous site is left under a leftover's name, removed (or reported) with any other leftover
        swap(self.path, self.output, self.output.parent / f"{OLD_PREFIX}{self.output.name}-{os.getpid()}",
             remove=False)
        self.notes += clean_leftovers(self.output)

    def _drop_stale(self) -> None:
        """Seeded files this build did not produce (a removed chapter's page), and folders left empty."""
        folders = set()
        for rel in sorted(self.seeded - self.sources.keys()):
            (self.path / rel).unlink(missing_ok=True)
            folders.update(str(p) for p in PurePosixPath(rel).parents if str(p) != ".")
        for rel in sorted(folders, key=lambda f: -f.count("/")):
            try:
                (self.path / rel).rmdir()
            except OSError:
                pass  # not empty


def write_file(folder: Path, rel: str, data: bytes) -> bool:
    """Write ``folder/rel`` unless it already holds exactly ``data``; a file is replaced, never written through.

    Used by ``Staging`` and by the render workers, which write their pages into the staging folder directly.
    Returns whether bytes were written.
    """
    target = folder / rel
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
    else:
        if info.st_size == len(data) and same_bytes(target, data):
            return False
        target.unlink()  # maybe a hard link to the live site: writing through it would change the site now
    try:
        with open(target, "xb") as handle:
            handle.write(data)
    except OSError as exc:  # a full disk is noticed at write or close, where the error names no file
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    return True


def file_stamp(path: Path) -> list | None:
    """What identifies a written file cheaply (as ``make`` and ``rsync`` do): inode, size, modification time."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return [info.st_ino, info.st_size, info.st_mtime_ns]


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, "" if it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return ""


def same_bytes(path: Path, data: bytes) -> bool:
    """Whether the file at ``path`` holds exactly ``data`` (its size first: most changed files differ there)."""
    try:
        return os.stat(path).st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def link_tree(source: Path, target: Path) -> set[str]:
    """Hard-link every file of ``source`` into the existing folder ``target``; the set of their relative paths,
    empty if links are not possible here (``target`` is then left empty)."""
    linked: set[str] = set()
    try:
        for folder, dirs, files in os.walk(source):
            rel = os.path.relpath(folder, source)
            base = str(target) if rel == "." else os.path.join(target, rel)
            if rel != ".":
                os.mkdir(base)
            prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
            for name in files:
                os.link(os.path.join(folder, name), os.path.join(base, name), follow_symlinks=False)
                linked.add(prefix + name)
    except OSError:  # no hard links on this file system: every file is written afresh
        for entry in list(target.iterdir()):
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
        return set()
    return linked


def swap(new: Path, current: Path, old: Path, *, remove: bool = True) -> Path | None:
    """Put the folder ``new`` in place of ``current`` and remove the previous one (with ``remove=False``, return
    the folder that holds it, for the caller to remove).

    Atomic where the kernel can exchange two directories; elsewhere two renames through ``old`` (a name that
    ``clean_leftovers`` recognises for the site, so a swap cut between them is repaired at the next build).
    """
    if not current.exists():
        os.rename(new, current)
        return None
    if _exchange(new, current):
        previous = new  # after an exchange, ``new`` holds the previous folder
    else:
        os.rename(current, old)
        try:
            os.rename(new, current)
        except OSError:
            os.rename(old, current)  # the previous site back in place before reporting the error
            raise
        previous = old
    if not remove:
        return previous
    shutil.rmtree(previous)
    return None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two directories (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    import ctypes  # here, not at import: 20 ms that a build spends only when it swaps

    try:
        libc = ctypes.CDLL(None, use_errno=True)  # the C library this Python already uses
    except OSError:
        return False
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


def clean_leftovers(output: Path) -> list[tuple[Path, UserError]]:
    """Remove staging/old folders left by an interrupted build; restore the site if a swap was cut.

    A leftover that cannot be removed is not in the way (each build stages under its own name): it is returned,
    with what to do, for the build to report as a warning.
    """
    parent = output.parent
    if not parent.is_dir():
        return []
    olds = sorted(parent.glob(f"{OLD_PREFIX}{output.name}-*"))
    if not output.exists() and olds:
        os.rename(olds[-1], output)  # killed between the two renames of the fallback swap
        olds = olds[:-1]
    stuck = []
    for leftover in olds + sorted(parent.glob(f"{STAGING_PREFIX}{output.name}-*")):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and alive(int(pid)):
            continue  # another build's folder, still in use
        if not remove_tree(leftover):
            stuck.append((leftover, _leftover_error(leftover)))
    return stuck


def _leftover_error(folder: Path) -> UserError:
    return UserError(f"impossible de supprimer « {folder.name} », laissé par une construction précédente",
                     "supprimez ce dossier à la main (chmod -R u+w puis rm -r) ; il ne gêne pas les constructions")


def remove_tree(folder: Path) -> bool:
    """Remove ``folder`` and everything in it, write-protected folders included (as their owner can: made
    writable first, never a folder outside ``folder``); False, and what remains left in place, if not possible."""
    top = os.path.abspath(folder)
    if os.path.islink(top):  # a link is removed, never what it leads to
        try:
            os.unlink(top)
        except OSError:
            pass
        return not os.path.lexists(top)
    tried: set[tuple[str, str]] = set()

    def ours(path: str) -> bool:
        return path == top or path.startswith(top + os.sep)

    def make_writable_and_retry(function, path, _error) -> None:
        # unlink/rmdir refused: the folder holding ``path`` is write-protected; else ``path`` could not be listed
        target = os.path.dirname(path) if function in (os.rmdir, os.unlink) else path
        if not ours(target) or (target, path) in tried:
            return  # not ours to change, or already tried: left in place, the caller reports it
        tried.add((target, path))
        try:
            os.chmod(target, os.stat(target).st_mode | 0o700)
            if function in (os.rmdir, os.unlink):
                function(path)
            else:
                shutil.rmtree(path, **handler)
        except OSError:
            pass

    handler = {"onexc" if sys.version_info >= (3, 12) else "onerror": make_writable_and_retry}
    try:
        shutil.rmtree(top, **handler)
    except OSError:
        pass
    return not os.path.lexists(top)


def alive(pid: int) -> bool:
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


_ERRNO_ADVICE = {
    errno.ENOSPC: ("écriture impossible : plus de place sur le disque",
                   "libérez de la place (df -h montre l'espace libre), puis relancez"),
    errno.EDQUOT: ("écriture impossible : quota de disque dépassé", "libérez de la place dans votre quota, puis relancez"),
    errno.EACCES: ("permission refusée", "donnez-vous le droit d'écrire dans ce dossier (chmod u+w) ou écrivez "
                   "ailleurs, puis relancez"),
    errno.EROFS: ("écriture impossible : système de fichiers en lecture seule",
                  "écrivez dans un dossier d'un disque accessible en écriture, puis relancez"),
    errno.EBUSY: ("dossier occupé (point de montage, ou ouvert par un autre programme)",
                  "ce dossier est remplacé en entier : si c'est un point de montage, écrivez dans un dossier à "
                  "l'intérieur (par exemple …/site) ; sinon fermez le programme qui l'utilise, puis relancez"),
    errno.EEXIST: ("un fichier du même nom existe déjà", "choisissez un autre chemin, puis relancez"),
    errno.ENOTDIR: ("un élément du chemin est un fichier, pas un dossier", "choisissez un autre chemin, puis relancez"),
    errno.ENAMETOOLONG: ("chemin trop long", "raccourcissez le chemin ou le nom du fichier, puis relancez"),
    errno.EIO: ("erreur d'entrée-sortie du disque", "vérifiez le disque (dmesg), puis relancez"),
}
_ERRNO_ADVICE[errno.EPERM] = _ERRNO_ADVICE[errno.EACCES]
_STAGED = re.compile(rf"(?:{re.escape(STAGING_PREFIX)}|{re.escape(OLD_PREFIX)})(.+)-\d+$")


def os_problem(exc: OSError, root: Path, fallback: str) -> SiteError:
    """A French error for an OS error met while writing: the path (a staging folder shown as the site it becomes;
    ``fallback`` when the error names none), the cause, what to do."""
    where = fallback
    if exc.filename:
        parts = Path(os.path.abspath(exc.filename)).parts
        where = shown_path(Path(*[(_STAGED.match(p).group(1) if _STAGED.match(p) else p) for p in parts]), root)
    reason, advice = _ERRNO_ADVICE.get(exc.errno, (f"erreur du système de fichiers ({exc.strerror or exc})",
                                                   "vérifiez ce chemin et l'espace disque, puis relancez"))
    return SiteError(where, 0, reason, advice)


def shown_path(path: Path, root: Path) -> str:
    """``path`` as messages show it: relative to the project when inside it."""
    root = root.resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) and path != root else str(path)
