"""``check``: authoring mistakes (alt text, heading levels, straight quotes), JSON report, external links."""

import json

from browser import serve_folder
from conftest import run_build


def write_chapter(project, body: str) -> None:
    (project / "content" / "02-suite.md").write_text(f"---\ntitle: \"La suite\"\n---\n{body}", encoding="utf-8")


BODY = ('Il dit "bonjour" et `print("code")` reste, comme <https://exemple.org/?q="x">.\n\n'
        "![](assets/schema.svg)\n\n## Section\n\n#### Trop profond\n")


def test_check_reports_authoring_mistakes(project):
    write_chapter(project, BODY)
    result = run_build(project, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "content/02-suite.md:4: avertissement : guillemets droits \"…\" dans le texte (en français, écrivez « … » "
        "(avec des espaces insécables, ajoutées à la construction))",
        "content/02-suite.md:6: avertissement : image « assets/schema.svg » sans texte alternatif "
        "(décrivez-la entre les crochets : ![Ce que montre l'image](…))",
        "content/02-suite.md:10: avertissement : niveau de titre sauté : #### après ## (utilisez ### ici, "
        "ou ajoutez le niveau intermédiaire)",
    ]
    assert run_build(project).returncode == 0  # the build itself only checks what breaks the site


def test_check_json_for_ci(project):
    write_chapter(project, "## Section\n\n#### Trop profond\n\nVoir <https://exemple.org/>.\n")
    result = run_build(project, "check", "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report == {
        "problems": [{"path": "content/02-suite.md", "line": 6, "severity": "warning",
                      "message": "niveau de titre sauté : #### après ##",
                      "hint": "utilisez ### ici, ou ajoutez le niveau intermédiaire"}],
        "external_links": [{"path": "content/02-suite.md", "line": 8, "url": "https://exemple.org/",
                            "status": "non vérifié"}],
    }


def test_check_external_fetches_links_from_a_local_server(project, tmp_path):
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "ok.html").write_text("ok", encoding="utf-8")
    with serve_folder(tmp_path / "www") as url:
        write_chapter(project, f"Voir [ceci]({url}ok.html) et [cela]({url}absent.html).\n")
        unchecked = run_build(project, "check")
        checked = run_build(project, "check", "--external")
    assert unchecked.returncode == 0, unchecked.stderr
    assert f"content/02-suite.md:4: lien externe (non vérifié) : {url}absent.html" in unchecked.stdout
    assert checked.returncode == 1
    assert checked.stderr.splitlines() == [
        f"content/02-suite.md:4: lien externe cassé : {url}absent.html (réponse HTTP 404) "
        "(corrigez l'adresse ou retirez le lien)"]
    assert f"content/02-suite.md:4: lien externe (vérifié) : {url}ok.html" in checked.stdout


def test_check_external_reports_an_unreachable_host(project):
    write_chapter(project, "Voir [ceci](http://127.0.0.1:9/rien).\n")
    result = run_build(project, "check", "--external")
    assert result.returncode == 1
    assert result.stderr.startswith("content/02-suite.md:4: lien externe cassé : http://127.0.0.1:9/rien "
                                    "(inaccessible (")
