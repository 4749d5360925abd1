"""`python build.py deploy`: the site pushed to gh-pages of a local bare repository, and every refusal."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, make_project, run_build, tree_digest


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, Path]:
    """The fixture course committed in a git repository whose `origin` is a bare repository in tmp_path."""
    project = make_project(tmp_path / "projet")
    # the repository's own ignore list: what a build leaves beside the sources (site/, lock, caches)
    shutil.copy(REPO / ".gitignore", project / ".gitignore")
    remote = tmp_path / "distant.git"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    git(project, "init", "--quiet", "-b", "main")
    git(project, "config", "user.name", "Équipe Atelier")
    git(project, "config", "user.email", "atelier@example.org")
    git(project, "add", "-A")
    git(project, "commit", "--quiet", "-m", "Cours d'essai")
    git(project, "remote", "add", "origin", str(remote))
    return project, remote


def published(remote: Path, branch: str = "gh-pages") -> dict[str, str]:
    """Path -> blob id of the files on ``branch`` of the bare repository ({} if the branch does not exist)."""
    result = subprocess.run(["git", "--git-dir", str(remote), "ls-tree", "-r", branch], capture_output=True, text=True)
    if result.returncode != 0:
        return {}
    return {line.split("\t")[1]: line.split()[2] for line in result.stdout.splitlines()}


def blob(path: Path) -> str:
    return subprocess.run(["git", "hash-object", str(path)], capture_output=True, text=True).stdout.strip()


def test_deploy_pushes_the_built_site_to_gh_pages(repo):
    project, remote = repo
    result = run_build(project, "deploy")
    assert result.returncode == 0, result.stderr
    head = git(project, "rev-parse", "--short", "HEAD").strip()
    assert f"Site publié sur la branche « gh-pages » de « origin » (source {head})." in result.stdout
    files = published(remote)
    site = project / "site"
    assert set(files) == set(tree_digest(site))          # exactly the site, .nojekyll included
    assert {".nojekyll", "index.html", "bases.html", "sitemap.xml", "llms.txt", "static/social.png"} <= set(files)
    for name in ("index.html", "bases.md", "static/social.png"):
        assert files[name] == blob(site / name)
    message = git(remote, "log", "-1", "--format=%s", "gh-pages").strip()
    assert message == f"Publication du site (source {head})"
    assert "main" not in git(remote, "branch")           # only gh-pages is pushed, never the sources


def test_a_second_deploy_adds_a_commit_on_top(repo):
    project, remote = repo
    assert run_build(project, "deploy").returncode == 0
    first = git(remote, "rev-parse", "gh-pages").strip()
    chapter = project / "content" / "02-suite.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nUn paragraphe ajouté.\n", encoding="utf-8")
    git(project, "commit", "--quiet", "-am", "Suite : un paragraphe")
    result = run_build(project, "deploy")
    assert result.returncode == 0, result.stderr
    assert git(remote, "rev-parse", "gh-pages^").strip() == first
    page = git(remote, "show", "gh-pages:suite.html")
    assert "Un paragraphe ajouté." in page


def test_deploy_refuses_uncommitted_changes(repo):
    project, remote = repo
    chapter = project / "content" / "01-bases.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nPas encore validé.\n", encoding="utf-8")
    (project / "brouillon.txt").write_text("note\n", encoding="utf-8")
    result = run_build(project, "deploy")
    assert result.returncode == 1
    assert ("deploy: modifications non validées (2) : content/01-bases.md, brouillon.txt (validez-les (git commit) "
            "ou mettez-les de côté (git stash) : le site publié doit correspondre à un commit)") in result.stderr
    assert "Publication annulée : rien n'a été poussé." in result.stderr
    assert published(remote) == {}
    assert not (project / "site").exists()    # refused before building


def test_deploy_refuses_a_failing_strict_build(repo):
    project, remote = repo
    assert run_build(project, "deploy").returncode == 0
    before = git(remote, "rev-parse", "gh-pages").strip()
    # a warning only (a chapter left out of config.yaml): the build passes, the strict build does not
    (project / "content" / "03-oubli.md").write_text('---\ntitle: "Oubli"\n---\nTexte.\n', encoding="utf-8")
    git(project, "add", "-A")
    git(project, "commit", "--quiet", "-m", "Chapitre non listé")
    assert run_build(project).returncode == 0
    result = run_build(project, "deploy")
    assert result.returncode == 1
    assert "content/03-oubli.md: avertissement : chapitre absent de la liste « chapters »" in result.stderr
    assert "deploy: la construction stricte a échoué : rien n'est publié" in result.stderr
    assert git(remote, "rev-parse", "gh-pages").strip() == before


def test_deploy_refuses_a_broken_link(repo):
    project, remote = repo
    chapter = project / "content" / "01-bases.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nVoir [ailleurs](09-absent.md).\n", encoding="utf-8")
    git(project, "commit", "--quiet", "-am", "Lien cassé")
    result = run_build(project, "deploy")
    assert result.returncode == 1
    assert "lien vers « 09-absent.md » : ce chapitre n'existe pas" in result.stderr
    assert published(remote) == {}


def test_deploy_outside_git_or_without_the_remote(repo, tmp_path):
    project, _ = repo
    result = run_build(project, "deploy", "--remote", "publication")
    assert result.returncode == 1
    assert "deploy: dépôt distant « publication » inconnu (ajoutez-le (git remote add publication URL)" \
        in result.stderr
    loose = make_project(tmp_path / "hors-git")
    result = run_build(loose, "deploy")
    assert result.returncode == 1
    assert "n'est pas dans un dépôt git (publiez depuis une copie clonée du dépôt (git clone …))" in result.stderr
    assert "Traceback" not in result.stderr


def test_deploy_to_another_branch_with_the_site_url_option(repo):
    project, remote = repo
    result = run_build(project, "deploy", "--branch", "pages", "--site-url", "https://cours.exemple.fr/")
    assert result.returncode == 0, result.stderr
    assert published(remote, "gh-pages") == {}
    sitemap = git(remote, "show", "pages:sitemap.xml")
    assert "<loc>https://cours.exemple.fr/bases.html</loc>" in sitemap


def test_deploy_never_replaces_the_branch_checked_out(repo):
    project, remote = repo
    head = git(project, "rev-parse", "main").strip()
    result = run_build(project, "deploy", "--branch", "main")
    assert result.returncode == 1
    assert ("deploy: la branche « main » est celle de votre copie de travail : ghp-import la remplacerait par le site "
            "(publiez sur une branche à part (--branch gh-pages))") in result.stderr
    assert git(project, "rev-parse", "main").strip() == head
    assert published(remote, "main") == {}
    assert not (project / "site").exists()    # refused before building


def test_deploy_refuses_a_branch_it_did_not_publish(repo):
    """A gh-pages branch holding something else (here the sources): ghp-import would replace all its files."""
    project, remote = repo
    git(project, "push", "--quiet", "origin", "main:gh-pages")
    before = git(remote, "rev-parse", "gh-pages").strip()
    result = run_build(project, "deploy")
    assert result.returncode == 1
    assert ("deploy: la branche « origin/gh-pages » ne contient pas un site publié par cet outil (dernier commit : "
            "« Cours d'essai ») : ghp-import remplacerait tous ses fichiers (publiez sur une autre branche "
            "(--branch …), ou supprimez celle-ci si elle ne sert plus (git push origin --delete gh-pages))"
            ) in result.stderr
    assert git(remote, "rev-parse", "gh-pages").strip() == before
    assert not (project / "site").exists()
    git(project, "branch", "--quiet", "gh-pages", "main")  # the same, as a local branch only
    git(project, "push", "--quiet", "origin", "--delete", "gh-pages")
    result = run_build(project, "deploy")
    assert result.returncode == 1
    assert "deploy: la branche « gh-pages » ne contient pas un site publié par cet outil" in result.stderr
    assert "(git branch -D gh-pages))" in result.stderr
    assert git(project, "rev-parse", "gh-pages").strip() == before


def test_a_branch_published_by_the_previous_version_is_accepted(repo, tmp_path):
    """Published before the site had its marker: recognised by deploy's own commit message."""
    project, remote = repo
    old_site = tmp_path / "ancien-site"
    old_site.mkdir()
    (old_site / "index.html").write_text("<p>ancien</p>", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "ghp_import", str(old_site), "--push", "--branch", "gh-pages",
                    "--message", "Publication du site (source 0000000)"], cwd=project, check=True,
                   capture_output=True, timeout=60)
    previous = git(remote, "rev-parse", "gh-pages").strip()
    result = run_build(project, "deploy")
    assert result.returncode == 0, result.stderr
    assert git(remote, "rev-parse", "gh-pages^").strip() == previous
    assert ".atelier-site" in published(remote)
