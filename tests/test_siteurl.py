"""The address of a site whose config.yaml has no site_url: deduced from a CNAME file or the GitHub remote,
said in the build summary, and a warning naming config.yaml when nothing tells it (``coursegen.siteurl``)."""

import subprocess

import pytest

from conftest import run_build
from coursegen.siteurl import cname_url, github_pages_url
from test_output_extras import set_key


@pytest.mark.parametrize("remote, url", [
    ("https://github.com/Jeanne-D/atelier-llm.git", "https://jeanne-d.github.io/atelier-llm/"),
    ("https://github.com/Jeanne-D/atelier-llm", "https://jeanne-d.github.io/atelier-llm/"),
    ("https://jeton@github.com/jeanne-d/atelier-llm.git/", "https://jeanne-d.github.io/atelier-llm/"),
    ("git@github.com:Jeanne-D/atelier-llm.git", "https://jeanne-d.github.io/atelier-llm/"),
    ("ssh://git@github.com/Jeanne-D/atelier.llm.git", "https://jeanne-d.github.io/atelier.llm/"),
    ("git@github.com:Jeanne-D/Jeanne-D.github.io.git", "https://jeanne-d.github.io/"),
    ("https://gitlab.com/jeanne/atelier.git", ""),
    ("/srv/git/atelier.git", ""),
    ("", ""),
])
def test_github_remote_to_pages_address(remote, url):
    assert github_pages_url(remote) == url


@pytest.mark.parametrize("text, url", [
    ("cours.exemple.fr\n", "https://cours.exemple.fr/"),
    ("Cours.Exemple.FR.\n\nautre\n", "https://cours.exemple.fr/"),
    ("https://cours.exemple.fr/", ""),
    ("", ""),
])
def test_cname_file_to_address(text, url):
    assert cname_url(text) == url


def git(root, *args):
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def unset(project):
    set_key(project, "site_url", '""')
    return project


def test_github_remote_gives_the_404_page_its_address(unset):
    git(unset, "init", "-q")
    git(unset, "remote", "add", "origin", "git@github.com:Jeanne-D/atelier-llm.git")
    result = run_build(unset, "--strict")
    assert result.returncode == 0, result.stderr
    assert ("Adresse du site déduite du dépôt GitHub (git remote origin) : https://jeanne-d.github.io/atelier-llm/ "
            "(pour une autre adresse : site_url dans config.yaml)") in result.stdout
    page = (unset / "site" / "404.html").read_text(encoding="utf-8")
    assert 'href="/atelier-llm/static/site.css"' in page and 'href="/atelier-llm/index.html"' in page
    assert "avertissement" not in result.stderr


def test_a_cname_file_wins_over_the_remote(unset):
    git(unset, "init", "-q")
    git(unset, "remote", "add", "origin", "https://github.com/Jeanne-D/atelier-llm")
    (unset / "content" / "CNAME").write_text("cours.exemple.fr\n", encoding="utf-8")
    result = run_build(unset)
    assert result.returncode == 0, result.stderr
    assert "Adresse du site déduite du fichier content/CNAME : https://cours.exemple.fr/" in result.stdout
    assert 'href="/static/site.css"' in (unset / "site" / "404.html").read_text(encoding="utf-8")


def test_nothing_to_deduce_from_is_said_once_naming_config_yaml(unset):
    result = run_build(unset, "--strict")
    assert result.returncode == 0, result.stderr  # a warning about where the site goes, not about the course
    line = next(i for i, text in enumerate((unset / "config.yaml").read_text().splitlines(), 1)
                if text.startswith("site_url:"))
    assert result.stderr.count("site_url est vide") == 1
    assert (f"config.yaml:{line}: avertissement : site_url est vide et ni un fichier CNAME ni le dépôt GitHub "
            "(git remote origin) ne donnent l'adresse du site : une page 404 plus profonde que la racine du site "
            "s'affichera sans mise en forme") in result.stderr
    assert "Adresse du site" not in result.stdout
    quiet = run_build(unset, "-q")
    assert quiet.stderr == ""


def test_an_address_given_is_never_replaced(unset):
    git(unset, "init", "-q")
    git(unset, "remote", "add", "origin", "git@github.com:Jeanne-D/atelier-llm.git")
    result = run_build(unset, "--site-url", "https://ailleurs.example.org/cours/")
    assert result.returncode == 0, result.stderr
    assert "Adresse du site" not in result.stdout
    assert 'href="/cours/static/site.css"' in (unset / "site" / "404.html").read_text(encoding="utf-8")
