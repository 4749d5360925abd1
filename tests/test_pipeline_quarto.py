"""Quarto projects built end to end: ``--quarto DOSSIER`` where the project stands, and a config.yaml whose only
line is ``quarto_project``. Every relative link of every page must lead to a file of the built site."""

import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

from conftest import FIXTURES, REPO, run_build


def build_quarto(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), "--quarto", str(folder), *args],
                          capture_output=True, text=True, timeout=120, cwd=folder)


def broken_links(site: Path) -> list[str]:
    """Relative href/src of every HTML page that lead to no file of ``site``."""
    broken = []
    for page in sorted(site.rglob("*.html")):
        if page.name == "404.html":
            continue
        for target in re.findall(r'(?:href|src)="([^"#?]+)', page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target):
                continue
            path = (page.parent / unquote(target)).resolve()
            if not (path.is_file() or (path.is_dir() and (path / "index.html").is_file())):
                broken.append(f"{page.relative_to(site)} -> {target}")
    return broken


def test_website_built_where_it_stands(tmp_path):
    folder = tmp_path / "site-quarto"
    shutil.copytree(FIXTURES / "quarto-site", folder)
    result = build_quarto(folder)
    assert result.returncode == 0, result.stderr
    assert "Site construit dans _atelier/ : 5 pages" in result.stdout
    site = folder / "_atelier"
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert pages == ["404.html", "a-propos.html", "guides/Fiche_api.html", "guides/sous-dossier/fiche.2.html",
                     "index.html", "recherche.html"]
    assert broken_links(site) == []
    api = (site / "guides" / "Fiche_api.html").read_text(encoding="utf-8")
    assert '<h1 id="api">Travailler avec des API</h1>' in api
    assert '<img src="../images/logo.png" alt="Le logo"' in api
    assert '<a href="../a-propos.html#qui-sommes-nous">' in api  # bookdown's #id of another page
    assert '<li class="sidebar-group niveau-1">Plus loin</li>' in api
    assert '<a href="sous-dossier/fiche.2.html">La fiche numéro 2</a>' in api  # the menu's text: in the sidebar
    assert '<span class="numero">' not in api  # a website numbers nothing
    assert 'href="https://github.com/exemple/site/edit/main/docs/guides/Fiche_api.qmd">Modifier cette page' in api
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "<h1>Accueil du site</h1>" in home and "Bienvenue." in home
    deux = (site / "guides" / "sous-dossier" / "fiche.2.html").read_text(encoding="utf-8")
    assert '<img src="../../images/logo.png"' in deux  # default-image-extension: png
    assert not (site / "brouillons").exists() and not (site / "_partiel.html").exists()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [".build.lock", ".cache", "_atelier", "_partiel.qmd", "_quarto.yml", "a-propos.qmd", "brouillons", "guides",
         "images", "index.qmd"])  # nothing else written into the author's project


def test_book_from_a_one_line_config(tmp_path):
    root = tmp_path / "projet"
    shutil.copytree(FIXTURES / "quarto-book", root / "content")
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "config.yaml").write_text("quarto_project: content/_quarto.yml\n", encoding="utf-8")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "content/_quarto.yml:17: avertissement : pied de page (page-footer) : attribut « onclick » retiré de <span> "
        "(la politique de sécurité du site n'exécute que le JavaScript des fichiers de templates/static/)"]
    site = root / "site"
    assert broken_links(site) == []
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "<h1>Bienvenue</h1>" in home and '<link rel="icon" href="images/icone.png">' in home
    assert (site / "images" / "icone.png").is_file()
    assert '<div class="footer-left">Écrit avec <em>soin</em>.</div>' in home and "onclick" not in home
    intro = (site / "intro.html").read_text(encoding="utf-8")
    assert '<h1 id="sec-intro"><span class="numero">1</span> Introduction</h1>' in intro
    assert '<span class="numero">1.1.1</span> Un détail' in intro
    assert '<span class="numero">1.1.1.1</span> Plus bas' in intro  # Quarto numbers every level by default
    assert re.search(r'<li><a href="index.html"[^>]*>Bienvenue</a>', home)  # a book's index.qmd is never numbered
    assert '<a class="xref" href="annexe.html#sec-annexe">' in intro
    annexe = (site / "annexe.html").read_text(encoding="utf-8")
    assert '<span class="numero">A</span> Annexe technique' in annexe and '<span class="numero">A.1</span>' in annexe
    sidebar = re.search(r'<ol class="sidebar-list">.*?</nav>', annexe, re.S).group(0)
    assert re.findall(r'<li class="sidebar-group[^"]*">(?:<a [^>]*>)?([^<]+)', sidebar) == [
        "Première partie\u00a0: les bases", "Deuxième partie", "Annexes"]  # French typography
    assert 'href="https://github.com/exemple/livre/blob/principale/annexe.qmd">Voir le code source' in annexe
    assert "https://exemple.org/livre/intro.html" in (site / "sitemap.xml").read_text(encoding="utf-8")


def test_quarto_folder_without_project_file(tmp_path):
    result = build_quarto(tmp_path)
    assert result.returncode == 1
    assert f"{tmp_path}: pas de fichier _quarto.yml dans ce dossier (indiquez le dossier d'un projet Quarto " \
           "(celui qui contient _quarto.yml))" in result.stderr.splitlines()


def test_quarto_option_only_builds_or_checks(tmp_path):
    result = build_quarto(tmp_path, "serve")
    assert result.returncode == 2 and "--quarto s'emploie avec build ou check" in result.stderr


def test_a_quarto_404_page_leaves_the_place_to_the_tool(tmp_path):
    folder = tmp_path / "site-quarto"
    shutil.copytree(FIXTURES / "quarto-site", folder)
    (folder / "404.qmd").write_text("# Perdu ?\n\nCette page n'existe pas.\n", encoding="utf-8")
    result = build_quarto(folder)
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if "site-url est vide" not in line] == [
        "404.qmd: avertissement : page non publiée : « 404.html » est une page de l'outil (la page d'erreur 404 et "
        "la page de recherche du site sont celles de l'outil)"]
    assert "Page introuvable" in (folder / "_atelier" / "404.html").read_text(encoding="utf-8")
    note = next(line for line in result.stderr.splitlines() if "site-url est vide" in line)
    assert note.startswith("_quarto.yml: avertissement : site-url est vide") and "sous website: ou book:" in note


def test_check_a_quarto_project_writes_nothing(tmp_path):
    folder = tmp_path / "site-quarto"
    shutil.copytree(FIXTURES / "quarto-site", folder)
    (folder / "a-propos.qmd").write_text("# À propos\n\nVoir [ailleurs](absent.qmd).\n", encoding="utf-8")
    before = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))
    result = build_quarto(folder, "check")
    assert result.returncode == 1  # check counts warnings: a broken link in a Quarto page is one
    assert ("a-propos.qmd:3: avertissement : lien vers « absent.qmd » : ce chapitre n'existe pas ou n'est pas publié"
            in result.stderr)
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == before
