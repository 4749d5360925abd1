"""``build.py``'s help, usage line and argument errors are in French (``commands.arguments``)."""

import re

import pytest

from conftest import run_build
from coursegen.commands.arguments import FrenchArgumentParser, french_error

ENGLISH = re.compile(r"usage:|positional arguments|show this help|invalid choice|unrecognized arguments|"
                     r"the following arguments|expected one argument|error:|choose from")


def test_help_is_french(project):
    result = run_build(project, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("utilisation : python build.py [-h]")
    assert "\noptions:\n" in result.stdout and "\narguments:\n" in result.stdout
    assert "-h, --help            afficher cette aide et quitter" in result.stdout
    assert "--root DOSSIER" in result.stdout and "[{build,serve,check,freeze," in result.stdout
    assert "[NOM ...]" in result.stdout
    assert not ENGLISH.search(result.stdout)


@pytest.mark.parametrize("args, message", [
    (("nouvelle",), "erreur : argument « commande » : choix invalide : 'nouvelle' (possibles : 'build', "),
    (("--inconnue",), "erreur : arguments non reconnus : --inconnue"),
    (("--port", "abc"), "erreur : argument « --port » : valeur invalide : 'abc' (type attendu : entier)"),
    (("--format", "xml"), "erreur : argument « --format » : choix invalide : 'xml' (possibles : 'text', 'json')"),
])
def test_bad_arguments_are_explained_in_french(project, args, message):
    result = run_build(project, *args)
    assert result.returncode == 2
    assert result.stderr.startswith("utilisation : python build.py")
    assert f"python build.py : {message}" in result.stderr
    assert not ENGLISH.search(result.stderr), result.stderr
    assert not (project / "site").exists()


def test_a_missing_value_and_a_required_argument(capsys):
    parser = FrenchArgumentParser(prog="outil")
    parser.add_argument("dossier")
    parser.add_argument("--port", type=int)
    with pytest.raises(SystemExit) as exit_:
        parser.parse_args([])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.endswith("outil : erreur : arguments obligatoires manquants : dossier\n")
    with pytest.raises(SystemExit):
        parser.parse_args(["x", "--port"])
    assert capsys.readouterr().err.endswith("outil : erreur : argument « --port » : une valeur est attendue "
                                            "après cette option\n")


def test_a_sentence_not_listed_is_kept_rather_than_lost():
    assert french_error("something new") == "something new"
