"""Peak memory of one command's process tree, as PSS (shared pages counted once), Python and Pagefind apart.

RSS summed over forked workers counts the pages they share with their parent several times; PSS divides
each shared page between its users, so the sum is what the build really holds. Sampled every 50 ms from
``/proc/<pid>/smaps_rollup`` (Linux). Usage, from the repository root:

    .venv/bin/python benchmarks/memory.py .venv/bin/python build.py --root benchmarks/_work/cours-1000/atelier -q
"""

from __future__ import annotations

import subprocess
import sys
import time

from run import _TreeSampler  # the process-tree walk the benchmark uses (same folder)


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _is_pagefind(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8") as f:
            return "pagefind" in f.read()
    except OSError:
        return False


def main(command: list[str]) -> int:
    if not command:
        print(__doc__)
        return 2
    sampler = _TreeSampler()
    proc = subprocess.Popen(command)
    peak_python = peak_pagefind = 0
    while proc.poll() is None:
        tree = set(sampler.grow(proc.pid))
        pagefind = {p for p in tree if _is_pagefind(p)}
        peak_python = max(peak_python, sum(_pss_kb(p) for p in tree - pagefind))
        peak_pagefind = max(peak_pagefind, sum(_pss_kb(p) for p in pagefind))
        time.sleep(0.05)
    print(f"Mémoire maximale (PSS, échantillonnée toutes les 50 ms) : processus Python {peak_python / 1024:.0f} Mo, "
          f"Pagefind {peak_pagefind / 1024:.0f} Mo ; code de sortie {proc.returncode}")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
