"""``python build.py deploy``: publish the site on a ``gh-pages`` branch with ghp-import, for those without
GitHub Actions. Refuses to run on uncommitted changes or when the strict build fails."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ..config import SITE_MARKER
from ..errors import Problems
from ..pipeline import Options, build_project

GIT_TIMEOUT = 300  # seconds, for one git command (a push over a slow link included)
MESSAGE_PREFIX = "Publication du site (source "  # every commit deploy makes; a branch made before the marker has it


@dataclass
class DeployResult:
    problems: Problems
    commit: str = ""      # the source commit the published site was built from
    pushed: bool = False


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=GIT_TIMEOUT)


def _last_lines(text: str, n: int = 6) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-n:])


def _branch_is_ours(root: Path, remote: str, branch: str, problems: Problems) -> bool:
    """ghp-import replaces the whole tree of ``branch`` (and moves the local branch of that name): it may only be a
    branch this command published, absent, or one whose last commit holds the site's marker or deploy's message
    (published before the marker existed). Never the branch checked out, whose files would all change under you."""
    current = _git(root, "symbolic-ref", "--quiet", "--short", "HEAD").stdout.strip()
    if current == branch:
        problems.error("deploy", 0, f"la branche « {branch} » est celle de votre copie de travail : ghp-import la "
                       "remplacerait par le site", "publiez sur une branche à part (--branch gh-pages)")
        return False
    for ref in (f"refs/heads/{branch}", f"refs/remotes/{remote}/{branch}"):
        if _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode != 0:
            continue  # no such branch yet
        marked = _git(root, "cat-file", "-e", f"{ref}:{SITE_MARKER}").returncode == 0
        subject = _git(root, "log", "-1", "--format=%s", ref).stdout
        if not marked and not subject.startswith(MESSAGE_PREFIX):
            local = ref.startswith("refs/heads/")
            shown, remove = (branch, f"git branch -D {branch}") if local else (
                f"{remote}/{branch}", f"git push {remote} --delete {branch}")
            problems.error("deploy", 0, f"la branche « {shown} » ne contient pas un site publié par cet outil "
                           f"(dernier commit : « {subject.strip()} ») : ghp-import remplacerait tous ses fichiers",
                           f"publiez sur une autre branche (--branch …), ou supprimez celle-ci si elle ne sert plus "
                           f"({remove})")
            return False
    return True


def deploy(root: Path, *, remote: str = "origin", branch: str = "gh-pages",
           site_url: tuple[str, str] | None = None) -> DeployResult:
    """Check the working copy, build with ``--strict``, then commit the site to ``branch`` and push it."""
    import importlib.util

    problems = Problems()
    result = DeployResult(problems)
    if importlib.util.find_spec("ghp_import") is None:
        problems.error("requirements.txt", 0, "le paquet ghp-import manque",
                       "installez les dépendances : .venv/bin/python -m pip install -r requirements.txt")
        return result
    try:
        inside = _git(root, "rev-parse", "--show-toplevel")
    except FileNotFoundError:
        problems.error("deploy", 0, "git est introuvable", "installez git (apt-get install git)")
        return result
    if inside.returncode != 0:
        problems.error("deploy", 0, f"« {root} » n'est pas dans un dépôt git",
                       "publiez depuis une copie clonée du dépôt (git clone …)")
        return result
    status = _git(root, "status", "--porcelain")
    if status.returncode != 0:
        problems.error("deploy", 0, f"git status a échoué : {_last_lines(status.stderr)}")
        return result
    if status.stdout.strip():
        changed = status.stdout.rstrip("\n").splitlines()
        shown = ", ".join(line[3:] for line in changed[:8]) + (" …" if len(changed) > 8 else "")
        problems.error("deploy", 0, f"modifications non validées ({len(changed)}) : {shown}",
                       "validez-les (git commit) ou mettez-les de côté (git stash) : le site publié doit "
                       "correspondre à un commit")
        return result
    if _git(root, "remote", "get-url", remote).returncode != 0:
        problems.error("deploy", 0, f"dépôt distant « {remote} » inconnu",
                       f"ajoutez-le (git remote add {remote} URL) ou choisissez-en un autre avec --remote")
        return result
    head = _git(root, "rev-parse", "--short", "HEAD")
    if head.returncode != 0:
        problems.error("deploy", 0, "le dépôt n'a encore aucun commit", "validez le projet (git commit) d'abord")
        return result
    result.commit = head.stdout.strip()
    # ghp-import starts from the remote branch when it knows it: fetch it first (absent the first time).
    _git(root, "fetch", "--quiet", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")
    if not _branch_is_ours(root, remote, branch, problems):
        return result

    report = build_project(root, Options(strict=True), site_url=site_url)
    problems.extend(report.problems)
    if report.problems.failed(True) or not report.written:
        problems.error("deploy", 0, "la construction stricte a échoué : rien n'est publié",
                       "corrigez les problèmes ci-dessus, puis relancez python build.py deploy")
        return result

    message = f"{MESSAGE_PREFIX}{result.commit})"
    run = subprocess.run([sys.executable, "-m", "ghp_import", str(report.output), "--push", "--remote", remote,
                          "--branch", branch, "--message", message],
                         cwd=root, capture_output=True, text=True, timeout=GIT_TIMEOUT)
    if run.returncode != 0:
        problems.error("deploy", 0, f"ghp-import n'a pas pu publier la branche « {branch} » : "
                       f"{_last_lines(run.stderr + run.stdout)}",
                       f"vérifiez l'accès en écriture à « {remote} » ; si la branche distante a divergé, "
                       f"récupérez-la (git fetch {remote} {branch}) avant de relancer")
        return result
    local = _git(root, "log", "-1", "--format=%H %s", f"refs/heads/{branch}").stdout.strip()
    published = _git(root, "ls-remote", remote, f"refs/heads/{branch}").stdout.split("\t", 1)[0]
    if local != f"{published} {message}":
        problems.error("deploy", 0, f"la branche « {branch} » de « {remote} » ne contient pas le site construit "
                       f"(git fast-import ou git push a échoué) : {_last_lines(run.stderr + run.stdout)}",
                       "relancez avec une copie de travail propre ; consultez git log " + branch)
        return result
    result.pushed = True
    return result
