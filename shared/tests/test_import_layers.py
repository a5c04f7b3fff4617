"""shared/ imports in layers: no cycle between its packages and modules, read from the source;
and no cycle between the modules of micro/ (a service's services.py never reaches back to its
handlers.py or tasks.py).

Every import counts, the ones inside functions too (a lazy import hides a cycle from the
interpreter, not from a reader). A cycle is named with the lines that make it.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from shared.deployables import subscribers

SHARED = Path(__file__).resolve().parents[1]
MICRO = SHARED.parent / "micro"

# module -> {imported module: ["path:line" of each import of it]}
ImportGraph = dict[str, dict[str, list[str]]]


def module_name(path: Path, *, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_names(tree: ast.AST, *, package: str) -> Iterator[tuple[str, int]]:
    """The dotted name each import statement names, with its line: `from pkg import module`
    and `from module import name` both give `pkg.module` and `module.name`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: `from . import x`, `from ..y import z`
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno


def _known(name: str, modules: Mapping[str, Path]) -> str | None:
    """The longest prefix of `name` that is a module of the tree (`module.name` -> `module`)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def import_graph(package_dir: Path) -> ImportGraph:
    """The imports between the modules of one package tree (every .py file under it)."""
    root = package_dir.parent
    modules = {module_name(path, root=root): path for path in sorted(package_dir.rglob("*.py"))}
    graph: ImportGraph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = graph.setdefault(name, {})
        tree = ast.parse(path.read_text(), filename=str(path))
        for imported, line in _imported_names(tree, package=package):
            target = _known(imported, modules)
            if target is not None and target != name and target != package_dir.name:
                where = edges.setdefault(target, [])
                if f"{path.relative_to(root)}:{line}" not in where:
                    where.append(f"{path.relative_to(root)}:{line}")
    return graph


def layer_graph(graph: ImportGraph) -> ImportGraph:
    """The same imports between layers: shared's subpackages and its top-level modules."""

    def layer(module: str) -> str:
        return ".".join(module.split(".")[:2])

    layers: ImportGraph = {}
    for module, edges in graph.items():
        for target, where in edges.items():
            if layer(target) != layer(module):
                layers.setdefault(layer(module), {}).setdefault(layer(target), []).extend(where)
    return layers


def cycles(graph: ImportGraph) -> list[list[str]]:
    """One cycle through each back edge a depth-first walk meets, as [a, b, ..., a]."""
    found: list[list[str]] = []
    done: set[str] = set()
    path: list[str] = []

    def walk(node: str) -> None:
        path.append(node)
        for target in sorted(graph.get(node, {})):
            if target in path:
                found.append([*path[path.index(target) :], target])
            elif target not in done:
                walk(target)
        path.pop()
        done.add(node)

    for node in sorted(graph):
        if node not in done:
            walk(node)
    return found


def describe(cycle: list[str], graph: ImportGraph) -> str:
    steps = [f"{a} -> {b}: {', '.join(graph[a][b])}" for a, b in itertools.pairwise(cycle)]
    return " -> ".join(cycle) + ":\n    " + "\n    ".join(steps)


def test_no_cycle_between_the_subpackages_and_modules_of_shared():
    layers = layer_graph(import_graph(SHARED))
    found = cycles(layers)
    assert not found, "import cycles in shared/:\n" + "\n".join(describe(c, layers) for c in found)


def test_no_cycle_between_modules():
    graph = import_graph(SHARED)
    found = cycles(graph)
    assert not found, "import cycles in shared/:\n" + "\n".join(describe(c, graph) for c in found)


def test_no_cycle_between_the_modules_of_micro():
    graph = import_graph(MICRO)
    found = cycles(graph)
    assert not found, "import cycles in micro/:\n" + "\n".join(describe(c, graph) for c in found)


@pytest.mark.parametrize("service", subscribers())
def test_each_consumer_imports_one_way_tasks_handlers_services(service):
    """tasks.py (the Celery task) -> handlers.py (the table, the catch-up) -> services.py."""
    graph = import_graph(MICRO)
    package = f"micro.{service}"

    assert f"{package}.handlers" in graph[f"{package}.tasks"]
    assert f"{package}.services" in graph[f"{package}.handlers"]
    assert not {f"{package}.handlers", f"{package}.tasks"} & set(graph[f"{package}.services"])


def test_a_cycle_is_found_and_named(tmp_path):
    package = tmp_path / "pkg"
    (package / "low").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "low" / "__init__.py").write_text("")
    (package / "low" / "core.py").write_text("def f():\n    from pkg.top import g\n")
    (package / "top.py").write_text("from .low import core\n")
    layers = layer_graph(import_graph(package))
    assert cycles(layers) == [["pkg.low", "pkg.top", "pkg.low"]]
    assert "pkg.low -> pkg.top: pkg/low/core.py:2" in describe(cycles(layers)[0], layers)
    assert "pkg.top -> pkg.low: pkg/top.py:1" in describe(cycles(layers)[0], layers)
