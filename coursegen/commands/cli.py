"""The commands behind ``build.py``: run a stage, print problems as ``path:line: message``, return the exit code.

``build.py`` imports this module only once its arguments are parsed: ``--help`` loads none of the stages."""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

from ..config import CONFIG_NAME, NO_SITE_URL, Config, load_config
from ..errors import Problems, SiteError, UserError, format_problem
from ..markdown.constructs import table as constructs_table
from ..markdown.lint import DEADLINE_SECONDS, fetch_links
from ..output.search import IndexTiming
from ..pages.context import Download
from ..pipeline import Options, build_project
from . import book
from . import quarto_cli as quarto
from .deploy import deploy
from .export import OUTPUT_FILE, export
from .freeze import freeze
from .scaffold import new_chapter
from .serve import serve

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def print_problems(problems: Problems, quiet: bool = False) -> None:
    for problem in problems.items:
        if quiet and problem.severity == "warning":
            continue
        print(format_problem(problem), file=sys.stderr)


def _plural(n: int, words: str) -> str:
    """« 1 lien externe », « 44 liens externes »: every word of the phrase agrees (French: 0 and 1 are singular)."""
    return f"{n} " + (" ".join(w + "s" for w in words.split()) if n > 1 else words)


def _seconds(value: float) -> str:
    return f"{value:.2f}".replace(".", ",") + " s"


def site_url_override(option: str | None) -> tuple[str, str] | None:
    """The public address given at build time: ``--site-url`` first, then ``ATELIER_SITE_URL`` (empty = none)."""
    if option:
        return option, "--site-url"
    env = os.environ.get("ATELIER_SITE_URL", "")
    return (env, "ATELIER_SITE_URL") if env.strip() else None


def run_build(root: Path, *, strict: bool = False, output: Path | None = None, quiet: bool = False,
              verbose: bool = False, site_url: str | None = None, jobs: int = 0, quarto: Path | None = None) -> int:
    def waiting() -> None:
        print("une autre construction est en cours dans ce projet : attente de sa fin…", file=sys.stderr)

    options = Options(strict=strict, jobs=jobs, index=IndexTiming.AFTER_SWAP, on_wait=waiting)
    report = build_project(root, options, output, site_url_override(site_url), quarto)
    print_problems(report.problems, quiet)
    if not quiet and site_url_warning(report.config):
        print(site_url_warning(report.config), file=sys.stderr)
    problems = report.problems
    if verbose:
        for stage, seconds in report.timings:
            print(f"  {stage} : {_seconds(seconds)}")
    if problems.failed(strict):
        n_err = len(problems.errors) + (len(problems.warnings) if strict else 0)
        print(f"Échec : {_plural(n_err, 'erreur')}"
              f"{' (avertissements comptés comme erreurs avec --strict)' if strict and problems.warnings else ''}"
              + (" ; les pages sont à jour, pas l'index de recherche." if report.written
                 else " ; le site précédent est inchangé."), file=sys.stderr)
        return EXIT_PROBLEMS
    if not quiet:
        out, base = report.output, quarto or root
        shown = out.relative_to(base) if out and out.is_relative_to(base) else out
        print(f"Site construit dans {shown}/ : {_plural(report.pages, 'page')}, "
              f"{_plural(len(problems.warnings), 'avertissement')}, {_seconds(report.seconds)}.")
        if report.config is not None and report.config.site_url_origin not in ("", NO_SITE_URL):
            print(f"Adresse du site déduite du {report.config.site_url_origin} : {report.config.site_url} "
                  f"(pour une autre adresse : site_url dans {CONFIG_NAME})")
    return EXIT_OK


