"""``build.py``'s argument parser, speaking French: help, usage and errors.

argparse writes its own words in English (``usage:``, ``options:``, ``invalid choice``…) through the
process-wide ``gettext`` domain; rather than install a translation for the whole process, this parser
names its sections itself, gives its usage line a French prefix and translates the few error sentences
argparse can produce, before printing them in the project's format. Nothing else is imported here, so
that ``--help`` and usage errors answer without loading the stages.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import NoReturn

EXIT_USAGE = 2

# argparse's error sentences (Python 3.10 to 3.13), in the order they are tried; each keeps its details.
_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern), french) for pattern, french in (
    (r"^argument (.+?): (.*)$", "argument « \\1 » : \\2"),
    (r"invalid choice: (.+?) \(choose from (.+)\)", "choix invalide : \\1 (possibles : \\2)"),
    (r"the following arguments are required: (.+)", "arguments obligatoires manquants : \\1"),
    (r"unrecognized arguments: (.+)", "arguments non reconnus : \\1"),
    (r"expected one argument", "une valeur est attendue après cette option"),
    (r"expected at least one argument", "au moins une valeur est attendue"),
    (r"expected at most one argument", "au plus une valeur est attendue"),
    (r"expected (\d+) arguments?", "\\1 valeurs sont attendues"),
    (r"invalid (\w+) value: (.+)", "valeur invalide : \\2 (type attendu : \\1)"),
    (r"ambiguous option: (\S+) could match (.+)", "option ambiguë : \\1 peut désigner \\2"),
    (r"not allowed with argument (.+)", "incompatible avec l’argument \\1"),
    (r"ignored explicit argument (.+)", "valeur ignorée : \\1"),
))
_TYPES = {"int": "entier", "float": "nombre", "Path": "chemin"}


def french_error(message: str) -> str:
    """One argparse error sentence in French (left as it is when argparse wrote a sentence not listed here)."""
    for pattern, french in _ERRORS:
        message = pattern.sub(french, message)
    return re.sub(r"type attendu : (\w+)\)", lambda m: f"type attendu : {_TYPES.get(m.group(1), m.group(1))})",
                  message)


class FrenchHelpFormatter(argparse.HelpFormatter):
    """« utilisation : » instead of « usage: »."""

    def _format_usage(self, usage, actions, groups, prefix):
        return super()._format_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


class FrenchArgumentParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose help, usage line and errors are in French."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("formatter_class", FrenchHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(**kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="afficher cette aide et quitter")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog} : erreur : {french_error(message)}\n")
