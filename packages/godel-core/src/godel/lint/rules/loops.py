"""PL004: ``run`` repeated by a loop without ``idempotent=True``."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from godel.lint.base import Diagnostic, Rule
from godel.lint.rules._util import has_star_kwargs, is_constant, keyword
from godel.lint.source import SourceFile

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


def repeated_by_loop(source: SourceFile, node: ast.AST) -> ast.AST | None:
    """The loop inside the same function that evaluates ``node`` more than once, if any.

    A ``for`` repeats its body (not its iterable or ``else``); a ``while`` its test and body; a
    comprehension everything but its first iterable.
    """
    child, parent = node, source.parent(node)
    while parent is not None:
        if isinstance(parent, _SCOPES):
            return None
        if isinstance(parent, (ast.For, ast.AsyncFor)) and any(child is s for s in parent.body):
            return parent
        if isinstance(parent, ast.While) and (
            child is parent.test or any(child is s for s in parent.body)
        ):
            return parent
        if isinstance(parent, ast.comprehension):
            comp = source.parent(parent)
            if child is parent.iter and parent is comp.generators[0]:  # type: ignore[union-attr]
                child, parent = comp, source.parent(comp)  # type: ignore[arg-type]
                continue  # evaluated once per comprehension: look further out
            return comp
        if isinstance(parent, _COMPREHENSIONS):
            return parent  # the element is evaluated once per item
        child, parent = parent, source.parent(parent)
    return None


class RunInLoop(Rule):
    """PL004: a command run from a loop is not marked idempotent, so rewinds must refuse it."""

    code = "PL004"
    severity = "warning"
    hint = (
        "pass idempotent=True if running the command twice is harmless, "
        "or mark the step @step(idempotent=True)"
    )

    def check(self, source: SourceFile) -> Iterator[Diagnostic]:
        for call, _ in source.names.calls_to({"godel.run"}):
            flag = keyword(call, "idempotent")  # type: ignore[arg-type]
            value = None if flag is None else flag.value
            if value is not None and not isinstance(value, ast.Constant):
                continue  # decided at run time (a variable): we cannot tell, so stay quiet
            # An explicit idempotent=False is reported like a missing one: it blocks rewind too.
            if is_constant(value, True) or has_star_kwargs(call):  # type: ignore[arg-type]
                continue
            if repeated_by_loop(source, call) is None:
                continue
            owner = source.functions.owner(call)
            if (
                owner is not None
                and owner.kind == "step"
                and is_constant(owner.option("idempotent"), True)
            ):
                continue
            yield self.report(
                source, call, "run inside a loop without idempotent=True will block rewind"
            )