def site_url_warning(config: Config | None) -> str:
    """When config.yaml has no site_url and nothing could tell it (``config.with_deduced_site_url``), the line
    that says so: the 404 page then works only at the site's root. Not counted as a problem of the course
    (``--strict`` does not fail on it): a CI build on GitHub deduces the address from its remote."""
    if config is None or config.site_url_origin != NO_SITE_URL:
        return ""
    quarto = bool(config.quarto_project) and "site_url" not in config.key_lines  # the address belongs in _quarto.yml
    return format_problem(SiteError(
        config.quarto_project if quarto else CONFIG_NAME, config.key_lines.get("site_url", 0),
        ("site-url" if quarto else "site_url") + " est vide et ni un fichier CNAME ni le dépôt GitHub (git remote "
        "origin) ne donnent l'adresse du site : une page 404 plus profonde que la racine du site s'affichera sans "
        "mise en forme",
        ("indiquez site-url: \"https://…/\" sous website: ou book: dans " + config.quarto_project if quarto
         else "indiquez site_url: \"https://…/\" dans config.yaml") + ", ou --site-url à la construction",
        "warning"))


def run_check(root: Path, *, quiet: bool = False, site_url: str | None = None, external: bool = False,
              output_format: str = "text", quarto: Path | None = None) -> int:
    """Everything the build checks plus authoring checks, without writing; warnings count as problems."""
    report = build_project(root, Options(strict=True, write=False, lint=True), site_url=site_url_override(site_url),
                           quarto=quarto)
    links = report.external_links
    status = fetch_links(links, deadline=DEADLINE_SECONDS) if external else {}
    late = {href for href, reason in status.items() if reason is None}  # not checked in time: neither good nor bad

    def verdict(href: str) -> str:
        if not external or href in late:
            return "non vérifié"
        return "cassé" if status.get(href) else "ok"

    for source, href, line in links:
        if status.get(href):
            report.problems.error(source, line, f"lien externe cassé : {href} ({status[href]})",
                                  "corrigez l'adresse ou retirez le lien")
    if output_format == "json":
        print(json.dumps({
            "problems": [{"path": p.path, "line": p.line, "severity": p.severity, "message": p.message,
                          "hint": p.hint} for p in report.problems.items],
            "external_links": [{"path": source, "line": line, "url": href, "status": verdict(href)}
                               for source, href, line in links],
            **({"constructs": {k: n for k, n in report.constructs.items() if n}} if report.constructs is not None
               else {}),
        }, ensure_ascii=False, sort_keys=True, indent=2))
        return EXIT_PROBLEMS if report.problems.items else EXIT_OK
    print_problems(report.problems, quiet)
    if not quiet:
        limit = f"{DEADLINE_SECONDS:g}".replace(".", ",")
        for source, href, line in links:
            if href in late:
                print(f"{source}:{line}: lien externe (non vérifié : pas de réponse dans les {limit} s accordées "
                      f"à toute la vérification) : {href}")
            elif not status.get(href):
                print(f"{source}:{line}: lien externe ({'vérifié' if external else 'non vérifié'}) : {href}")
        print(f"Vérification : {_plural(len(report.problems.errors), 'erreur')}, "
              f"{_plural(len(report.problems.warnings), 'avertissement')}, "
              f"{_plural(len(links), 'lien externe')}"
              + (f" ({_plural(sum(h in late for _, h, _ in links), 'non vérifié')} à temps)." if late else "."))
        if report.constructs is not None:  # a Quarto project: what is rendered as Quarto does, and what is not
            print("\n".join(constructs_table(Counter(report.constructs))))
    return EXIT_PROBLEMS if report.problems.items else EXIT_OK


def run_freeze(root: Path, names: list[str], *, quiet: bool = False) -> int:
    """Recompute the attention figures (needs requirements-freeze.txt) and write changed files only."""
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


def run_serve(root: Path, *, port: int, strict: bool = False, output: Path | None = None, jobs: int = 0) -> int:

    return serve(root, port=port, strict=strict, output=output, jobs=jobs)


def run_deploy(root: Path, *, remote: str, branch: str, quiet: bool = False, site_url: str | None = None) -> int:
    """Build with --strict, then push site/ to the gh-pages branch (refused on uncommitted changes)."""
    result = deploy(root, remote=remote, branch=branch, site_url=site_url_override(site_url))
    print_problems(result.problems, quiet)
    if not result.pushed:
        print("Publication annulée : rien n'a été poussé.", file=sys.stderr)
        return EXIT_PROBLEMS
    if not quiet:
        print(f"Site publié sur la branche « {branch} » de « {remote} » (source {result.commit}).")
    return EXIT_OK


