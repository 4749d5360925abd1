"""The package's shape: modules laid out by build stage, no import cycle, no import hidden in a function.

Every ``import`` of a ``coursegen`` module is read with ``ast`` (inside functions too), so a cycle cannot
hide behind a function-local import.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "coursegen"

# The order the data flows; a module may import its own stage or an earlier one, never a later one.
STAGES = {"": 0, "attention": 1, "source": 2, "markdown": 3, "course": 4, "pages": 5, "output": 6, "speed": 7,
          "pipeline": 8, "commands": 9}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def stage(module: str) -> int:
    parts = module.split(".")[1:]
    if not parts:
        return 0
    folder = parts[0] if (PACKAGE / parts[0]).is_dir() else ""
    return STAGES[parts[0]] if parts[0] == "pipeline" else STAGES[folder]


def imports(module: str, path: Path, known: set[str]) -> list[tuple[str, int, bool]]:
    """(imported coursegen module, line, inside a function) for every import statement of ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                if base.split(".")[0] == "coursegen":
                    for alias in child.names:
                        target = f"{base}.{alias.name}"
                        found.append((target if target in known else base, child.lineno, in_function))
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.split(".")[0] == "coursegen":
                        found.append((alias.name, child.lineno, in_function))
            visit(child, inner)
    visit(tree, False)
    return found


def graph() -> dict[str, set[str]]:
    known = set(modules())
    return {name: {target for target, _, _ in imports(name, path, known) if target != name}
            for name, path in modules().items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in edges.get(node, ()):
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return found


def test_cycle_finder_finds_a_cycle_through_a_function_local_import(tmp_path, monkeypatch):
    """The checker itself: a two-module cycle hidden by an import inside a function is caught."""
    package = tmp_path / "coursegen"
    (package / "markdown").mkdir(parents=True)
    for name in ("__init__.py", "markdown/__init__.py"):
        (package / name).write_text("", encoding="utf-8")
    (package / "markdown" / "a.py").write_text("from . import b\n", encoding="utf-8")
    (package / "markdown" / "b.py").write_text("def f():\n    from .a import x\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", package)
    assert cycles(graph()) == [["coursegen.markdown.a", "coursegen.markdown.b"]]


def test_no_import_cycle_inside_the_package():
    found = cycles(graph())
    print(f"\n{len(modules())} modules, {sum(len(v) for v in graph().values())} imports, cycles : {found or 'aucun'}")
    assert found == []


def test_no_module_imports_a_later_stage():
    known = set(modules())
    late = [f"{path.relative_to(PACKAGE.parent)}:{line}: {name} (étape {stage(name)}) importe {target} "
            f"(étape {stage(target)})"
            for name, path in modules().items() for target, line, _ in imports(name, path, known)
            if stage(target) > stage(name)]
    assert late == []


def test_function_local_imports_say_why():
    """An import inside a function is only for start-up speed (or an optional dependency), and says so."""
    known = set(modules())
    silent = []
    for name, path in modules().items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for target, line, in_function in imports(name, path, known):
            text = lines[line - 1] + (lines[line - 2] if line > 1 else "")
            if in_function and "lazy" not in text:
                silent.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {target}")
    assert silent == []


@pytest.mark.parametrize("folder", sorted(set(STAGES) - {"", "pipeline"}))
def test_every_stage_folder_exists_and_says_what_it_is(folder):
    init = PACKAGE / folder / "__init__.py"
    assert init.is_file()
    described = (PACKAGE / "__init__.py").read_text(encoding="utf-8")
    assert f"``{folder}/``" in described
