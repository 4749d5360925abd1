"""Interface strings get the same French typography as the prose (``pages.ui``)."""

from coursegen.pages.ui import UI
from coursegen.text import NBSP, french


def test_interface_strings_are_typeset():
    assert UI["glossary_used_in"] == f"Employé dans{NBSP}:"
    assert UI["not_found_text"] == "La page demandée n’existe pas ou a été déplacée."
    assert UI["back_home"] == "Retour à l’accueil"
    assert f"(en local{NBSP}: python build.py serve)" in UI["search_needs_js"]
    assert all(french(text) == text and "'" not in text for text in UI.values())
