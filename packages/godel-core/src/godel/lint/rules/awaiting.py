"""PL001 (a godel coroutine that is never awaited) and PL010 (a local coroutine thrown away)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from godel.lint.base import Diagnostic, Rule
from godel.lint.names import COROUTINE_PRIMITIVES
from godel.lint.rules._util import text_of
from godel.lint.source import SourceFile

_CONTAINERS = (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.Starred)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
# Library coroutine functions whose result is useless unless awaited.
_LIBRARY_COROUTINES = frozenset(
    {"asyncio.sleep", "asyncio.wait_for", "asyncio.to_thread", "anyio.sleep"}
)


def _name_used(scope: ast.AST, name: str) -> bool:
    """Is ``name`` read anywhere in ``scope`` (closures included)? Order is not checked."""
    for node in ast.walk(scope):
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
            return True
    return False


def handed_off(source: SourceFile, call: ast.Call) -> bool:
    """Does the coroutine ``call`` creates reach an ``await`` or someone who will await it?

    Awaited, returned, yielded, passed to any call (``parallel``, ``asyncio.gather``,
    ``create_task``...), kept in a container or comprehension that is itself handed off, or
    assigned to a name that is used later, or to an attribute or item: all count. Anything else
    (an expression statement, ``run(...).stdout``, ``if run(...):``) drops it unawaited.
    """
    node: ast.AST = call
    while True:
        parent = source.parent(node)
        if parent is None:
            return False
        if isinstance(parent, (ast.Await, ast.Return, ast.Yield, ast.YieldFrom, ast.keyword)):
            return True
        if isinstance(parent, ast.Call):
            return node is not parent.func
        if isinstance(parent, ast.Lambda):
            return node is parent.body
        if isinstance(parent, _CONTAINERS):
            node = parent
        elif isinstance(parent, ast.IfExp):
            if node is parent.test:
                return False
            node = parent
        elif isinstance(parent, _COMPREHENSIONS):
            if node not in (
                getattr(parent, "elt", None),
                getattr(parent, "key", None),
                getattr(parent, "value", None),
            ):
                return False
            node = parent
        elif isinstance(parent, (ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.AugAssign)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            if isinstance(parent, ast.NamedExpr) and _handed_on(source, parent):
                return True
            scope = source.enclosing_scope(parent)
            return any(not isinstance(t, ast.Name) or _name_used(scope, t.id) for t in targets)
        else:
            return False


def _handed_on(source: SourceFile, named: ast.NamedExpr) -> bool:
    parent = source.parent(named)
    return isinstance(parent, (ast.Await, ast.Call, ast.keyword, ast.Return))


class MissingAwait(Rule):
    """PL001: a godel coroutine primitive or local ``@step`` call whose coroutine is dropped."""

    code = "PL001"
    severity = "error"

    def check(self, source: SourceFile) -> Iterator[Diagnostic]:
        calls = [call for call, _ in source.names.calls_to(COROUTINE_PRIMITIVES)]
        calls += [call for call, _ in source.functions.step_calls()]
        for call in calls:
            if not handed_off(source, call):
                name = text_of(call.func)
                yield self.report(
                    source,
                    call,
                    f"'{name}' is async and must be awaited",
                    f"write 'await {name}(...)', or pass the call to parallel(...)",
                )


class DiscardedCoroutine(Rule):
    """PL010: ``helper()`` as a statement, where ``helper`` is an ``async def`` of this file."""

    code = "PL010"
    severity = "error"

    def check(self, source: SourceFile) -> Iterator[Diagnostic]:
        for stmt in source.of_type(ast.Expr):
            call = stmt.value  # type: ignore[attr-defined]
            if isinstance(call, ast.Call) and self._is_coroutine_function(source, call):
                name = text_of(call.func)
                yield self.report(
                    source,
                    call,
                    f"coroutine '{name}(...)' is created but never awaited, so it never runs",
                    f"write 'await {name}(...)', or pass it to parallel(...)",
                )

    @staticmethod
    def _is_coroutine_function(source: SourceFile, call: ast.Call) -> bool:
        func = call.func
        if isinstance(func, ast.Name):
            defs = source.names.defs(func.id)
            if defs:
                # @step calls are PL001's; a name also bound by a plain def may not be a coroutine.
                return all(
                    isinstance(d, ast.AsyncFunctionDef) and source.functions.info[d].kind != "step"
                    for d in defs
                )
            return source.names.qualify(func.id) in _LIBRARY_COROUTINES
        if isinstance(func, ast.Attribute):
            if isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
                return _async_method(source, call, func.attr)
            return source.names.resolve(func) in _LIBRARY_COROUTINES
        return False


def _async_method(source: SourceFile, call: ast.Call, attr: str) -> bool:
    """``self.attr`` inside a method of a class whose body defines ``async def attr`` only."""
    method = source.enclosing_function(call)
    owner = source.parent(method) if method is not None else None
    if not isinstance(owner, ast.ClassDef):
        return False
    found = [
        s
        for s in owner.body
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Assign, ast.AnnAssign))
        and _binds(s, attr)
    ]
    return bool(found) and all(
        isinstance(s, ast.AsyncFunctionDef) and source.functions.info[s].kind != "step"
        for s in found
    )


def _binds(stmt: ast.stmt, attr: str) -> bool:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return stmt.name == attr
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]  # type: ignore[attr-defined]
    return any(isinstance(t, ast.Name) and t.id == attr for t in targets)