def run_new(root: Path, title: str) -> int:
    """Create the next chapter file and list it in config.yaml."""
    problems = Problems()
    path = new_chapter(root, title, problems)
    print_problems(problems)
    if path is None:
        return EXIT_PROBLEMS
    print(f"Chapitre créé : {path.relative_to(root)} (ajouté à « chapters » de config.yaml).")
    return EXIT_OK


def run_export_quarto(root: Path, dest: Path, *, quiet: bool = False) -> int:
    """Write the course as a Quarto book project (``_quarto.yml`` + the same Markdown files)."""
    problems = Problems()
    written = export(root, dest, problems)
    print_problems(problems, quiet)
    if problems.errors:
        return EXIT_PROBLEMS
    if not quiet:
        print(f"Projet Quarto écrit dans {dest} : {_plural(len(written), 'fichier')} "
              f"(rendu : cd {dest} && quarto render).")
    return EXIT_OK


def run_pdf(root: Path, *, quiet: bool = False, site_url: str | None = None) -> int:
    """The course as PDF and EPUB, linked from the home page: with Quarto when it is configured or on the
    PATH, otherwise with the pinned Pandoc and Typst wheels (book.py); then the site is built with them."""
    import shutil
    import tempfile

    problems = Problems()
    config = load_config(root, problems)
    if config is None:
        print_problems(problems)
        return EXIT_PROBLEMS
    say = (lambda line: None) if quiet else (lambda line: print(line, flush=True))
    with tempfile.TemporaryDirectory(prefix="atelier-quarto-") as tmp:
        try:
            if config.quarto_path or shutil.which("quarto"):
                downloads = _quarto_downloads(root, config, problems, Path(tmp), say)
            else:
                start = time.perf_counter()
                made = book.build_book(config, problems, on_step=lambda step: say(f"  {step}"))
                downloads = [] if made is None else [Download(made.pdf.name, made.pdf),
                                                     Download(made.epub.name, made.epub)]
                if made:
                    say(f"Livre {'mis en page' if made.rebuilt else 'inchangé (cache)'} avec Pandoc et Typst "
                        f"en {_seconds(time.perf_counter() - start)}.")
        except UserError as exc:
            print(f"pdf : {exc}", file=sys.stderr)
            return EXIT_PROBLEMS
        print_problems(problems, quiet)
        if problems.errors or not downloads:
            print("Échec : le site précédent est inchangé.", file=sys.stderr)
            return EXIT_PROBLEMS
        report = build_project(root, Options(downloads=tuple(downloads)), site_url=site_url_override(site_url))
    print_problems(report.problems, quiet)
    if report.problems.failed():
        print("Échec : le site précédent est inchangé.", file=sys.stderr)
        return EXIT_PROBLEMS
    if not quiet:
        print(f"PDF et EPUB placés dans {config.output_dir}/telechargements/ et liés depuis la page d'accueil.")
    return EXIT_OK


def _quarto_downloads(root: Path, config, problems: Problems, tmp: Path, say) -> list[Download]:
    """Export the Quarto book, render it to Typst-PDF and EPUB with the Quarto CLI; [] after a content error."""
    import shutil

    found = quarto.locate(root, config.quarto_path)
    say(f"Quarto {found.version} ({found.binary})")
    project = tmp / "livre"
    export(root, project, problems)
    if problems.errors:
        return []
    keep = tmp / "rendus"
    keep.mkdir()
    downloads: list[Download] = []
    for fmt, suffix in (("typst", "pdf"), ("epub", "epub")):
        quarto.run(found.binary, ["render", ".", "--to", fmt], cwd=project,
                   on_line=lambda line: say(f"  quarto │ {line}"))
        produced = project / "_book" / f"{OUTPUT_FILE}.{suffix}"
        if not produced.is_file():
            raise UserError(f"« quarto render --to {fmt} » n'a pas produit _book/{OUTPUT_FILE}.{suffix}",
                            "relancez la commande à la main dans le projet exporté pour voir le détail")
        downloads.append(Download(f"{OUTPUT_FILE}.{suffix}", Path(shutil.copy(produced, keep / produced.name))))
    return downloads
