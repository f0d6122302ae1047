"""One parsed file, shared by every rule: the tree plus indexes built once, on first use."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from godel.lint.functions import FunctionTable
    from godel.lint.names import Names

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


class SourceFile:
    """What a rule's ``check`` receives: the path as given, the text, and the parsed module.

    ``tree`` is always available. ``nodes``, ``of_type``, ``parent`` and ``ancestors`` share one
    walk of the tree; ``names`` (import-aware name resolution) and ``functions`` (which
    functions are steps and workflows) are built on first use, once per file.
    """

    def __init__(self, path: str, text: str, tree: ast.Module) -> None:
        self.path = path
        self.text = text
        self.tree = tree

    # indexes -------------------------------------------------------------------------------
    @cached_property
    def index(self) -> Index:
        return Index(self.tree)

    @property
    def nodes(self) -> list[ast.AST]:
        """Every node in source order."""
        return self.index.nodes

    def of_type(self, *types: type) -> list[ast.AST]:
        """The nodes of the given exact AST types, in source order within each type."""
        by_type = self.index.by_type
        if len(types) == 1:
            return by_type.get(types[0], [])
        found: list[ast.AST] = []
        for kind in types:
            found.extend(by_type.get(kind, ()))
        return found

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.index.parents.get(node)

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        """Parents of ``node``, nearest first, up to the module."""
        parents = self.index.parents
        node = parents.get(node)  # type: ignore[assignment]
        while node is not None:
            yield node
            node = parents.get(node)  # type: ignore[assignment]

    def enclosing_function(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """The nearest ``def``/``async def`` around ``node`` (lambdas are looked through)."""
        for anc in self.ancestors(node):
            if isinstance(anc, FUNCTION_TYPES):
                return anc
        return None

    def enclosing_scope(self, node: ast.AST) -> ast.AST:
        """The nearest function, lambda or class around ``node``, else the module."""
        for anc in self.ancestors(node):
            if isinstance(anc, SCOPE_TYPES):
                return anc
        return self.tree

    @cached_property
    def names(self) -> Names:
        from godel.lint.names import Names

        return Names(self)

    @cached_property
    def functions(self) -> FunctionTable:
        from godel.lint.functions import FunctionTable

        return FunctionTable(self)

    # text ----------------------------------------------------------------------------------
    @cached_property
    def lines(self) -> list[str]:
        """Source lines without line endings, split the way the tokenizer counts them."""
        return self.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

    def char_col(self, line: int, byte_col: int) -> int:
        """Convert an AST column (UTF-8 bytes) to characters; they differ on non-ASCII lines."""
        lines = self.lines
        if not 0 < line <= len(lines):
            return byte_col
        text = lines[line - 1]
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", "ignore"))
