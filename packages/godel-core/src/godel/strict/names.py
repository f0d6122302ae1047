"""Which object a name in the source refers to: one resolver for strict mode and the linter.

``import datetime as dt; dt.datetime.now()`` and ``from time import sleep as s; s(1)`` only look
harmless; resolving each name through the imports that bind it turns them into the canonical
``datetime.datetime.now`` and ``time.sleep``. Python's scoping is static, so the tree alone says
which scope every binding belongs to:

- a name bound by an import resolves to the imported dotted name;
- a name bound by a plain ``name = dotted.name`` assignment is an alias: it resolves to what the
  right-hand side resolves to (``clock = time; clock.time()`` is ``time.time``);
- a name bound any other way (parameter, other assignments, ``def``, ``for`` target...) is the
  user's own and resolves to nothing, so a user's ``def sleep()`` or ``self.random()`` is never
  flagged;
- a name bound nowhere comes from a star import, or is a builtin (``open`` -> ``builtins.open``).

Where an import and another binding compete, the two callers want opposite answers, so the
policy is the ``cautious`` parameter:

- strict mode (``cautious=False``) looks in the scope of the use, where an import binding wins
  over an alias, and an alias over other bindings of the same name: a guess that flags is safer
  than one that hides;
- the linter (``cautious=True``) resolves a name only when every binding of it in the file is
  an import or an alias of that same thing, and an unknown star import hides the builtins: a
  rule that cannot tell stays silent. Class bodies do not count: they bind no bare name other
  code sees.

Both are flow-insensitive: an alias counts wherever its name is visible, before the assignment
as well as after it.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from godel.strict.index import FUNCTION_TYPES, Index

_BUILTINS = frozenset(dir(builtins))
_UNBOUND = object()  # a scope that does not bind the name
_COMPREHENSIONS = frozenset({ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp})


class Scope:
    """A module, function, lambda, class or comprehension, and the names it declares
    ``global``/``nonlocal`` (those it binds for another scope)."""

    __slots__ = ("declared", "globals", "is_class", "node", "parent")

    def __init__(self, node: ast.AST, parent: Scope | None) -> None:
        self.node, self.parent = node, parent
        self.is_class = isinstance(node, ast.ClassDef)
        self.declared: set[str] = set()
        self.globals: set[str] = set()


@dataclass(slots=True)  # not frozen: a frozen dataclass costs twice as much to create
class Binding:
    """One way a bare name gets a value: ``import`` (with its dotted target), ``def``, ``class``,
    ``assign`` (with the assigned value when it is a plain ``name = value``) or ``other``;
    ``scope`` is the node (module, function, lambda, class, comprehension) whose scope it binds.
    """

    kind: str
    node: ast.AST
    target: str | None = None
    value: ast.expr | None = None
    scope: ast.AST | None = None


class Resolved(NamedTuple):  # a tuple: several are made per call, a frozen dataclass is slower
    """What an expression names: a dotted path, and whether that path is a module import."""

    name: str
    is_module: bool = False


class Resolver:
    """The bindings of one module's tree, and resolution of names and attribute chains in it.

    ``star_exports`` maps a module to the names ``from module import *`` is known to bind (a
    module it does not list is unknown); ``normalize`` turns each dotted name into the caller's
    spelling of it (the linter's ``godel.io.print`` is ``godel.print``).
    """

    def __init__(
        self,
        tree: ast.Module,
        index: Index | None = None,
        *,
        cautious: bool,
        star_exports: Mapping[str, Collection[str]] | None = None,
        normalize: Callable[[str], str] | None = None,
    ) -> None:
        self._index = index if index is not None else Index(tree)
        self._cautious = cautious
        self._star_exports = star_exports or {}
        self._normalize = normalize
        self.module = Scope(tree, None)
        self._scopes: dict[ast.AST, Scope] = {tree: self.module}
        self._all: dict[str, list[Binding]] = {}
        self._unanimous_memo: dict[str, Resolved | None] = {}
        self._alias_memo: dict[ast.AST, Resolved | None] = {}
        self._by_scope: dict[str, dict[ast.AST | None, list[Binding]]] = {}
        self._bound_memo: dict[tuple[str, ast.AST], Resolved | object | None] = {}
        self._busy: set[ast.AST] = set()  # aliases being resolved
        self._cycles = 0  # how many times an alias being resolved was met again
        self.star_imports: list[str] = []
        self._collect()
        self.bindings = self._all
        """Bindings outside class bodies, by name (the file-wide view the linter reasons with)."""
        if ast.ClassDef in self._index.by_type:
            self.bindings = {}
            for name, bound in self._all.items():
                kept = [b for b in bound if type(b.scope) is not ast.ClassDef]
                if kept:
                    self.bindings[name] = kept

    # -- scopes ---------------------------------------------------------------------------------

    def _region(self, node: ast.AST) -> ast.AST:
        """The node of the scope ``node`` is evaluated in: the nearest function, lambda, class or
        comprehension whose own body holds it, else the module.

        Decorators, defaults, annotations, base classes and a comprehension's first iterable are
        evaluated where the defining node is, so the walk goes on past it.
        """
        parents = self._index.parents
        child, parent = node, parents.get(node)
        while parent is not None:
            kind = type(parent)
            if kind in FUNCTION_TYPES:
                if child is not parent.returns and child not in parent.decorator_list:  # type: ignore[attr-defined]
                    return parent
            elif kind is ast.Lambda:
                if child is parent.body:  # type: ignore[attr-defined]
                    return parent
            elif kind is ast.ClassDef:
                outside = (*parent.bases, *parent.keywords, *parent.decorator_list)  # type: ignore[attr-defined]
                if child not in outside:
                    return parent
            elif kind is ast.arguments:
                child = parents[parent]  # defaults and annotations: past the function
                parent = parents.get(child)
                continue
            elif kind is ast.comprehension:
                outer = parents[parent]
                if child is not parent.iter or parent is not outer.generators[0]:  # type: ignore[attr-defined]
                    return outer
                child, parent = outer, parents.get(outer)  # the first iterable: outside
                continue
            elif kind in _COMPREHENSIONS:
                return parent
            child, parent = parent, parents.get(parent)
        return self.module.node

    def _scope(self, node: ast.AST) -> Scope:
        """The scope a scope-defining node opens (an explicit chain: nesting can be deep)."""
        chain = []
        while node not in self._scopes:
            chain.append(node)
            node = self._region(node)
        scope = self._scopes[node]
        for inner in reversed(chain):
            scope = self._scopes[inner] = Scope(inner, scope)
        return scope

    def scope_of(self, node: ast.AST) -> Scope:
        """The scope ``node`` is evaluated in."""
        return self._scope(self._region(node))

    # -- bindings -------------------------------------------------------------------------------

    def _collect(self) -> None:
        of_type, parents, region = self._index.of_type, self._index.parents, self._region
        everything = self._all

        def bind(name: str, binding: Binding) -> None:
            bound = everything.get(name)
            if bound is None:
                everything[name] = [binding]
            else:
                bound.append(binding)

        # Declarations first: Python requires them before any binding they govern. Only they
        # need Scope objects this early; the rest of the tree never does in cautious mode.
        for node in of_type(ast.Global, ast.Nonlocal):
            scope = self.scope_of(node)
            scope.declared.update(node.names)  # type: ignore[attr-defined]
            if isinstance(node, ast.Global):
                scope.globals.update(node.names)
        # In source order, so that of two imports of one name in a scope the later one counts.
        for node in sorted(of_type(ast.Import, ast.ImportFrom), key=_position):
            where = region(node)
            declared = self._scopes.get(where)
            for name, target in self._imported(node):  # type: ignore[arg-type]
                # ``global x`` then ``import x`` binds the module-level name.
                if declared is not None and name in declared.globals:
                    bind(name, Binding("import", node, target, scope=self.module.node))
                else:
                    bind(name, Binding("import", node, target, scope=where))
        for node in of_type(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            kind = "class" if type(node) is ast.ClassDef else "def"
            bind(node.name, Binding(kind, node, scope=region(node)))  # type: ignore[attr-defined]
        for node in of_type(ast.Name):
            if type(node.ctx) is ast.Load:  # type: ignore[attr-defined]
                continue
            parent = parents.get(node)
            value = None
            if type(parent) is ast.Assign and node in parent.targets:  # type: ignore[attr-defined]
                value = parent.value  # type: ignore[attr-defined]
            elif isinstance(parent, (ast.AnnAssign, ast.NamedExpr)) and parent.target is node:
                value = parent.value
            bind(node.id, Binding("assign", node, value=value, scope=region(node)))  # type: ignore[attr-defined]
        for node in of_type(ast.arg):
            # A parameter belongs to its function's own scope (its annotation does not).
            bind(node.arg, Binding("other", node, scope=parents[parents[node]]))  # type: ignore[attr-defined]
        for node in of_type(ast.ExceptHandler, ast.MatchAs, ast.MatchStar):
            name = node.name  # type: ignore[attr-defined]
            if name:
                bind(name, Binding("other", node, scope=region(node)))
        for node in of_type(ast.MatchMapping):
            if node.rest:  # type: ignore[attr-defined]
                bind(node.rest, Binding("other", node, scope=region(node)))  # type: ignore[attr-defined]

    def _imported(self, node: ast.Import | ast.ImportFrom) -> list[tuple[str, str]]:
        """The names an import statement binds, each with its dotted target (a star import binds
        none that can be listed: its module goes to ``star_imports``)."""
        if isinstance(node, ast.Import):
            return [
                (alias.asname, alias.name) if alias.asname else (alias.name.partition(".")[0],) * 2
                for alias in node.names
            ]
        base = "." * node.level + (node.module or "")
        found = []
        for alias in node.names:
            if alias.name == "*":
                self.star_imports.append(base)
                continue
            dotted = f"{base}.{alias.name}" if node.module else base + alias.name
            if self._normalize is not None:
                dotted = self._normalize(dotted)
            found.append((alias.asname or alias.name, dotted))
        return found

    # -- resolution -----------------------------------------------------------------------------

    def lookup(self, name: str, scope: Scope | None = None) -> Resolved | None:
        """What the bare ``name`` means where ``scope`` uses it (the module by default); None
        for the user's own names. The cautious policy reads the whole file instead."""
        if self._cautious:
            return self._unanimous(name)
        return self._scoped(name, scope or self.module)

    def resolve(self, node: ast.AST) -> Resolved | None:
        """The dotted name of a ``Name`` or ``a.b.c`` chain rooted at one; else None."""
        attrs: list[str] = []
        while True:
            while isinstance(node, ast.Attribute):
                attrs.append(node.attr)
                node = node.value
            if not isinstance(node, ast.NamedExpr):
                break
            node = node.value  # ``(X := datetime.datetime).now()`` is datetime.datetime.now
        if not isinstance(node, ast.Name):
            return None
        base = self.lookup(node.id, None if self._cautious else self.scope_of(node))
        if base is None or not attrs:
            return base
        if base.name.startswith("builtins."):
            return None  # attributes of builtins are nothing either caller looks for
        name = base.name
        if self._normalize is None:
            return Resolved(".".join([name, *reversed(attrs)]))
        for attr in reversed(attrs):
            name = self._normalize(f"{name}.{attr}")
        return Resolved(name)

    def _scoped(self, name: str, scope: Scope) -> Resolved | None:
        current: Scope | None = self.module if name in scope.globals else scope
        first = True
        while current is not None:
            # A class body's names are not visible from the functions nested in it.
            if first or not current.is_class:
                found = self._bound_in(name, current)
                if found is not _UNBOUND:
                    return found  # type: ignore[return-value]
            first = False
            current = current.parent
        return self._free(name)

    def _bound_in(self, name: str, scope: Scope) -> Resolved | object | None:
        """What the bindings of ``name`` in ``scope`` itself make it, or ``_UNBOUND``.

        Flow-insensitive, so the answer is the same at every use: it is computed once per name
        and scope (a name bound a thousand times in one scope and used as often would otherwise
        cost a million steps), unless it met an alias still being resolved (a cycle)."""
        key = (name, scope.node)
        memo = self._bound_memo
        if key in memo:
            return memo[key]
        by_scope = self._by_scope.get(name)
        if by_scope is None:
            by_scope = self._by_scope[name] = {}
            for binding in self._all.get(name, ()):
                by_scope.setdefault(binding.scope, []).append(binding)
        cycles = self._cycles
        imported, alias, local = None, None, False
        for binding in by_scope.get(scope.node, ()):
            if binding.kind == "import":
                imported = binding  # the last import in source order
            elif name not in scope.declared:
                local = True
                alias = self._alias(binding) or alias  # the last alias
        found = _resolved(imported) if imported is not None else alias if local else _UNBOUND
        if self._cycles == cycles:
            memo[key] = found
        return found

    def _unanimous(self, name: str) -> Resolved | None:
        memo = self._unanimous_memo  # the answer is the same wherever the name is used
        if name in memo:
            return memo[name]
        bound = self.bindings.get(name)
        if not bound:
            found = self._free(name)
        else:
            memo[name] = None  # an alias that leads back to its own name stands for nothing
            found = self._meaning(bound[0])
            for binding in bound[1:]:
                if found is None:
                    break
                other = self._meaning(binding)
                if other is None or other.name != found.name:
                    found = None
        memo[name] = found
        return found

    def _meaning(self, binding: Binding) -> Resolved | None:
        """What an import or an alias binds the name to; None for any other binding."""
        if binding.kind == "import":
            return _resolved(binding)
        return self._alias(binding) if binding.kind == "assign" else None

    def _alias(self, binding: Binding) -> Resolved | None:
        """What a plain ``name = dotted.name`` assignment makes the name stand for, or None."""
        value = binding.value
        if type(value) not in (ast.Name, ast.Attribute):
            return None
        memo = self._alias_memo
        node = binding.node
        if node in memo:
            return memo[node]
        busy = self._busy
        if node in busy:  # ``a = b; b = a`` stands for nothing
            self._cycles += 1
            return None
        busy.add(node)
        try:
            found = memo[node] = self.resolve(value)  # type: ignore[arg-type]
        finally:
            busy.discard(node)
        return found

    def _free(self, name: str) -> Resolved | None:
        unknown = False
        for module in self.star_imports:
            exports = self._star_exports.get(module)
            if exports is None:
                unknown = True
            elif name in exports:
                dotted = f"{module}.{name}"
                return Resolved(self._normalize(dotted) if self._normalize else dotted)
        if name in _BUILTINS and not (unknown and self._cautious):
            return Resolved(f"builtins.{name}")
        return None


def _resolved(binding: Binding) -> Resolved:
    return Resolved(binding.target, isinstance(binding.node, ast.Import))  # type: ignore[arg-type]


def _position(node: ast.AST) -> tuple[int, int]:
    return node.lineno, node.col_offset  # type: ignore[attr-defined]
