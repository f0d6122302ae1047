"""Every node of a parsed module, from one walk shared by the strict scan, name resolution and
the linter's rules (a second walk of a large file costs as much as the analysis itself)."""

from __future__ import annotations

import ast

# The node groups every walker needs: definitions with a body of their own, and everything that
# opens a scope a nested walk should not enter (comprehensions aside).
FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef)
SCOPE_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)

# Expression contexts and operator tokens are shared singletons with no location: not indexed.
_SKIPPED_FIELDS = frozenset({"ctx", "op", "ops"})


class Index:
    """Every node of a tree in source order, grouped by type, with each node's parent.

    Expression contexts (``Load``/``Store``) and operator tokens (``Add``, ``Eq``...) are left
    out; read them from their parent (``Name.ctx``, ``BinOp.op``).
    """

    __slots__ = ("by_type", "nodes", "parents")

    def __init__(self, tree: ast.AST) -> None:
        nodes: list[ast.AST] = []
        parents: dict[ast.AST, ast.AST] = {}
        by_type: dict[type, list[ast.AST]] = {}
        fields_of: dict[type, tuple[str, ...]] = {}
        stack = [tree]
        push, pop, append, AST = stack.append, stack.pop, nodes.append, ast.AST
        # One iterative pre-order walk: children are pushed last-first so they pop in source order.
        while stack:
            node = pop()
            append(node)
            kind = type(node)
            bucket = by_type.get(kind)
            if bucket is None:
                by_type[kind] = bucket = []
                fields_of[kind] = tuple(
                    f for f in reversed(kind._fields) if f not in _SKIPPED_FIELDS
                )
            bucket.append(node)
            for name in fields_of[kind]:
                value = getattr(node, name, None)
                if type(value) is list:
                    for item in reversed(value):
                        if isinstance(item, AST):
                            parents[item] = node
                            push(item)
                elif isinstance(value, AST):
                    parents[value] = node
                    push(value)
        self.nodes = nodes
        self.parents = parents
        self.by_type = by_type

    def of_type(self, *types: type) -> list[ast.AST]:
        """The nodes of the given exact AST types, in source order within each type."""
        by_type = self.by_type
        if len(types) == 1:
            return by_type.get(types[0], [])
        found: list[ast.AST] = []
        for kind in types:
            found.extend(by_type.get(kind, ()))
        return found
