"""The folders are the architecture: which top-level package may import which.

Read from the source with ``ast`` (every import, also those inside functions and under
``TYPE_CHECKING``, since a lazy import is still a dependency):
- no two top-level packages depend on each other, directly or through others;
- ``core`` (the infrastructure every app process shares) imports no product package;
- ``channels`` (the chat channels, shared by the gateway and the worker) imports neither of them.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Not code of the product: the tests themselves and the environments.
SKIPPED = {"tests", ".venv", ".venv-rasa", ".git"}
# Standard-library-only helpers shared with the Rasa environment: infrastructure too.
INFRASTRUCTURE = {"core", "infra"}

Edge = tuple[str, str]


def top_level_packages() -> set[str]:
    """Every top-level folder holding Python code (packages, ``bench/``, ``scripts/``...)."""
    return {
        path.name
        for path in ROOT.iterdir()
        if path.is_dir() and path.name not in SKIPPED and any(path.rglob("*.py"))
    }


def imports_of(package: str, packages: set[str]) -> dict[str, str]:
    """The other top-level packages ``package`` imports, each with one place that does."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in packages and top != package:
                    found.setdefault(top, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def dependency_graph() -> dict[str, dict[str, str]]:
    packages = top_level_packages()
    return {package: imports_of(package, packages) for package in sorted(packages)}


def cycles(graph: Mapping[str, Mapping[str, str]]) -> list[list[str]]:
    """One cycle through each strongly connected group of packages (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def describe(group: list[str], graph: Mapping[str, Mapping[str, str]]) -> str:
    edges = [
        f"{source} -> {target} ({where})"
        for source in group
        for target, where in graph[source].items()
        if target in group
    ]
    return "; ".join(edges)


def test_no_two_top_level_packages_depend_on_each_other() -> None:
    graph = dependency_graph()
    found = cycles(graph)
    assert not found, "packages that import each other: " + " | ".join(
        describe(group, graph) for group in found
    )


def test_core_imports_no_product_package() -> None:
    graph = dependency_graph()
    product = set(graph["core"]) - INFRASTRUCTURE
    assert not product, f"core imports product packages: {graph['core']}"


def test_channels_import_neither_the_gateway_nor_the_backend() -> None:
    graph = dependency_graph()
    allowed = INFRASTRUCTURE
    assert set(graph["channels"]) <= allowed, f"channels imports {graph['channels']}"


def test_the_graph_is_read_and_a_cycle_would_be_caught() -> None:
    graph = dependency_graph()
    # The reader sees real dependencies (a lazy import in a function counts too) ...
    assert {"core", "channels", "routing"} <= set(graph["backend"])
    assert {"core", "channels"} <= set(graph["bot"])
    # ... and the check fails on a cycle, also one through a third package.
    assert cycles({"a": {"b": "a.py:1"}, "b": {"a": "b.py:1"}}) == [["a", "b"]]
    assert cycles({"a": {"b": ""}, "b": {"c": ""}, "c": {"a": ""}, "d": {"a": ""}}) == [
        ["a", "b", "c"]
    ]
    assert cycles({"a": {"b": ""}, "b": {}}) == []
