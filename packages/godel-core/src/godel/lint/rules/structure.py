"""How workflow code is put together: PL002, PL005, PL006, PL011 and PL014."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from godel.lint.base import Diagnostic, Rule
from godel.lint.functions import FunctionInfo
from godel.lint.names import RETRY, STEP
from godel.lint.source import SourceFile

_SCOPE_PRIMITIVES = frozenset({"godel.run", "godel.rewind", "godel.parallel"})


class PrimitiveOutsideStep(Rule):
    """PL002: a plain function that runs commands, rewinds or forks."""

    code = "PL002"
    severity = "warning"
    hint = "decorate it with @step so its commands get their own step identity, retries and rewind target"

    def check(self, source: SourceFile) -> Iterator[Diagnostic]:
        functions = source.functions
        reported = set()
        for call, _ in source.names.calls_to(_SCOPE_PRIMITIVES):
            scope = source.enclosing_scope(call)
            info = functions.get(scope)
            if info is None or info.kind is not None or scope in reported:
                continue  # module level, a lambda, or already a step/workflow
            if functions.owner(scope) is not None:
                continue  # a helper nested in a step runs inside that step
            reported.add(scope)
            yield self.report(
                source,
                scope,
                f"function '{info.name}' uses godel primitives but lacks @step decorator",
            )


class SyncDecorated(Rule):
    """PL005: ``@step``/``@workflow`` on a plain ``def``."""

    code = "PL005"
    severity = "error"
    hint = "declare the function with 'async def'"

    def check(self, source: SourceFile) -> Iterator[Diagnostic]:
        for info in source.functions:
            if info.kind is not None and not info.is_async:
                yield self.report(
                    source, info.node, f"@{info.kind} requires 'async def', not 'def'"
                )


class WorkflowWithoutStep(Rule):
    """PL006: a workflow whose work happens outside any step."""

    code = "PL006"
    severity = "warning"
    hint = "move the work into @step functions: steps are the units of caching, retry, pause and rewind"

    def check(self, source: SourceFile) -> Iterator[Diagnostic]:
        workflows = source.functions.of_kind("workflow")
        if not workflows:
            return
        step_methods = {i.name for i in source.functions if i.kind == "step"}
        direct = self._mention_a_step(source, {w.node for w in workflows}, step_methods)
        for info in workflows:
            if info.node not in direct and not self._may_call_step(
                source, info, step_methods, set()
            ):
                yield self.report(
                    source, info.node, f"@workflow '{info.name}' never calls any @step function"
                )

    @staticmethod
    def _mention_a_step(
        source: SourceFile, workflows: set[ast.AST], step_names: set[str]
    ) -> set[ast.AST]:
        """The workflows whose body names a step of this file: the common case, found from the index."""
        found: set[ast.AST] = set()
        info = source.functions.info
        for node in source.of_type(ast.Name):
            if node.id not in step_names:  # type: ignore[attr-defined]
                continue
            defs = source.names.defs(node.id)  # type: ignore[attr-defined]
            if defs and all(info[d].kind == "step" for d in defs):
                for anc in source.ancestors(node):
                    if anc in workflows:
                        found.add(anc)
        return found

    def _may_call_step(
        self, source: SourceFile, info: FunctionInfo, step_methods: set[str], seen: set[ast.AST]
    ) -> bool:
        """Could ``info`` reach a step? Imported and unknown callees count as yes."""
        seen.add(info.node)
        names, functions = source.names, source.functions
        agents = names.agent_names()
        for node in (n for stmt in info.node.body for n in ast.walk(stmt)):
            if isinstance(node, ast.Attribute) and node.attr in step_methods:
                return True
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                defs = names.defs(node.id)
                if defs:
                    for d in defs:
                        sub = functions.get(d)
                        if sub is not None and (
                            sub.kind == "step"
                            or (
                                d not in seen
                                and self._may_call_step(source, sub, step_methods, seen)
                            )
                        ):
                            return True
                    continue
            if isinstance(node, ast.Call) and self._unknown_callee(source, node, agents):
                return True
        return False

    @staticmethod
    def _unknown_callee(source: SourceFile, call: ast.Call, agents: frozenset[str]) -> bool:
        func = call.func
        if isinstance(func, ast.Name):
            if func.id in agents or source.names.defs(func.id):
                return False  # agents are not steps; local defs were followed above
            qualname = source.names.qualify(func.id)
        elif isinstance(func, ast.Attribute):
            base = func.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if not isinstance(base, ast.Name):
                return False
            qualname = source.names.qualify(base.id)
            if qualname is None:
                return False  # a method of a local value: only step methods (checked above) count
        else:
            return False
        if qualname is None:
            return True  # a parameter or a variable: may well hold a step
        # Anything imported may be a step of another module (godel's own names included): the
        # reference's suppression, kept so that a workflow it accepts is accepted here too.
        return not qualname.startswith("builtins.")


class RetryInsideStep(Rule):
    """PL011 (off by default): ``@retry`` written below ``@step`` retries inside one step
    invocation. Both orders work (the reference's guides teach this one), so it is a house rule
    for projects that want every attempt to be a step invocation of its own."""

    code = "PL011"
    severity = "warning"
    default_enabled = False
    hint = "write @retry(...) above @step so each attempt is its own step invocation"

    def check(self, source: SourceFile) -> Iterator[Diagnostic]:
        for info in source.functions:
            order = [d.qualname for d in info.decorators]
            if STEP in order and RETRY in order and order.index(RETRY) > order.index(STEP):
                retry = info.decorators[order.index(RETRY)]
                yield self.report(
                    source,
                    retry.expr,
                    "@retry is applied inside @step, so every attempt runs in the same step "
                    "invocation and is recorded as one",
                )


class StepWithoutName(Rule):
    """PL014 (off by default): a step whose identity is its function's name."""

    code = "PL014"
    severity = "warning"
    default_enabled = False
    hint = "write @step(name='...') with a stable name"

    def check(self, source: SourceFile) -> Iterator[Diagnostic]:
        for info in source.functions.of_kind("step"):
            if info.option("name") is None:
                yield self.report(
                    source,
                    info.node,
                    f"step '{info.name}' is identified by its function name; renaming the "
                    "function makes a resumed run miss its recorded results",
                )
