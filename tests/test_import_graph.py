"""The runtime's modules import one another without a circle (issue #22 item 4).

Every module of runtime/hfm_runtime is parsed with `ast` (nothing is imported): each `import` and
`from ... import` anywhere in it, at module level or inside a function, is an edge to the runtime
module it names. A circle, even one closed only by a function-level import, means the two modules
cannot be understood (or loaded in a fresh process) one without the other; a shared name belongs in
a module both can import (as bundle_fingerprint lives in bundle.py, open_session in graphpool.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "hfm_runtime"
REPO = Path(__file__).resolve().parents[1]
ROOTS = {"hfm_runtime": REPO / "runtime" / "hfm_runtime", "hfm_train": REPO / "train" / "hfm_train"}

# Edges left out of the check, each with the reason. Delete an entry once its circle is gone.
ALLOWED_EDGES: set[tuple[str, str]] = set()


def runtime_modules(package: str = PACKAGE) -> dict[str, ast.Module]:
    """The package's top-level modules (a subpackage such as hfm_train.model is not walked)."""
    return {p.stem: ast.parse(p.read_text(), filename=str(p)) for p in sorted(ROOTS[package].glob("*.py"))
            if p.stem not in ("__init__", "__main__")}


def imported_modules(tree: ast.Module, modules: set[str], package: str = PACKAGE) -> set[str]:
    """The package's modules `tree` imports anywhere (module level, functions, TYPE_CHECKING blocks)."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == package and len(parts) > 1:
                    out.add(parts[1])
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: `from .x import y` or `from . import x`
                base = node.module.split(".")[0] if node.module else None
            elif node.module and node.module.split(".")[0] == package:
                parts = node.module.split(".")
                base = parts[1] if len(parts) > 1 else None
            else:
                continue
            if base is not None:
                out.add(base)
            else:  # `from hfm_runtime import featurize`: each name that is a module
                out.update(a.name for a in node.names if a.name in modules)
    return out & modules


def import_graph(package: str = PACKAGE) -> dict[str, set[str]]:
    trees = runtime_modules(package)
    names = set(trees)
    return {m: {d for d in imported_modules(t, names, package) if d != m and (m, d) not in ALLOWED_EDGES}
            for m, t in trees.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle per strongly connected component of more than one module (Tarjan), as a path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_circle(graph, set(c)) for c in components]


def _circle(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """A path start -> ... -> start inside `component` (breadth first from its first module)."""
    start = min(component)
    parent: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v] & component):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(parent[path[-1]])
                    return [start, *reversed(path[:-1]), start] if len(path) > 1 else [start, v, start]
                if w not in parent:
                    parent[w] = v
                    nxt.append(w)
        frontier = nxt
    return sorted(component)


def test_find_cycles_sees_function_level_and_package_imports():
    trees = {
        "a": ast.parse("from hfm_runtime.b import x\n"),
        "b": ast.parse("def f():\n    from hfm_runtime import c\n"),
        "c": ast.parse("import numpy\nimport hfm_runtime.a\n"),
        "d": ast.parse("from hfm_runtime.errors import E\n"),
    }
    names = set(trees)
    graph = {m: imported_modules(t, names) for m, t in trees.items()}
    assert graph == {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert find_cycles(graph) == [["a", "b", "c", "a"]]
    graph["c"] = set()
    assert find_cycles(graph) == []


def test_runtime_modules_import_one_another_without_a_circle():
    graph = import_graph()
    assert {"scoring", "store", "graphpool", "bundle"} <= set(graph)  # the parse found the package
    assert "graphpool" in graph["scoring"] and "bundle" in graph["graphpool"]
    cycles = find_cycles(graph)
    assert not cycles, "import circles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_training_modules_import_one_another_without_a_circle():
    graph = import_graph("hfm_train")
    assert "evaluate" in graph["fit"] and "fit" not in graph["evaluate"]  # fit imports evaluate, not back
    cycles = find_cycles(graph)
    assert not cycles, "import circles: " + "; ".join(" -> ".join(c) for c in cycles)
