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
_NOT_AGENT_FACTORIES = frozenset({"get", "SchemaValidationFailure"})


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
        """Bare names bound only as ``name = claude_code(...)`` (any ``godel.agents`` factory)."""
        if self._agent_names is None:
            found = set()
            for name, bound in self.bindings.items():
                if bound[0].kind != "assign":  # cheap filter: most names are imports, defs, params
                    continue
                if all(
                    b.kind == "assign"
                    and isinstance(b.value, ast.Call)
                    and is_agent_factory(self.resolve(b.value.func))
                    for b in bound
                ):
                    found.add(name)
            self._agent_names = frozenset(found)
        return self._agent_names

    def agent_calls(self) -> list[ast.Call]:
        """Calls of an agent: ``agent(prompt)`` for a name bound above, or ``claude_code()(p)``."""
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
