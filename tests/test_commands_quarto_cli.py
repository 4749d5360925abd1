"""The Quarto CLI wrapper, tested against a stand-in executable: arguments, folder, log, failures."""

import shutil
import stat
import sys
from pathlib import Path

import pytest

from coursegen.commands import quarto_cli as quarto
from coursegen.errors import UserError
from conftest import run_build


def stand_in(folder: Path, body: str, name: str = "quarto") -> Path:
    """An executable Python script playing Quarto."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!{sys.executable}\nimport os, sys, time\n{body}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_arguments_working_directory_and_streamed_log(tmp_path):
    binary = stand_in(tmp_path / "bin", "print('args', sys.argv[1:]); print('cwd', os.getcwd()); sys.stdout.flush()")
    work = tmp_path / "livre"
    work.mkdir()
    seen = []
    log = quarto.run(binary, ["render", ".", "--to", "typst"], cwd=work, timeout=30, on_line=seen.append)
    assert seen == ["args ['render', '.', '--to', 'typst']", f"cwd {work}"]
    assert log == "\n".join(seen)


def test_version_and_locate_from_config_path(tmp_path):
    stand_in(tmp_path / "outils", "print('1.8.25')")
    found = quarto.locate(tmp_path, "outils/quarto")
    assert found == quarto.Quarto(tmp_path / "outils" / "quarto", "1.8.25")


def test_unreadable_version(tmp_path):
    binary = stand_in(tmp_path, "print('bonjour')")
    with pytest.raises(UserError) as caught:
        quarto.version(binary)
    assert str(caught.value) == ("version de Quarto illisible (« bonjour ») (vérifiez que « quarto_path » "
                                 "désigne bien l'exécutable quarto)")


def test_non_zero_exit_names_the_command_and_the_end_of_the_log(tmp_path):
    binary = stand_in(tmp_path, "print('ERROR: typst compile failed'); sys.exit(3)")
    with pytest.raises(UserError) as caught:
        quarto.run(binary, ["render", "."], cwd=tmp_path, timeout=30)
    assert str(caught.value) == "« quarto render . » a échoué (code 3) (fin du journal : ERROR: typst compile failed)"


def test_timeout_kills_the_process_and_its_children(tmp_path):
    binary = stand_in(tmp_path, "import subprocess\nsubprocess.Popen(['sleep', '60'])\nprint('début', flush=True)\n"
                                "time.sleep(60)")
    with pytest.raises(UserError) as caught:
        quarto.run(binary, ["render"], cwd=tmp_path, timeout=1)
    assert caught.value.message == "« quarto render » n'a pas fini en 1 s : arrêté"


def test_non_utf8_output_is_replaced_not_fatal(tmp_path):
    binary = stand_in(tmp_path, "sys.stdout.buffer.write(b'caf\\xe9 ok\\n')")
    assert quarto.run(binary, ["x"], cwd=tmp_path, timeout=30) == "caf\ufffd ok"


def test_missing_binary(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "vide"))
    with pytest.raises(UserError) as caught:
        quarto.find(tmp_path)
    assert caught.value.message == "Quarto n'est pas installé (commande « quarto » absente du PATH)"
    with pytest.raises(UserError) as caught:
        quarto.find(tmp_path, "absent/quarto")
    assert caught.value.message == "Quarto introuvable à « absent/quarto » (quarto_path de config.yaml)"
    with pytest.raises(UserError) as caught:
        quarto.run(tmp_path / "absent", ["--version"], cwd=tmp_path)
    assert caught.value.message == f"Quarto introuvable (« {tmp_path / 'absent'} »)"


def test_pdf_without_quarto_says_so_in_one_line(project):
    text = (project / "config.yaml").read_text(encoding="utf-8")
    (project / "config.yaml").write_text(text + "quarto_path: outils/quarto\n", encoding="utf-8")
    result = run_build(project, "pdf")
    assert result.returncode == 1
    assert result.stderr == ("pdf : Quarto introuvable à « outils/quarto » (quarto_path de config.yaml) "
                             "(corrigez ce chemin ou retirez la clé pour utiliser le PATH)\n")


def test_pdf_with_a_stand_in_quarto_links_the_downloads(project):
    stand_in(project / "outils", """
if sys.argv[1] == '--version':
    print('1.8.25'); sys.exit(0)
assert sys.argv[1:3] == ['render', '.'] and os.path.isfile('_quarto.yml'), sys.argv
fmt = sys.argv[4]
os.makedirs('_book', exist_ok=True)
open('_book/cours.' + ('pdf' if fmt == 'typst' else 'epub'), 'wb').write(b'%PDF-1.7 ' + fmt.encode())
print('Output created: _book/cours')
""")
    text = (project / "config.yaml").read_text(encoding="utf-8")
    (project / "config.yaml").write_text(text + "quarto_path: outils/quarto\n", encoding="utf-8")
    result = run_build(project, "pdf")
    assert result.returncode == 0, result.stderr
    assert "  quarto │ Output created: _book/cours" in result.stdout
    assert (project / "site" / "telechargements" / "cours.pdf").read_bytes() == b"%PDF-1.7 typst"
    assert (project / "site" / "telechargements" / "cours.epub").read_bytes() == b"%PDF-1.7 epub"
    home = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert ('Télécharger le cours\u00a0: <a href="telechargements/cours.pdf" download>PDF (1 Ko)</a> · '
            '<a href="telechargements/cours.epub" download>EPUB (1 Ko)</a>') in home


@pytest.mark.skipif(shutil.which("quarto") is None, reason="Quarto absent du PATH (le chemin Pandoc + Typst est testé dans test_commands_book.py)")
def test_real_quarto_renders_the_exported_fixture(tmp_path):
    from conftest import make_project
    from coursegen.errors import Problems
    from coursegen.commands.export import export

    root = make_project(tmp_path / "projet", "quarto")
    problems = Problems()
    export(root, tmp_path / "livre", problems)
    assert not problems.items
    binary = quarto.find(root)
    quarto.run(binary, ["render", ".", "--to", "html"], cwd=tmp_path / "livre", timeout=600)
    assert (tmp_path / "livre" / "_book" / "index.html").is_file()
