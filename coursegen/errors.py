"""Problems found during a run: collected, reported as ``path:line: message``, failed once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class SiteError(Exception):
    """One problem in the author's input, located at ``path:line`` (line is 1-based, 0 if unknown)."""

    path: str
    line: int
    message: str
    hint: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{where}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


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


class BuildFailed(Exception):
    """Raised by a stage when the run cannot go on; the problems are already collected."""


def did_you_mean(name: str, choices: list[str] | tuple[str, ...] | set[str]) -> str:
    """A French hint naming the closest known name, or an empty string."""
    import difflib

    close = difflib.get_close_matches(name, sorted(choices), n=1, cutoff=0.6)
    return f"vouliez-vous dire « {close[0]} » ?" if close else ""
