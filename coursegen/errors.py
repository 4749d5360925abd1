"""The error vocabulary of every stage: one located problem, one unlocated error, one formatter.

- :class:`SiteError` is a problem at ``path:line`` of the author's files (line 1-based, 0 if unknown),
  collected in :class:`Problems` so that every problem of a run is reported before it fails once;
- :class:`UserError` is a problem whose place the caller knows (a figure, a Quarto run, an output path):
  the caller turns it into a ``SiteError`` at its own file and line;
- :func:`format_problem` prints a problem as ``path:line: message (what to do)``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(unsafe_hash=True)
class SiteError(Exception):
    """One problem in the author's input, located at ``path:line``. Not frozen: a context manager sets
    ``__traceback__`` on the exceptions that cross it."""

    path: str
    line: int
    message: str
    hint: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        return format_problem(self)


class UserError(Exception):
    """A French message and what to do about it, placed at a file and line by whoever catches it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.hint = message, hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message

    def at(self, path: str, line: int = 0, severity: Severity = "error") -> SiteError:
        return SiteError(path, line, self.message, self.hint, severity)


def format_problem(problem: SiteError) -> str:
    """A problem as every command prints it: ``content/01-x.md:7: avertissement : message (que faire)``."""
    where = f"{problem.path}:{problem.line}" if problem.line else problem.path
    kind = "avertissement : " if problem.severity == "warning" else ""
    hint = f" ({problem.hint})" if problem.hint else ""
    return f"{where}: {kind}{problem.message}{hint}"


@dataclass
class Problems:
    """Collects every problem of a run so they can all be reported before failing once."""

    items: list[SiteError] = field(default_factory=list)

    def add(self, problem: SiteError) -> None:
        self.items.append(problem)

    def error(self, path: str, line: int, message: str, hint: str = "") -> None:
        self.items.append(SiteError(path, line, message, hint, "error"))

    def warn(self, path: str, line: int, message: str, hint: str = "") -> None:
        self.items.append(SiteError(path, line, message, hint, "warning"))

    def extend(self, other: "Problems") -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[SiteError]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[SiteError]:
        return [p for p in self.items if p.severity == "warning"]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))


def did_you_mean(name: str, choices: list[str] | tuple[str, ...] | set[str] | dict) -> str:
    """A French hint naming the closest known name, or an empty string."""
    close = difflib.get_close_matches(name, sorted(choices), n=1, cutoff=0.6)
    return f"vouliez-vous dire « {close[0]} » ?" if close else ""
