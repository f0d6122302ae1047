"""Which module a name in the source refers to.

``import datetime as dt; dt.datetime.now()`` and ``from time import sleep as s; s(1)`` only look
harmless; resolving each name through the imports of its scope turns them into the canonical
``datetime.datetime.now`` and ``time.sleep``. Python's scoping is static, so one pass over the tree
finds every binding of every scope, and a second pass resolves uses against them:

- a name bound by an import resolves to the imported dotted name;
- a name bound any other way (parameter, assignment, ``def``, ``for`` target...) is the user's
  own and resolves to nothing, so a user's ``def sleep()`` or ``self.random()`` is never banned;
- a name bound nowhere is a builtin (``open`` -> ``builtins.open``).

Within one scope an import binding wins over other bindings of the same name: a guess that
flags is safer than one that hides.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


@dataclass(eq=False)
class Scope:
    """The names one module, function, class or comprehension binds."""

    parent: Scope | None
    is_class: bool = False
    imports: dict[str, tuple[str, bool]] = field(
        default_factory=dict
    )  # name -> (dotted, is module)
    local: set[str] = field(default_factory=set)
    declared: set[str] = field(default_factory=set)  # global / nonlocal: bound elsewhere
    globals: set[str] = field(default_factory=set)
    star: list[str] = field(default_factory=list)  # modules of ``from m import *``

    def bind(self, name: str) -> None:
        if name not in self.declared:
            self.local.add(name)


@dataclass(frozen=True)
class Resolved:
    """What an expression names: a dotted path, and whether that path is a module import."""

    name: str
    is_module: bool = False


class Names:
    """The scopes of one module's tree, and resolution of names and attribute chains in it."""

    def __init__(self, tree: ast.AST, star_candidates: frozenset[str] = frozenset()) -> None:
        self._scope_of: dict[ast.AST, Scope] = {}
        self.module = Scope(None)
        # ``from m import *``: only names we care about are worth resolving through it.
        self._star_candidates = star_candidates
        self._visit(tree, self.module)

    # -- binding pass --------------------------------------------------------------------------

    def _visit(self, tree: ast.AST, module: Scope) -> None:
        # An explicit stack, not recursion: generated code nests deeper than the recursion limit
        # allows. Children are pushed in reverse so nodes are visited in source order, which
        # puts a ``global`` statement before the assignments it governs.
        stack: list[tuple[ast.AST, Scope]] = [(tree, module)]
        while stack:
            node, scope = stack.pop()
            self._scope_of[node] = scope
            children = self._bind(node, scope)
            stack.extend(reversed(children))

    def _bind(self, node: ast.AST, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        """Record what ``node`` binds in ``scope``; return its children with their scopes."""
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return self._function(node, scope)
        if isinstance(node, ast.ClassDef):
            scope.bind(node.name)
            inner = Scope(scope, is_class=True)
            outer = [(c, scope) for c in (*node.decorator_list, *node.bases, *node.keywords)]
            return outer + [(stmt, inner) for stmt in node.body]
        if isinstance(node, _COMPREHENSIONS):
            inner = Scope(scope)
            first = node.generators[0]
            self._scope_of[first] = inner
            # The first iterable is evaluated in the enclosing scope, the rest inside.
            children = [
                (first.iter, scope),
                (first.target, inner),
                *((c, inner) for c in first.ifs),
            ]
            return children + [(c, inner) for c in ast.iter_child_nodes(node) if c is not first]
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self._import(scope, alias.asname, alias.name, True)
                else:
                    top = alias.name.partition(".")[0]
                    self._import(scope, top, top, True)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            for alias in node.names:
                if alias.name == "*":
                    scope.star.append(base)
                else:
                    dotted = f"{base}.{alias.name}" if node.module else base + alias.name
                    self._import(scope, alias.asname or alias.name, dotted, False)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            scope.declared.update(node.names)
            if isinstance(node, ast.Global):
                scope.globals.update(node.names)
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            scope.bind(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            scope.bind(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            scope.bind(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            scope.bind(node.rest)
        return [(child, scope) for child in ast.iter_child_nodes(node)]

    def _import(self, scope: Scope, name: str, dotted: str, is_module: bool) -> None:
        # ``global x`` then ``import x`` binds the module-level name.
        target = self.module if name in scope.globals else scope
        target.imports[name] = (dotted, is_module)

    def _function(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, scope: Scope
    ) -> list[tuple[ast.AST, Scope]]:
        args = node.args
        # Decorators, defaults and annotations are evaluated where the function is defined.
        outer: list[ast.AST] = [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        params += [a for a in (args.vararg, args.kwarg) if a is not None]
        if not isinstance(node, ast.Lambda):
            scope.bind(node.name)
            outer += node.decorator_list
            outer += [a.annotation for a in params if a.annotation is not None]
            if node.returns is not None:
                outer.append(node.returns)
        inner = Scope(scope)
        for a in params:
            inner.bind(a.arg)
            self._scope_of[a] = inner
        self._scope_of[args] = inner
        body = node.body if isinstance(node.body, list) else [node.body]
        return [(c, scope) for c in outer] + [(stmt, inner) for stmt in body]

    # -- resolution ----------------------------------------------------------------------------

    def scope_of(self, node: ast.AST) -> Scope:
        """The scope ``node`` is evaluated in."""
        return self._scope_of.get(node, self.module)

    def resolve_name(self, name: str, scope: Scope) -> Resolved | None:
        """What ``name`` means in ``scope``; None for the user's own names."""
        current: Scope | None = self.module if name in scope.globals else scope
        first = True
        while current is not None:
            # A class body's names are not visible from the functions nested in it.
            if not (current.is_class and not first):
                if name in current.imports:
                    dotted, is_module = current.imports[name]
                    return Resolved(dotted, is_module)
                if name in current.local:
                    return None
            first = False
            current = current.parent
        for module in self.module.star:
            candidate = f"{module}.{name}"
            if candidate in self._star_candidates:
                return Resolved(candidate)
        return Resolved(f"builtins.{name}")

    def resolve(self, node: ast.AST) -> Resolved | None:
        """The dotted name of a ``Name`` or ``a.b.c`` chain rooted at one; else None."""
        attrs: list[str] = []
        while isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        base = self.resolve_name(node.id, self.scope_of(node))
        if base is None:
            return None
        if not attrs:
            return base
        return Resolved(".".join([base.name, *reversed(attrs)]))
