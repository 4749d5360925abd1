#!/usr/bin/env python3
"""What blocks the main thread while a chapter loads on a phone: a Chromium performance trace.

Builds the course (or measures ``--site DIR``), serves it from 127.0.0.1, opens each page in Debian's
Chromium through Playwright at 390×844 with the CPU slowed down 4× (as Lighthouse's mobile profile),
records a trace (CDP tracing, ``devtools.timeline``) from navigation until 3 s after the load event,
and prints, per run:

- the total blocking time: the sum, over the main thread's tasks after the first contentful paint, of
  the part of each task beyond 50 ms (Lighthouse's definition, measured here rather than simulated);
- each long task (> 50 ms) with what filled it: HTML parsing, style, layout, and the script that ran
  (file and function), so that a figure, the search or the glossary can be told apart.

The median of ``--runs`` runs is printed last. It depends on the machine's load: compare two builds in
the same conditions, one after the other.

    .venv/bin/python benchmarks/main_thread.py [--site DIR] [--runs 5] [PAGE.html …]
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
import threading
from collections import Counter
from http.server import ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from static_server import Handler  # noqa: E402 - the gzip server Lighthouse is run against
from page_weight import on_built_course  # noqa: E402 - the same temporary build of the course

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline",
              "disabled-by-default-devtools.timeline.stack", "blink.user_timing", "loading"]
KINDS = {"ParseHTML": "analyse HTML", "ParseAuthorStyleSheet": "analyse CSS", "UpdateLayoutTree": "style",
         "Layout": "mise en page", "Paint": "peinture", "PrePaint": "peinture", "Layerize": "peinture",
         "EvaluateScript": "script", "FunctionCall": "script", "EventDispatch": "script",
         "TimerFire": "script", "FireAnimationFrame": "script", "v8.compile": "compilation JS",
         "MajorGC": "ramasse-miettes", "MinorGC": "ramasse-miettes"}


def _main_thread(events: list[dict], url: str) -> tuple[int, int]:
    """(pid, tid) of the renderer main thread that committed ``url``."""
    for e in events:
        if e.get("name") == "ParseHTML" and str(e.get("args", {}).get("beginData", {}).get("url", "")) == url:
            return e["pid"], e["tid"]
    names = {(e["pid"], e["tid"]) for e in events if e.get("name") == "thread_name"
             and e.get("args", {}).get("name") == "CrRendererMain"}
    return sorted(names)[0]


def analyse(events: list[dict], url: str) -> tuple[float, list[str]]:
    pid, tid = _main_thread(events, url)
    mine = [e for e in events if e.get("pid") == pid and e.get("tid") == tid and e.get("ph") == "X"]
    fcp = min((e["ts"] for e in events if e.get("name") == "firstContentfulPaint" and e.get("pid") == pid),
              default=None)
    tasks = sorted((e for e in mine if e["name"] in ("RunTask", "ThreadControllerImpl::RunTask")),
                   key=lambda e: e["ts"])
    tbt = 0.0
    lines = []
    for task in tasks:
        ms = task.get("dur", 0) / 1000
        if ms <= 50:
            continue
        end = task["ts"] + task["dur"]
        if fcp is not None and end > fcp:
            tbt += ms - 50 if task["ts"] >= fcp else max(0.0, (end - fcp) / 1000 - 50)
        inside = [e for e in mine if task["ts"] <= e["ts"] < end and e is not task]
        kinds: Counter = Counter()
        scripts: Counter = Counter()
        forced: Counter = Counter()
        for e in inside:
            kind = KINDS.get(e["name"])
            if kind and e.get("dur"):
                # Only top-level work of each kind: nested events of the same kind are inside it.
                parent_same = any(o is not e and KINDS.get(o["name"]) == kind and o["ts"] <= e["ts"]
                                  and o["ts"] + o.get("dur", 0) >= e["ts"] + e["dur"] for o in inside)
                if not parent_same:
                    kinds[kind] += e["dur"] / 1000
            if e["name"] in ("Layout", "UpdateLayoutTree") and e.get("dur"):
                stack = e.get("args", {}).get("beginData", {}).get("stackTrace") or []
                if stack:
                    frame = stack[0]
                    where = str(frame.get("url", "")).rsplit("/", 1)[-1]
                    forced[f"{where}:{frame.get('lineNumber', 0) + 1}"] += e["dur"] / 1000
            if e["name"] in ("FunctionCall", "EvaluateScript") and e.get("dur"):
                data = e.get("args", {}).get("data", {})
                where = str(data.get("url", "")).rsplit("/", 1)[-1] or "?"
                scripts[f"{where}:{data.get('functionName') or data.get('lineNumber', '')}"] += e["dur"] / 1000
        when = "avant FCP" if fcp is not None and task["ts"] < fcp else "après FCP"
        parts = ", ".join(f"{k} {v:.0f}" for k, v in kinds.most_common(5))
        top = ", ".join(f"{k} {v:.0f}" for k, v in scripts.most_common(3))
        lines.append(f"    tâche {ms:5.0f} ms ({when}) : {parts}" + (f" — scripts : {top}" if top else ""))
        if forced:
            lines.append("        style et mise en page forcés par : "
                         + ", ".join(f"{k} {v:.0f}" for k, v in forced.most_common(6)))
    return tbt, lines


def measure(site: Path, pages: list[str], runs: int) -> int:
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for page_name in pages:
                blocked = []
                for run in range(runs):
                    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                                  has_touch=True, device_scale_factor=2)
                    page = context.new_page()
                    cdp = context.new_cdp_session(page)
                    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
                    browser.start_tracing(page=page, categories=CATEGORIES)
                    page.goto(base + page_name, wait_until="load")
                    page.wait_for_timeout(3000)
                    trace = json.loads(browser.stop_tracing())
                    context.close()
                    events = trace["traceEvents"] if isinstance(trace, dict) else trace
                    tbt, lines = analyse(events, base + page_name)
                    blocked.append(tbt)
                    print(f"{page_name} essai {run + 1} : temps de blocage total {tbt:.0f} ms")
                    print("\n".join(lines))
                print(f"{page_name} : temps de blocage total médian {statistics.median(blocked):.0f} ms "
                      f"sur {runs} essais (min {min(blocked):.0f}, max {max(blocked):.0f}), CPU ralenti 4×, 390×844")
            browser.close()
    finally:
        server.shutdown()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", default=["transformers.html"])
    parser.add_argument("--site", type=Path, help="mesurer ce site déjà construit au lieu de construire le cours")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.site:
        return measure(args.site, args.pages, args.runs)
    return on_built_course(lambda site: measure(site, args.pages, args.runs))


if __name__ == "__main__":
    sys.exit(main())
