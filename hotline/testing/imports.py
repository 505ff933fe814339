"""Who imports whom among the apps of the hotline package: the measure of "arrows run one way".

    .venv/bin/python -m hotline.testing.imports      # edges, pairs importing each other, cycles

Counts imports anywhere in a module (function-level ones too) in every app's code, leaving out
tests, migrations and this test-support package. ``hotline/tests/test_architecture.py`` holds
the product to it.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
SKIPPED = {"tests", "migrations", "testing"}


@dataclass(frozen=True)
class Import:
    module: str  # the importing file, relative to the package
    source: str  # its app ("" for the project level)
    target: str  # the app (or project-level module) imported
    names: tuple[str, ...]
    dotted: str


def apps() -> list[str]:
    return sorted(p.name for p in PACKAGE.iterdir()
                  if (p / "__init__.py").exists() and p.name not in SKIPPED)


def project_modules() -> list[str]:
    return sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


def _files() -> list[Path]:
    return [f for f in sorted(PACKAGE.rglob("*.py"))
            if not SKIPPED & set(f.relative_to(PACKAGE).parts[:-1])]


def imports() -> list[Import]:
    """Every import of another app or of a project-level module."""
    found = []
    for path in _files():
        parts = path.relative_to(PACKAGE).parts
        source = parts[0] if len(parts) > 1 else ""
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [(node.module, tuple(a.name for a in node.names))]
            elif isinstance(node, ast.Import):
                targets = [(a.name, ()) for a in node.names]
            else:
                continue
            for dotted, names in targets:
                bits = dotted.split(".")
                if bits[0] != "hotline" or len(bits) < 2 or bits[1] == source:
                    continue
                found.append(Import("/".join(parts), source, bits[1], names, dotted))
    return found


def edges(found: list[Import]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for i in found:
        if i.source:
            graph[i.source].add(i.target)
    return graph


def mutual_pairs(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted({(a, b) for a in graph for b in graph[a] if a < b and a in graph.get(b, ())})


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected group of apps (Tarjan), if any."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def private_names(found: list[Import]) -> list[Import]:
    """Imports of another app's private name (``_x``) or private module."""
    return [i for i in found if any(n.startswith("_") for n in i.names)
            or any(b.startswith("_") for b in i.dotted.split(".")[2:])]


def main() -> int:
    found = imports()
    graph = edges(found)
    for app in sorted(graph):
        print(f"{app:10} → {', '.join(sorted(graph[app]))}")
    pairs = mutual_pairs(graph)
    print(f"\npairs of apps importing each other: {len(pairs)}", *pairs)
    print(f"cycles: {len(cycles(graph))}", *cycles(graph))
    print(f"imports of private names: {len(private_names(found))}",
          *(f"{i.module}: {i.dotted} {i.names}" for i in private_names(found)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
