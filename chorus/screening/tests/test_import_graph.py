"""The screening package's import graph has no cycles and imports no Django.

Walks every module of ``chorus/screening`` (tests excluded) with :mod:`ast`. Every import
counts: module level, inside functions, and under ``if TYPE_CHECKING:``, because a cycle that
only works thanks to a lazy import is still a cycle in the design. ``from pkg import name``
points at ``pkg.name`` when that is a module of the package, else at ``pkg``. The implicit
import of a parent package's ``__init__`` is not an edge (every submodule would depend on it).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import chorus.screening
from chorus.screening import engine, policy
from chorus.screening.detectors import context

PACKAGE = "chorus.screening"
ROOT = Path(chorus.screening.__file__).resolve().parent


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] == "tests":
            continue
        parts = [PACKAGE, *rel.with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Modules of the package that ``name`` (at ``path``) imports anywhere."""
    is_pkg = path.name == "__init__.py"
    package = name if is_pkg else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                targets.add(candidate if candidate in modules else base)
    return {t for t in targets if t in modules and t != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_walker_sees_the_package_and_its_edges() -> None:
    graph = _graph()
    # The walker must see real edges, or the no-cycle test below could not fail.
    assert {"chorus.screening.engine", "chorus.screening.types"} <= set(graph)
    assert "chorus.screening.types" in graph["chorus.screening.engine"]
    assert "chorus.screening.lexicon" in graph["chorus.screening.detectors.business"]
    assert "chorus.screening.detectors" in graph["chorus.screening.engine"]  # lazy import


def test_cycle_finder_finds_a_cycle() -> None:
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


def test_screening_package_has_no_import_cycles() -> None:
    cycle = _find_cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_types_module_imports_nothing_of_the_package() -> None:
    assert _graph()["chorus.screening.types"] == set()


def test_screening_never_imports_django() -> None:
    offenders = []
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            offenders += [f"{name}: {n}" for n in names if n.split(".")[0] == "django"]
    assert offenders == []


@pytest.mark.parametrize(
    ("module", "names"),
    [
        (chorus.screening, ["MAX_TEXT_CHARS", "Finding", "InputTooLarge", "Post", "Result"]),
        (engine, ["MAX_TEXT_CHARS", "Compiled", "Finding", "InputTooLarge", "Post", "Result"]),
        (policy, ["RuleSetting", "Policy"]),
        (context, ["Context", "Emit", "Hit"]),
    ],
)
def test_public_names_still_importable_from_their_old_homes(
    module: object, names: list[str]
) -> None:
    from chorus.screening import compiled, types

    for name in names:
        value = getattr(module, name)
        if hasattr(types, name):
            assert value is getattr(types, name)
        elif name == "Compiled":
            assert value is compiled.Compiled
