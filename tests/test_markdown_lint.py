"""``check``: authoring mistakes (alt text, heading levels, straight quotes), JSON report, external links."""

import json

from browser import _Quiet, serve_folder
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


class _SlowServer(_Quiet):
    """``/lent`` answers one byte every half second (each read is quick, the answer never ends: only an
    overall deadline stops waiting for it); other paths are files of the folder."""

    def _slow(self) -> bool:
        if not self.path.startswith("/lent"):
            return False
        import time

        try:
            for byte in b"HTTP/1.1 200 OK\r\nX-Lent: " + b"x" * 40:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.5)
        except OSError:
            pass  # the checker left
        self.close_connection = True
        return True

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        if not self._slow():
            super().do_HEAD()

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        if not self._slow():
            super().do_GET()


def test_external_links_have_an_overall_deadline(tmp_path):
    import time

    from coursegen.markdown.lint import fetch_links

    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "ok.html").write_text("ok", encoding="utf-8")
    with serve_folder(tmp_path / "www", _SlowServer) as url:
        links = [("content/02-suite.md", f"{url}{name}", 4) for name in ("ok.html", "absent.html", "lent")]
        start = time.monotonic()
        status = fetch_links(links, timeout=10, deadline=3)
        seconds = time.monotonic() - start
    assert status == {f"{url}ok.html": "", f"{url}absent.html": "réponse HTTP 404", f"{url}lent": None}
    assert seconds < 10  # the deadline ended the wait: the slow answer alone lasts 28 s, each read under 1 s


def test_check_reports_links_not_checked_in_time_as_such(project, tmp_path, monkeypatch, capsys):
    from coursegen.commands import cli

    monkeypatch.setattr(cli, "DEADLINE_SECONDS", 2.5)
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "ok.html").write_text("ok", encoding="utf-8")
    with serve_folder(tmp_path / "www", _SlowServer) as url:
        write_chapter(project, f"Voir [ceci]({url}ok.html) et [cela]({url}lent).\n")
        code = cli.run_check(project, external=True)
        out, err = capsys.readouterr()
        assert code == 0, err  # not checked is not broken
        assert f"content/02-suite.md:4: lien externe (vérifié) : {url}ok.html" in out.splitlines()
        assert (f"content/02-suite.md:4: lien externe (non vérifié : pas de réponse dans les 2,5 s accordées à "
                f"toute la vérification) : {url}lent") in out.splitlines()
        assert out.splitlines()[-1] == ("Vérification : 0 erreur, 0 avertissement, 2 liens externes "
                                        "(1 non vérifié à temps).")
        assert err == ""
        cli.run_check(project, external=True, output_format="json")
        report = json.loads(capsys.readouterr().out)
    assert [link["status"] for link in report["external_links"]] == ["ok", "non vérifié"]
