"""Local preview: build, serve ``site/`` on 127.0.0.1, rebuild when a source changes.

The last good site keeps being served when a rebuild fails (the build never touches it then).
"""

from __future__ import annotations

import functools
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

POLL_SECONDS = 0.4


def _snapshot(root: Path) -> dict[str, float]:
    """Modification times of every source the build reads."""
    stamps: dict[str, float] = {}
    for folder in ("content", "templates"):
        for path in (root / folder).rglob("*"):
            if path.is_file():
                stamps[str(path)] = path.stat().st_mtime
    config = root / "config.yaml"
    if config.is_file():
        stamps[str(config)] = config.stat().st_mtime
    return stamps


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - signature from the stdlib
        pass


def serve(root: Path, *, port: int, strict: bool = False, output: Path | None = None) -> int:
    from .cli import run_build
    from .config import load_config
    from .errors import Problems

    status = run_build(root, strict=strict, output=output)
    config = load_config(root, Problems())
    if config is None or not (output or config.output_path).exists():
        print("aucun site à servir : corrigez les erreurs ci-dessus puis relancez.", file=sys.stderr)
        return status or 1
    site_dir = (output or config.output_path).resolve()
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        print(f"impossible d'écouter sur 127.0.0.1:{port} ({exc.strerror}) : essayez --port {port + 1}",
              file=sys.stderr)
        return 2
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"Prévisualisation sur http://127.0.0.1:{port}/ (Ctrl+C pour arrêter)")
    seen = _snapshot(root)
    try:
        while True:
            time.sleep(POLL_SECONDS)
            now = _snapshot(root)
            if now != seen:
                seen = now
                run_build(root, strict=strict, output=output)
    finally:
        server.shutdown()
