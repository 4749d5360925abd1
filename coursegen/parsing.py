"""Shared helpers for reading author files: decoding with a located error, YAML errors at file:line."""

from __future__ import annotations

import yaml

from .errors import Problems, SiteError


def decode_source(data: bytes, path: str, problems: Problems) -> str | None:
    """UTF-8 (with or without BOM) to text with ``\\n`` line ends; a located error otherwise."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.error(path, line, "le fichier n'est pas encodé en UTF-8",
                       "réenregistrez-le en UTF-8 dans votre éditeur")
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def yaml_error(exc: yaml.YAMLError, path: str, line_offset: int) -> SiteError:
    """A YAML parser error as a French message at the right line of the author's file."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = (mark.line + 1 + line_offset) if mark is not None else line_offset + 1
    problem = getattr(exc, "problem", None) or str(exc)
    hint = "vérifiez l'indentation, les deux-points et les guillemets"
    if "\t" in problem or "tab" in problem:
        hint = "YAML n'accepte pas les tabulations : indentez avec des espaces"
    return SiteError(path, line, f"YAML invalide : {problem}", hint)
