"""The shape of the code: no import cycles, lazy re-exports that match their type-checking
imports, and a small top level in godel-core.

Imports are read from the source (ast), function-level imports included and ``TYPE_CHECKING``
blocks excluded. An import of a package's lazily re-exported name (``from godel.log import
EventLog``) is an edge to the module that defines it (``godel.log.eventlog``), as at run time.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from godel.lazy import absolute

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(ROOT.glob("packages/*/src"))
CORE = ROOT / "packages" / "godel-core" / "src" / "godel"


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    is_package: bool
    imports: list[tuple[str, list[str]]] = field(default_factory=list)  # (module, names)
    exports: dict[str, str] = field(default_factory=dict)  # lazy name -> defining module
    typed_exports: dict[str, str] = field(default_factory=dict)  # TYPE_CHECKING name -> module


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _absolute(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _read(name: str, path: Path) -> Module:
    module = Module(name, path, ast.parse(path.read_text(), str(path)), path.name == "__init__.py")
    typed: set[int] = set()
    for node in ast.walk(module.tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for stmt in node.body:
                typed.update(id(n) for n in ast.walk(stmt))
                if isinstance(stmt, ast.ImportFrom):
                    for alias in stmt.names:
                        module.typed_exports[alias.asname or alias.name] = _absolute(module, stmt)
    for node in ast.walk(module.tree):
        if id(node) in typed:
            continue
        if isinstance(node, ast.ImportFrom):
            module.imports.append((_absolute(module, node), [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            module.imports.extend((a.name, []) for a in node.names)
        elif isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [
            "_EXPORTS"
        ]:
            mapping = ast.literal_eval(node.value)
            module.exports = {k: absolute(name, v) for k, v in mapping.items()}
    return module


def _modules() -> dict[str, Module]:
    found = {}
    for src in SOURCES:
        for path in sorted(src.rglob("*.py")):
            parts = list(path.relative_to(src).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            name = ".".join(parts)
            found[name] = _read(name, path)
    return found


MODULES = _modules()
LAZY = {name: m for name, m in MODULES.items() if m.exports}


def _targets(module: str, names: list[str]) -> set[str]:
    """What importing ``names`` from ``module`` really runs, resolved through lazy exports."""
    if not names:
        return {module}
    out = set()
    exports = MODULES[module].exports if module in MODULES else {}
    for name in names:
        if f"{module}.{name}" in MODULES:
            out.add(f"{module}.{name}")
        elif name in exports:
            out.add(exports[name])
        else:
            out.add(module)
    return out


def _graph() -> dict[str, set[str]]:
    graph = {}
    for name, module in MODULES.items():
        edges = set()
        for target, names in module.imports:
            edges |= {t for t in _targets(target, names) if t in MODULES and t != name}
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles_in_any_package() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("package", sorted(LAZY))
def test_lazy_exports_match_the_type_checking_imports(package: str) -> None:
    module = LAZY[package]
    typed = {
        n: m for n, m in module.typed_exports.items() if f"{m}.{n}" not in MODULES
    }  # submodules
    assert module.exports == typed
    for name, target in module.exports.items():
        assert target in MODULES, f"{package}.{name} points at a missing module {target}"
        defined = {
            t.id
            for node in MODULES[target].tree.body
            for t in (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AnnAssign)
                else []
            )
            if isinstance(t, ast.Name)
        } | {
            node.name
            for node in MODULES[target].tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        }
        imported = {n for _, names in MODULES[target].imports for n in names}
        assert name in defined or name in imported, f"{target} does not define {name}"


@pytest.mark.parametrize("package", sorted(LAZY))
def test_a_package_never_re_exports_a_name_of_its_own_submodule(package: str) -> None:
    # Once ``godel.x.y`` is imported, Python binds ``y`` on ``godel.x``: a lazy ``y`` would
    # silently become the module (see godel.lazy).
    clashes = [name for name in LAZY[package].exports if f"{package}.{name}" in MODULES]
    assert clashes == []


def test_the_core_top_level_stays_small() -> None:
    top = sorted(p.name for p in CORE.glob("*.py"))
    assert len(top) <= 10, top
