"""Helpers for browser tests: a static server on 127.0.0.1 and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import functools
import shutil
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def serve_folder(folder: Path, handler: type = _Quiet, prefix: str = "/") -> Iterator[str]:
    """Serve ``folder`` on a free loopback port with ``handler``; yields the base URL (``prefix`` appended)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Chromium from Debian (never a downloaded browser). Missing = a failed set-up, not a skip."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Chromium absent : lancez la commande de test du README, qui l'installe (apt-get install chromium)")
    # Each test module that imports this fixture gets its own session-scoped instance, but Playwright's
    # sync API allows one running instance per thread: share it, close it after the last user.
    if not _SHARED:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _SHARED.update(playwright=playwright, users=0,
                       browser=playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS))
    _SHARED["users"] += 1
    yield _SHARED["browser"]
    _SHARED["users"] -= 1
    if not _SHARED["users"]:
        _SHARED["browser"].close()
        _SHARED["playwright"].stop()
        _SHARED.clear()


_SHARED: dict = {}
