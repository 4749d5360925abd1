"""The options of a Quarto code cell, as Quarto reads them: the header ```` ```{r label, echo=FALSE} ````
(knitr's style: R values, ``fig.cap`` for ``fig-cap``) and the leading ``#| key: value`` lines (YAML, values
on several lines too; ``//|`` or ``--|`` in languages whose comments start so). Pure functions of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..yamlfile import compose, construct, yaml_error

# Languages that Quarto renders itself (diagrams, Observable) rather than running them in an engine.
NOT_EXECUTED = frozenset({"mermaid", "dot", "ojs"})
_COMMENT = {"ojs": "//", "js": "//", "javascript": "//", "dot": "//", "mermaid": "%%", "sql": "--", "lua": "--",
            "haskell": "--", "c": "//", "cpp": "//", "java": "//", "rust": "//", "go": "//", "scala": "//",
            "stan": "//", "fortran": "!", "matlab": "%", "tikz": "%", "sas": "*", "stata": "*"}
_HEADER = re.compile(r"^\{([A-Za-z][\w+.-]*)(.*)\}$", re.S)
_R_NUMBER = re.compile(r"^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?L?$")
_R_NAME = re.compile(r"^[A-Za-z.][\w.-]*$")


@dataclass(frozen=True)
class Expr:
    """An option whose value is code (``eval = file.exists(x)``, ``#| eval: !expr …``): only known when run."""

    code: str


@dataclass(frozen=True)
class CellOptions:
    """What one cell asks for; ``problems`` are (line offset from the fence, message, hint)."""

    lang: str
    values: dict[str, Any]
    code: str                                    # the code without its option lines
    problems: list[tuple[int, str, str]] = field(default_factory=list)

    def flag(self, name: str, default: bool = True) -> bool:
        """A yes/no option; a value only known when run (an expression, a list of lines) counts as yes."""
        value = self.values.get(name, default)
        return value if isinstance(value, bool) else default if value is None else True

    def text(self, name: str) -> str:
        value = self.values.get(name)
        return value.strip() if isinstance(value, str) else ""

    @property
    def executed(self) -> bool:
        return self.lang.lower() not in NOT_EXECUTED and self.flag("eval")

    @property
    def shows_output(self) -> bool:
        """Whether running the cell would show something besides its code."""
        return self.executed and self.flag("include") and self.values.get("output", True) is not False


def cell_language(info: str) -> str | None:
    """The language of a cell header (``{r label}`` -> ``r``), or None if the fence is no cell."""
    match = _HEADER.match(info.strip())
    return match.group(1) if match else None


def read_cell(info: str, content: str) -> CellOptions:
    """The header's and the ``#|`` lines' options (the latter win, as in Quarto) and the code left."""
    match = _HEADER.match(info.strip())
    assert match is not None, "read_cell is only called on a cell header"
    lang = match.group(1)
    problems: list[tuple[int, str, str]] = []
    values = _header_options(match.group(2), info.strip(), problems)
    code, yaml_values = _yaml_options(lang, content, problems)
    values.update(yaml_values)
    return CellOptions(lang, values, code, problems)


def _header_options(rest: str, header: str, problems: list[tuple[int, str, str]]) -> dict[str, Any]:
    """``label, echo=FALSE, fig.cap="…"`` (knitr's chunk header) as options."""
    items = _split_items(rest)
    if items is None:
        problems.append((0, f"en-tête de cellule illisible « {header} » : guillemet ou parenthèse "
                         "non fermé", "écrivez par exemple ```{r nom, echo=FALSE, fig.cap=\"Légende\"}"))
        return {}
    values: dict[str, Any] = {}
    for position, item in enumerate(items):
        key, equals, value = item.partition("=")
        key = key.strip()
        if not equals:
            if position == 0:  # knitr's label: the first item without a name (spaces allowed)
                values["label"] = _r_string(key) or key
                continue
            problems.append((0, f"option de cellule « {item.strip()} » sans valeur : ignorée",
                             "écrivez nom=valeur, par exemple echo=FALSE"))
            continue
        if not _R_NAME.match(key) or not value.strip():
            problems.append((0, f"option de cellule « {item.strip()} » illisible : ignorée",
                             "écrivez nom=valeur, par exemple echo=FALSE"))
            continue
        values[key.replace(".", "-")] = _r_value(value.strip())
    return values


def _split_items(text: str) -> list[str] | None:
    """Split at the commas outside quotes and brackets; None when a quote or bracket is left open."""
    items, depth, quote, start, i = [], 0, "", 0, 0
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "\"'`":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < 0:
                return None
        elif char == "," and depth == 0:
            items.append(text[start:i])
            start = i + 1
        i += 1
    if quote or depth:
        return None
    items.append(text[start:])
    return [item for item in items if item.strip()]


def _r_string(text: str) -> str | None:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return None


def _r_value(text: str) -> Any:
    """An R literal as Python (TRUE, 3, "texte", NULL); any other R code stays an expression."""
    if text in ("TRUE", "T"):
        return True
    if text in ("FALSE", "F"):
        return False
    if text in ("NULL", "NA"):
        return None
    string = _r_string(text)
    if string is not None:
        return string
    if _R_NUMBER.match(text):
        number = float(text.rstrip("L"))
        return int(number) if number.is_integer() else number
    return Expr(text)


def _yaml_options(lang: str, content: str, problems: list[tuple[int, str, str]]) -> tuple[str, dict[str, Any]]:
    """The leading option lines (``#| key: value``) read as YAML, and the code after them."""
    prefix = _COMMENT.get(lang.lower(), "#") + "|"
    lines = content.split("\n")
    count = 0
    while count < len(lines) and lines[count].startswith(prefix):
        count += 1
    if not count:
        return content, {}
    code = "\n".join(lines[count:])
    text = "\n".join(re.sub(r"^ ", "", line[len(prefix):].rstrip()) for line in lines[:count])
    try:
        node = compose(text)
    except yaml.YAMLError as exc:
        problem = yaml_error(exc, "", 0)
        problems.append((problem.line, f"options « {prefix} » de la cellule : {problem.message} ; ignorées",
                         problem.hint))
        return code, {}
    if node is None:
        return code, {}
    if not isinstance(node, yaml.MappingNode):
        problems.append((1, f"options « {prefix} » de la cellule : des lignes « {prefix} clé: valeur » sont "
                         "attendues ; ignorées", f"écrivez par exemple « {prefix} echo: false »"))
        return code, {}
    values: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value).replace(".", "-") if isinstance(key_node, yaml.ScalarNode) else ""
        if value_node.tag == "!expr":
            values[key] = Expr(str(value_node.value))
            continue
        try:
            values[key] = construct(value_node)
        except yaml.YAMLError as exc:
            problem = yaml_error(exc, "", 0)
            problems.append((problem.line, f"option « {key} » de la cellule : {problem.message} ; ignorée",
                             problem.hint))
    return code, values
