"""Which functions are workflow code: ``@step`` and ``@workflow`` definitions, however spelled.

``@step``, ``@step(...)``, ``@godel.step``, ``@g.step`` (``import godel as g``) and ``@s`` (``from
godel import step as s``) all count, because decorators are resolved through imports.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from godel.lint.names import STEP, WORKFLOW
from godel.strict.index import FUNCTION_TYPES

if TYPE_CHECKING:
    from godel.lint.source import SourceFile

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True, slots=True)
class Decorator:
    """One decorator: its expression, the call when written ``@d(...)``, and what it resolves to."""

    expr: ast.expr
    call: ast.Call | None
    qualname: str | None


@dataclass(slots=True)
class FunctionInfo:
    """A function definition and what its decorators make of it."""

    node: FunctionNode
    decorators: list[Decorator] = field(default_factory=list)
    kind: str | None = None  # "workflow", "step" or None

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def is_async(self) -> bool:
        return isinstance(self.node, ast.AsyncFunctionDef)

    def decorator(self, qualname: str) -> Decorator | None:
        for dec in self.decorators:
            if dec.qualname == qualname:
                return dec
        return None

    def option(self, keyword: str) -> ast.expr | None:
        """The value of ``keyword=`` in this function's ``@step(...)``/``@workflow(...)``."""
        dec = self.decorator(STEP) or self.decorator(WORKFLOW)
        if dec is None or dec.call is None:
            return None
        for kw in dec.call.keywords:
            if kw.arg == keyword:
                return kw.value
        return None


class FunctionTable:
    """Every function in a file, classified once."""

    def __init__(self, source: SourceFile) -> None:
        self._source = source
        self.info: dict[ast.AST, FunctionInfo] = {}
        self._step_calls: list[tuple[ast.Call, FunctionInfo]] | None = None
        resolve = source.names.resolve
        for node in source.of_type(*FUNCTION_TYPES):
            info = FunctionInfo(node)  # type: ignore[arg-type]
            for expr in node.decorator_list:  # type: ignore[attr-defined]
                call = expr if isinstance(expr, ast.Call) else None
                qualname = resolve(call.func if call is not None else expr)
                info.decorators.append(Decorator(expr, call, qualname))
                if qualname == WORKFLOW:
                    info.kind = "workflow"
                elif qualname == STEP and info.kind is None:
                    info.kind = "step"
            self.info[node] = info

    def __iter__(self) -> Iterator[FunctionInfo]:
        return iter(self.info.values())

    def of_kind(self, kind: str) -> list[FunctionInfo]:
        return [i for i in self.info.values() if i.kind == kind]

    def get(self, node: ast.AST) -> FunctionInfo | None:
        return self.info.get(node)

    def owner(self, node: ast.AST) -> FunctionInfo | None:
        """The nearest ``@step``/``@workflow`` function whose body holds ``node`` (through nested
        defs). Decorators, defaults and annotations belong to the enclosing scope, not the body."""
        child = node
        for anc in self._source.ancestors(node):
            info = self.info.get(anc)
            if (
                info is not None
                and info.kind is not None
                and any(child is s for s in info.node.body)
            ):
                return info
            child = anc
        return None

    def in_workflow_code(self, node: ast.AST) -> bool:
        """Is ``node`` inside the body of a ``@step`` or ``@workflow`` function?"""
        return self.owner(node) is not None

    def step_calls(self) -> list[tuple[ast.Call, FunctionInfo]]:
        """Calls ``name(...)`` where ``name`` is bound only by ``@step`` functions of this file."""
        if self._step_calls is not None:
            return self._step_calls
        names = self._source.names
        found = []
        for call in self._source.of_type(ast.Call):
            func = call.func  # type: ignore[attr-defined]
            if not isinstance(func, ast.Name):
                continue
            defs = names.defs(func.id)
            if defs and all(self.info[d].kind == "step" for d in defs):
                found.append((call, self.info[defs[0]]))
        self._step_calls = found  # type: ignore[assignment]
        return found  # type: ignore[return-value]
