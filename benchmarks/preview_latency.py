"""Time from saving a chapter to the updated page in the browser, with ``python build.py serve``.

Copies the course (config.yaml, content/, templates/) to a temporary folder, starts the preview on a free
loopback port, opens the preface in Debian's Chromium, then appends a marker line to the chapter N times
and waits for it to appear in the page (the live-reload path a learner-author sees). Prints every time and
the median, first save dropped (warm-up).  Usage: .venv/bin/python benchmarks/preview_latency.py [N]
"""

from __future__ import annotations

import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(saves: int) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="apercu-") as tmp:
        root = Path(tmp)
        for name in ("content", "templates"):
            shutil.copytree(REPO / name, root / name)
        shutil.copy(REPO / "config.yaml", root / "config.yaml")
        port = free_port()
        server = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--root", str(root),
                                   "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        chapter = root / "content" / "00-preface.md"
        original = chapter.read_text(encoding="utf-8")
        times = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page()
                deadline = time.monotonic() + 60
                while True:
                    try:
                        page.goto(f"http://127.0.0.1:{port}/preface.html")
                        break
                    except Exception:  # the first build is still running: try again until the deadline
                        if time.monotonic() > deadline:
                            raise
                        time.sleep(0.5)
                page.wait_for_timeout(1500)
                for i in range(saves + 1):
                    marker = f"Repère de mesure {i}"
                    start = time.perf_counter()
                    chapter.write_text(original + f"\n\n{marker}\n", encoding="utf-8")
                    page.wait_for_function("m => document.body && document.body.innerText.includes(m)",
                                           arg=marker, timeout=30000)
                    times.append(time.perf_counter() - start)
                    page.wait_for_timeout(2500)  # let the background search index settle
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
    ms = [round(t * 1000) for t in times[1:]]
    print(f"Enregistrement → page à jour : {ms} ms ; médiane {statistics.median(ms):.0f} ms "
          f"(objectif ≤ 300 ms)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
