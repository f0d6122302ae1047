"""godel's own names, and name resolution as the rules see it: ``godel.run``, not whatever is
called ``run``.

Resolution is :class:`godel.strict.names.Resolver` with the cautious policy: a bare name
resolves to an imported dotted name only when every binding of that name in the file is an
import of that same thing. A user's own ``run`` (a ``def``, a parameter, an assignment)
therefore makes ``run`` unresolved, and rules stay silent rather than guess.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import TYPE_CHECKING

import godel
from godel.strict import catalog
from godel.strict.names import Binding, Resolver

if TYPE_CHECKING:
    from godel.lint.source import SourceFile

# Names the reference contract lets workflow files import from godel that godel does not export
# yet; a workflow written against it must still resolve them.
_REFERENCE_ONLY = (
    "load_config",
    "GodelConfig",
    "LoadedConfig",
    "resolve_workflow",
    "list_workflows",
    "open_event_log",
)
# What ``from godel import *`` binds: godel's own ``__all__`` (the package is loaded already).
GODEL_EXPORTS = frozenset({*godel.__all__, *_REFERENCE_ONLY})
# godel.io and godel.det are not imported at lint time; a test keeps these equal to their __all__.
IO_EXPORTS = frozenset({"print", "input", "sleep", "read_text", "write_text"})
DET_EXPORTS = frozenset({"choice", "now", "randint", "random", "sleep", "uuid4"})
AGENT_EXPORTS = frozenset({"claude_code", "copilot", "codex"})
STAR_EXPORTS = {
    # ``from datetime import *`` and the like, as strict mode reads them (PL003 reports what
    # strict mode bans), then godel's own modules.
    **catalog.star_exports(),
    "godel": GODEL_EXPORTS,
    "godel.io": IO_EXPORTS,
    "godel.det": DET_EXPORTS,
    "godel.agents": AGENT_EXPORTS,
}

# godel functions whose call returns a coroutine that must be awaited (or handed to parallel).
COROUTINE_PRIMITIVES = frozenset(
    {
        "godel.run",
        "godel.parallel",
        "godel.rewind",
        "godel.sleep",
        "godel.print",
        "godel.input",
        "godel.read_text",
        "godel.write_text",
        "godel.det.sleep",
    }
)
STEP = "godel.step"
WORKFLOW = "godel.workflow"
RETRY = "godel.retry"
AGENTS_PREFIX = "godel.agents."
AGENT_TYPE = "godel.agents.Agent"
# What godel.agents defines itself: every other name there is a plugin's agent factory.
_NOT_AGENT_FACTORIES = frozenset(
    {"Agent", "AgentCall", "AgentResult", "Invocation", "result_record"}
    | {"SchemaValidationFailure", "get", "names"}
)


_ALIASES = {"godel.replay.rewind": "godel.rewind"}


def canonical(qualname: str) -> str:
    """One spelling per godel object: ``godel.io.print`` is ``godel.print``, and
    ``godel.replay.rewind`` is ``godel.rewind``."""
    if qualname.startswith("godel.io.") and qualname[9:] in IO_EXPORTS:
        return "godel." + qualname[9:]
    return _ALIASES.get(qualname, qualname)


def is_agent_factory(qualname: str | None) -> bool:
    """``godel.agents.claude_code`` and any other agent a plugin provides there."""
    if not qualname or not qualname.startswith(AGENTS_PREFIX):
        return False
    rest = qualname[len(AGENTS_PREFIX) :]
    return "." not in rest and rest not in _NOT_AGENT_FACTORIES


class Names:
    """Bindings of every bare name in one file, and resolution of expressions to dotted names."""

    def __init__(self, source: SourceFile) -> None:
        self._source = source
        self._resolver = Resolver(
            source.tree,
            source.index,
            cautious=True,
            star_exports=STAR_EXPORTS,
            normalize=canonical,
        )
        self.bindings: dict[str, list[Binding]] = self._resolver.bindings
        self.star_imports: list[str] = self._resolver.star_imports
        self._resolved: dict[ast.AST, str | None] = {}
        self._calls: list[tuple[ast.Call, str]] | None = None
        self._agent_names: frozenset[str] | None = None
        self._agent_calls: list[ast.Call] | None = None
        self._uses: dict[str, list[ast.Name]] | None = None  # loads of each bare name

    def qualify(self, name: str) -> str | None:
        """The dotted name a bare name stands for (``builtins.print`` for a builtin), or None."""
        found = self._resolver.lookup(name)
        return None if found is None else found.name

    def resolve(self, node: ast.AST) -> str | None:
        """``godel.det.sleep`` for ``d.sleep`` after ``from godel import det as d``; else None."""
        memo = self._resolved
        if node in memo:
            return memo[node]
        found = self._resolver.resolve(node)
        result = memo[node] = None if found is None else found.name
        return result

    def defs(self, name: str) -> list[ast.AST] | None:
        """The ``def`` nodes behind a bare name when it is bound by nothing but defs, else None."""
        bound = self.bindings.get(name)
        if not bound or any(b.kind != "def" for b in bound):
            return None
        return [b.node for b in bound]

    def only_defs_or_classes(self, name: str) -> bool:
        """True when a bare name is bound only by ``def``/``class`` statements (never data)."""
        bound = self.bindings.get(name)
        return bool(bound) and all(b.kind in ("def", "class") for b in bound)

    def calls(self) -> list[tuple[ast.Call, str]]:
        """Every call whose callee resolves, with the callee's dotted name (computed once)."""
        if self._calls is None:
            resolve = self.resolve
            found = []
            for call in self._source.of_type(ast.Call):
                qualname = resolve(call.func)  # type: ignore[attr-defined]
                if qualname is not None:
                    found.append((call, qualname))
            self._calls = found
        return self._calls  # type: ignore[return-value]

    def calls_to(self, qualnames: Iterable[str] | frozenset[str]) -> list[tuple[ast.Call, str]]:
        """Calls of any of ``qualnames``."""
        wanted = qualnames if isinstance(qualnames, (set, frozenset)) else frozenset(qualnames)
        return [(call, q) for call, q in self.calls() if q in wanted]

    # agents --------------------------------------------------------------------------------
    def agent_names(self) -> frozenset[str]:
        """Bare names that hold an agent wherever they are bound: ``name = claude_code(...)`` (any
        ``godel.agents`` factory), a parameter annotated ``godel.agents.Agent``, or a parameter
        that every call of its function in this file gives an agent (``implement(coder, task)``).
        """
        if self._agent_names is None:
            self._agent_names = self._find_agent_names()
        return self._agent_names

    def _find_agent_names(self) -> frozenset[str]:
        factories = any(is_agent_factory(q) for _, q in self.calls())
        if not factories and not any(map(self._annotated_agent, self._source.of_type(ast.arg))):
            return frozenset()  # the common case: a file that makes no agent
        # A parameter's arguments at each call of its function; None when some call cannot be
        # read (see _arguments). Every other binding decides on its own.
        passed: dict[ast.AST, list[ast.expr] | None] = {}
        found = set()
        for name, bound in self.bindings.items():
            for b in bound:
                if b.kind == "other" and type(b.node) is ast.arg:
                    if not self._annotated_agent(b.node):
                        passed[b.node] = self._arguments(b.node, b.scope)  # type: ignore[arg-type]
                        if passed[b.node] is None:
                            break
                elif not (
                    b.kind == "assign"
                    and isinstance(b.value, ast.Call)
                    and is_agent_factory(self.resolve(b.value.func))
                ):
                    break
            else:
                found.add(name)
        # Then drop, until nothing changes, each name with a parameter that some call gives
        # something else. Starting from every candidate (not building up from the factories)
        # lets an agent keep its name across a call: ``coder`` made in the workflow and passed
        # to the step's parameter ``coder`` is one name with both bindings.
        changed = True
        while changed:
            changed = False
            for name in list(found):
                for b in self.bindings[name]:
                    args = passed.get(b.node)
                    if args and not all(self._is_agent(a, found) for a in args):
                        found.discard(name)
                        changed = True
                        break
        return frozenset(found)

    def _annotated_agent(self, param: ast.arg) -> bool:
        """``agent: Agent`` or ``agent: Agent | None``, with ``Agent`` from ``godel.agents``."""
        note = param.annotation
        if isinstance(note, ast.BinOp) and isinstance(note.op, ast.BitOr):
            if isinstance(note.right, ast.Constant) and note.right.value is None:
                note = note.left
        return note is not None and self.resolve(note) == AGENT_TYPE

    def _is_agent(self, expr: ast.expr, agents: set[str]) -> bool:
        if isinstance(expr, ast.Name):
            return expr.id in agents
        return isinstance(expr, ast.Call) and is_agent_factory(self.resolve(expr.func))

    def _arguments(self, param: ast.arg, function: ast.AST | None) -> list[ast.expr] | None:
        """What each call of ``function`` in this file passes for ``param``. None (unknown) when
        the function is not a ``def`` bound only once, its name is used other than by calling
        it, a call leaves ``param`` to a default or to ``*``/``**`` unpacking, or nothing
        outside the function itself calls it (recursion alone proves nothing)."""
        if type(function) not in (ast.FunctionDef, ast.AsyncFunctionDef):
            return None  # a lambda's
        name = function.name  # type: ignore[union-attr]
        if self.defs(name) != [function]:
            return None
        if self._uses is None:
            self._uses = {}
            for node in self._source.of_type(ast.Name):
                if type(node.ctx) is ast.Load:  # type: ignore[attr-defined]
                    self._uses.setdefault(node.id, []).append(node)  # type: ignore[attr-defined]
        args, outside = [], False
        for use in self._uses.get(name, ()):
            call = self._source.parent(use)
            if not (isinstance(call, ast.Call) and call.func is use):
                return None  # passed around as a value: called with who knows what
            arg = _argument(call, function.args, param)  # type: ignore[union-attr]
            if arg is None:
                return None
            args.append(arg)
            outside = outside or function not in self._source.ancestors(call)
        return args if outside else None

    def agent_calls(self) -> list[ast.Call]:
        """Calls of an agent: ``agent(prompt)`` for a name in :meth:`agent_names`, or
        ``claude_code()(prompt)``."""
        if self._agent_calls is not None:
            return self._agent_calls
        agents = self.agent_names()
        found = []
        for call in self._source.of_type(ast.Call):
            func = call.func  # type: ignore[attr-defined]
            if isinstance(func, ast.Name):
                if func.id in agents:
                    found.append(call)
            elif isinstance(func, ast.Call) and is_agent_factory(self.resolve(func.func)):
                found.append(call)
        self._agent_calls = found  # type: ignore[assignment]
        return found  # type: ignore[return-value]


def _argument(call: ast.Call, signature: ast.arguments, param: ast.arg) -> ast.expr | None:
    """The expression ``call`` passes for ``param``, or None when it cannot tell."""
    if param is signature.vararg or param is signature.kwarg:
        return None  # a tuple or a dict, even when a keyword of the same name goes into it
    positional = [*signature.posonlyargs, *signature.args]
    if param in positional:
        i = positional.index(param)
        if any(isinstance(a, ast.Starred) for a in call.args[: i + 1]):
            return None
        if i < len(call.args):
            return call.args[i]
    if param in signature.posonlyargs:
        return None
    for kw in call.keywords:
        if kw.arg == param.arg:
            return kw.value
    return None  # left to a default or to ``**kwargs``
