"""Small AST helpers shared by the built-in rules."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from godel.strict.index import SCOPE_TYPES


def text_of(node: ast.AST) -> str:
    """Source-like text of a short expression, for messages."""
    try:
        return ast.unparse(node)
    except Exception:  # unparse can fail on odd synthetic trees; a message must not
        return "<expression>"


def walk_body(statements: Iterable[ast.AST]) -> Iterator[ast.AST]:
    """Every node under ``statements`` without entering nested functions, lambdas or classes."""
    stack = list(statements)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, SCOPE_TYPES):  # one of the statements: itself, not its body
            continue
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, SCOPE_TYPES):
                stack.append(child)


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw
    return None


def has_star_kwargs(call: ast.Call) -> bool:
    return any(kw.arg is None for kw in call.keywords)


def is_constant(node: ast.AST | None, value: object) -> bool:
    return isinstance(node, ast.Constant) and node.value is value
