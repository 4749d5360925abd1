"""Where the pinned pandoc is: the binary shipped in the ``pypandoc-binary`` wheel, else one on the PATH.
Used by the book (``commands.book``) and by citations (``pages.cite``)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from .errors import UserError

INSTALL_HINT = "installez les dépendances épinglées : python -m pip install -r requirements.txt"


def pandoc_binary() -> Path:
    """The pandoc shipped in the ``pypandoc-binary`` wheel, else one on the PATH."""
    spec = importlib.util.find_spec("pypandoc")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder) / "files" / "pandoc"
        if candidate.is_file():
            return candidate
    found = shutil.which("pandoc")
    if found:
        return Path(found)
    raise UserError("Pandoc introuvable (paquet « pypandoc-binary » absent, pas de « pandoc » sur le PATH)",
                    INSTALL_HINT)
