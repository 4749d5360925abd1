"""The commands behind ``build.py``: run a stage, print problems as ``path:line: message``, return the exit code."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from .errors import Problems, SiteError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def format_problem(problem: SiteError) -> str:
    where = f"{problem.path}:{problem.line}" if problem.line else problem.path
    kind = "avertissement : " if problem.severity == "warning" else ""
    hint = f" ({problem.hint})" if problem.hint else ""
    return f"{where}: {kind}{problem.message}{hint}"


def print_problems(problems: Problems, quiet: bool = False) -> None:
    for problem in problems.items:
        if quiet and problem.severity == "warning":
            continue
        print(format_problem(problem), file=sys.stderr)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


def _seconds(value: float) -> str:
    return f"{value:.2f}".replace(".", ",") + " s"


def run_build(root: Path, *, strict: bool = False, output: Path | None = None, quiet: bool = False,
              verbose: bool = False) -> int:
    from .pipeline import build

    def waiting() -> None:
        print("une autre construction est en cours dans ce projet : attente de sa fin…", file=sys.stderr)

    report = build(root, strict=strict, output=output, on_wait=waiting)
    print_problems(report.problems, quiet)
    problems = report.problems
    if verbose:
        for stage, seconds in report.timings:
            print(f"  {stage} : {_seconds(seconds)}")
    if problems.failed(strict):
        n_err = len(problems.errors) + (len(problems.warnings) if strict else 0)
        print(f"Échec : {_plural(n_err, 'erreur')}"
              f"{' (avertissements comptés comme erreurs avec --strict)' if strict and problems.warnings else ''}"
              " ; le site précédent est inchangé.", file=sys.stderr)
        return EXIT_PROBLEMS
    if not quiet:
        out = report.output
        shown = out.relative_to(root) if out and out.is_relative_to(root) else out
        print(f"Site construit dans {shown}/ : {_plural(report.pages, 'page')}, "
              f"{_plural(len(problems.warnings), 'avertissement')}, {_seconds(report.seconds)}.")
    return EXIT_OK


def run_check(root: Path, *, quiet: bool = False) -> int:
    """Everything the build checks, without writing; warnings count as problems."""
    from .pipeline import build

    report = build(root, strict=True, write=False)
    print_problems(report.problems, quiet)
    if not quiet:
        for source, href, line in report.external_links:
            print(f"{source}:{line}: lien externe (non vérifié) : {href}")
        print(f"Vérification : {_plural(len(report.problems.errors), 'erreur')}, "
              f"{_plural(len(report.problems.warnings), 'avertissement')}, "
              f"{_plural(len(report.external_links), 'lien externe')}.")
    return EXIT_PROBLEMS if report.problems.items else EXIT_OK


def run_freeze(root: Path, names: list[str], *, quiet: bool = False) -> int:
    """Recompute the attention figures (needs requirements-freeze.txt) and write changed files only."""
    from .config import load_config
    from .figures import freeze

    problems = Problems()
    config = load_config(root, problems)
    if config is None:
        print_problems(problems)
        return EXIT_PROBLEMS
    start = time.perf_counter()
    try:
        results = freeze(config, problems, names or None)
    except ModuleNotFoundError as exc:
        print(f"freeze : le module « {exc.name} » manque. Installez les dépendances du calcul :\n"
              "  python -m pip install -r requirements-freeze.txt\n"
              "  python -m pip install --no-deps -r requirements-freeze-nodeps.txt", file=sys.stderr)
        return EXIT_PROBLEMS
    print_problems(problems)
    if problems.errors:
        return EXIT_PROBLEMS
    if not quiet:
        for path, changed in results:
            print(f"{path.relative_to(root)} : {'mis à jour' if changed else 'inchangé'}")
        print(f"Figures figées : {len(results)} en {_seconds(time.perf_counter() - start)}.")
    return EXIT_OK


def run_serve(root: Path, *, port: int, strict: bool = False, output: Path | None = None) -> int:
    from .serve import serve

    return serve(root, port=port, strict=strict, output=output)
