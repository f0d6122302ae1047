"""PL007: broad exception handlers in workflow code that can swallow godel's control signals."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from godel.lint.base import Diagnostic, Rule
from godel.lint.rules._util import text_of, walk_body
from godel.lint.source import SourceFile

_BROAD = frozenset({"builtins.Exception", "builtins.BaseException"})
_TRY = (ast.Try, ast.TryStar) if hasattr(ast, "TryStar") else (ast.Try,)


def _reraises(handler: ast.ExceptHandler) -> bool:
    """A bare ``raise`` anywhere in the handler: the signal may pass through."""
    return any(isinstance(n, ast.Raise) and n.exc is None for n in walk_body(handler.body))


def _names_signal(handler: ast.ExceptHandler) -> bool:
    """An earlier ``except RewindSignal``-style handler that lets godel's signals out first."""
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(
        text_of(k).rpartition(".")[2] in ("RewindSignal", "PauseSignal")
        for k in kinds
        if k is not None
    )


class BroadExcept(Rule):
    """PL007: ``except:``/``except Exception`` inside a step or workflow."""

    code = "PL007"
    severity = "warning"
    hint = "catch the specific exceptions you expect, or re-raise with a bare 'raise'"

    def check(self, source: SourceFile) -> Iterator[Diagnostic]:
        resolve = source.names.resolve
        for node in source.of_type(*_TRY):
            if not source.functions.in_workflow_code(node):
                continue
            signals_first = False
            for handler in node.handlers:  # type: ignore[attr-defined]
                if handler.type is not None and _names_signal(handler) and _reraises(handler):
                    signals_first = True
                    continue
                if signals_first or _reraises(handler):
                    continue
                if handler.type is None:
                    yield self.report(
                        source, handler, "bare 'except:' may swallow WorkflowFail or RewindSignal"
                    )
                    continue
                kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
                broad = [k for k in kinds if resolve(k) in _BROAD]
                if broad:
                    shown = text_of(handler.type)
                    shown = (
                        f"({shown})"
                        if isinstance(handler.type, ast.Tuple) and not shown.startswith("(")
                        else shown
                    )
                    yield self.report(
                        source,
                        handler,
                        f"'except {shown}' may swallow WorkflowFail or RewindSignal; "
                        "consider catching specific types",
                    )
