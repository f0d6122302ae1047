"""One parsed file, shared by every rule: the tree plus indexes built once, on first use."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING

from godel.strict.index import FUNCTION_TYPES, SCOPE_TYPES, Index

if TYPE_CHECKING:
    from godel.lint.functions import FunctionTable
    from godel.lint.names import Names


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

    @cached_property
    def of_type(self) -> Callable[..., list[ast.AST]]:
        """``of_type(*types)``: the nodes of the given exact AST types, in source order within
        each type. (The index's own method, so that the rules' many calls cost no extra hop.)"""
        return self.index.of_type

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

    # Imported on first use because ``godel lint --list-rules`` imports this module and lints
    # nothing; neither module imports this one at run time, so there is no cycle here.
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
