"""The Quarto CLI wrapper: find the binary, read its version, run it with a timeout, stream its log.

Every failure (missing binary, non-zero exit, timeout, unreadable output) becomes one ``UserError``
with a French message and what to do. The site build never needs Quarto; only ``pdf`` does.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import UserError

INSTALL_HINT = ("installez Quarto (https://quarto.org/docs/get-started/) puis relancez, "
                "ou indiquez son chemin dans « quarto_path » de config.yaml")
VERSION_TIMEOUT = 30.0
RENDER_TIMEOUT = 900.0
LOG_TAIL = 12


@dataclass(frozen=True)
class Quarto:
    binary: Path
    version: str


def find(root: Path, quarto_path: str = "") -> Path:
    """The ``quarto`` executable: ``quarto_path`` of config.yaml (relative to the project) or the PATH."""
    if quarto_path:
        candidate = Path(quarto_path).expanduser()
        candidate = candidate if candidate.is_absolute() else root / candidate
        if not candidate.is_file() or not os.access(candidate, os.X_OK):
            raise UserError(f"Quarto introuvable à « {quarto_path} » (quarto_path de config.yaml)",
                            "corrigez ce chemin ou retirez la clé pour utiliser le PATH")
        return candidate
    found = shutil.which("quarto")
    if not found:
        raise UserError("Quarto n'est pas installé (commande « quarto » absente du PATH)", INSTALL_HINT)
    return Path(found)


def run(binary: Path, args: list[str], *, cwd: Path, timeout: float = RENDER_TIMEOUT,
        on_line: Callable[[str], None] | None = None) -> str:
    """Run ``quarto ARGS`` in ``cwd``; stream each log line to ``on_line``; return the whole log.

    Output is decoded as UTF-8, undecodable bytes replaced (Quarto forwards tools' logs as they are).
    """
    command = [str(binary), *args]
    shown = " ".join(["quarto", *args])
    try:
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    except FileNotFoundError:
        raise UserError(f"Quarto introuvable (« {binary} »)", INSTALL_HINT) from None
    except PermissionError:
        raise UserError(f"« {binary} » n'est pas exécutable", "vérifiez quarto_path ou les droits du fichier") \
            from None
    except OSError as exc:
        raise UserError(f"impossible de lancer « {shown} » ({exc.strerror})", INSTALL_HINT) from None
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, kill)
    timer.start()
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for raw in process.stdout:
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            lines.append(line)
            if on_line:
                on_line(line)
        code = process.wait()
    finally:
        timer.cancel()
        if process.poll() is None:
            kill()
            process.wait()
    log = "\n".join(lines)
    if timed_out.is_set():
        raise UserError(f"« {shown} » n'a pas fini en {timeout:g} s : arrêté",
                        "relancez ; si cela persiste, lancez la commande à la main pour voir où elle bloque")
    if code != 0:
        tail = " | ".join(line for line in lines[-LOG_TAIL:] if line.strip())
        raise UserError(f"« {shown} » a échoué (code {code})",
                        f"fin du journal : {tail}" if tail else "relancez la commande à la main pour voir le détail")
    return log


def version(binary: Path, timeout: float = VERSION_TIMEOUT) -> str:
    log = run(binary, ["--version"], cwd=Path.cwd(), timeout=timeout)
    text = log.strip().splitlines()[-1].strip() if log.strip() else ""
    if not text or not text[0].isdigit():
        raise UserError(f"version de Quarto illisible (« {text or 'sortie vide'} »)",
                        "vérifiez que « quarto_path » désigne bien l'exécutable quarto")
    return text


def locate(root: Path, quarto_path: str = "") -> Quarto:
    binary = find(root, quarto_path)
    return Quarto(binary, version(binary))
