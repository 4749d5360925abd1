"""Real Quarto projects built as they are: pages, errors, warnings by kind, leaks by construct, build time.

    python benchmarks/quarto_projects.py                 # every folder of benchmarks/_work/quarto/
    python benchmarks/quarto_projects.py DOSSIER [...]   # these Quarto projects (folders holding _quarto.yml)

Third-party projects are copied by hand into ``benchmarks/_work/quarto/`` (git-ignored, never committed), for
example ``hadley/r4ds`` and a French website such as ``InseeFrLab/utilitR``. Each one is copied into a temporary
folder and built there cold (no cache) with ``build.py --quarto``, its site in that temporary folder: the
project itself is never written to, which the script checks (« sources modifiées » must read 0). Outside the
test suite: it prints figures, it asserts nothing.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from leaks import by_construct, scan_site  # noqa: E402  (the scanner the tests use)

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "benchmarks" / "_work" / "quarto"
PROBLEM = re.compile(r"^(?P<path>[^:\n]+?):(?P<line>\d+)?:? (?P<warning>avertissement : )?(?P<message>.*)$")


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def kind_of(message: str) -> str:
    """A warning's kind: its message with quoted names, numbers and the hint taken out."""
    message = re.sub(r" \((?:[^()]|\([^()]*\))*\)$", "", message)  # the hint, in parentheses at the end
    message = re.sub(r"«[^»]*»", "«…»", message)
    return re.sub(r"\d+", "N", message)


def leaks(site: Path) -> tuple[Counter, Counter, int]:
    """Leaks by construct (``tests/leaks.py``, the scanner the tests use), pages showing each, pages read."""
    found = scan_site(site)
    pages_with = Counter({construct: len({leak.page for leak in found if leak.construct == construct})
                          for construct in {leak.construct for leak in found}})
    read = sum(1 for p in site.rglob("*.html") if "pagefind" not in p.parts)
    return by_construct(found), pages_with, read


def run(project: Path) -> None:
    print(f"\n=== {project.name} ({project})")
    if not (project / "_quarto.yml").is_file():
        print("  pas de _quarto.yml : ignoré")
        return
    before = digest(project)
    with tempfile.TemporaryDirectory(prefix="quarto-bench-") as tmp:
        copy = Path(tmp) / project.name
        shutil.copytree(project, copy, symlinks=True, ignore=shutil.ignore_patterns(".git", "_atelier", ".cache"))
        out = Path(tmp) / "site"
        command = [sys.executable, str(REPO / "build.py"), "--quarto", str(copy), "--output", str(out), "--jobs", "1"]
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, cwd=tmp)
        seconds = time.perf_counter() - start
        errors, warnings = [], Counter()
        for line in result.stderr.splitlines():
            match = PROBLEM.match(line)
            if not match or line.startswith("Échec"):
                continue
            if match.group("warning"):
                warnings[kind_of(match.group("message"))] += 1
            else:
                errors.append(line)
        built = re.search(r"(\d+) pages?", result.stdout)
        print(f"  commande : python build.py --quarto {project} --output SITE --jobs 1 (copie temporaire, à froid)")
        print(f"  code de sortie : {result.returncode}")
        print(f"  pages construites : {built.group(1) if built else 0}")
        print(f"  erreurs : {len(errors)}")
        for line in errors[:15]:
            print(f"    {line}")
        print(f"  avertissements : {sum(warnings.values())} ({len(warnings)} sortes)")
        for kind, n in warnings.most_common():
            print(f"    {n:5d}  {kind[:150]}")
        if out.is_dir():
            found, pages_with, read = leaks(out)
            print(f"  fuites dans le HTML construit ({read} pages lues, hors code) : {sum(found.values())}")
            for name, n in sorted(found.items()):
                where = f" sur {pages_with[name]} pages" if name in pages_with and n else ""
                print(f"    {n:5d}  {name}{where}")
        print(f"  sources modifiées : {0 if digest(project) == before else 'OUI (à signaler)'}")
        print(f"  durée de la construction à froid : {seconds:.2f} s".replace(".", ","))


def main(argv: list[str]) -> int:
    projects = [Path(a).resolve() for a in argv] or sorted(p for p in WORK.iterdir() if p.is_dir()) \
        if argv or WORK.is_dir() else []
    if not projects:
        print(f"aucun projet : copiez des projets Quarto dans {WORK.relative_to(REPO)}/ ou donnez leurs dossiers")
        return 2
    for project in projects:
        run(project)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
