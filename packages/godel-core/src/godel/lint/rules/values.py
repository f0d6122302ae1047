"""PL013: step arguments and results that the audit log cannot hold as JSON."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from godel.lint.base import Diagnostic, Rule
from godel.lint.source import SourceFile

_CALLS = {
    "builtins.open": "an open file",
    "builtins.set": "a set",
    "builtins.frozenset": "a set",
    "builtins.iter": "an iterator",
    "builtins.map": "an iterator",
    "builtins.filter": "an iterator",
    "builtins.zip": "an iterator",
    "builtins.enumerate": "an iterator",
    "builtins.reversed": "an iterator",
    "builtins.object": "an object",
    "builtins.bytes": "bytes",
    "builtins.bytearray": "bytes",
    "builtins.complex": "a complex number",
    "builtins.range": "a range",
}


def not_json(source: SourceFile, node: ast.AST) -> str | None:
    """What a literal-ish expression evaluates to when JSON cannot hold it, else None."""
    if isinstance(node, ast.Lambda):
        return "a lambda"
    if isinstance(node, ast.GeneratorExp):
        return "a generator"
    if isinstance(node, (ast.Set, ast.SetComp)):
        return "a set"
    if isinstance(node, ast.Constant) and isinstance(node.value, (bytes, complex)):
        return "bytes" if isinstance(node.value, bytes) else "a complex number"
    if isinstance(node, ast.Call):
        return _CALLS.get(source.names.resolve(node.func) or "")
    if isinstance(node, ast.Name) and source.names.only_defs_or_classes(node.id):
        return f"'{node.id}' (a function or class)"
    if isinstance(node, ast.Starred):
        return not_json(source, node.value)
    if isinstance(node, (ast.List, ast.Tuple)):
        return next(filter(None, (not_json(source, e) for e in node.elts)), None)
    if isinstance(node, ast.Dict):
        if any(
            k is not None and isinstance(k, ast.Constant) and not isinstance(k.value, str)
            for k in node.keys
        ):
            return "a dict with non-string keys"
        return next(filter(None, (not_json(source, v) for v in node.values)), None)
    return None


class NonJsonStepValue(Rule):
    """PL013: a value passed to or returned from a ``@step`` that has no JSON form."""

    code = "PL013"
    severity = "warning"
    hint = "pass and return plain data (str, int, float, bool, None, lists and dicts of them)"

    def check(self, source: SourceFile) -> Iterator[Diagnostic]:
        for call, info in source.functions.step_calls():
            for arg in (*call.args, *(kw.value for kw in call.keywords)):
                what = not_json(source, arg)
                if what:
                    yield self.report(
                        source,
                        arg,
                        f"{what} passed to step '{info.name}' is not JSON: the audit "
                        "log keeps only its repr, so it cannot be compared or replayed",
                    )
        functions = source.functions
        for node in source.of_type(ast.Return):
            value = node.value  # type: ignore[attr-defined]
            if value is None:
                continue
            info = functions.get(source.enclosing_scope(node))
            if info is not None and info.kind == "step":
                what = not_json(source, value)
                if what:
                    yield self.report(
                        source,
                        value,
                        f"step '{info.name}' returns {what}, which is not "
                        "JSON: a resumed run cannot get it back from the audit log",
                    )
