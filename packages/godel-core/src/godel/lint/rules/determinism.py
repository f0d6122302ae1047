"""Effects godel cannot record: PL003 (non-deterministic calls), PL008 (builtin print/input)
and PL012 (subprocesses and file writes that bypass the audit log)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from godel.lint.base import Diagnostic, Rule
from godel.lint.rules._util import text_of
from godel.lint.source import SourceFile
from godel.strict import catalog

_SLEEP = "await godel.sleep(...)"
_CATEGORY = catalog.dotted(catalog.CALL_CATEGORIES)
# PL003 reports what strict mode bans as a clock, randomness or a sleep, naming the godel.det
# stand-in by kind of value, as the reference linter did (godel.det.random() for any draw).
_REPLACEMENT = {
    "clock": catalog.NOW,
    "random": catalog.RANDOM,
    "uuid": catalog.UUID,
    "sleep": _SLEEP,
}
NONDETERMINISTIC: dict[str, str] = {
    name: _REPLACEMENT[category] for name, category in _CATEGORY.items() if category in _REPLACEMENT
}
# A generator made without a seed (``random.Random()``) seeds itself from the OS; one given a
# seed is deterministic, and not reported.
_SEEDABLE = frozenset(name for name, category in _CATEGORY.items() if category == "seedable")
# PL012 reports what strict mode bans as starting a process.
_COMMANDS = frozenset(name for name, category in _CATEGORY.items() if category == "process")


class NonDeterministicCall(Rule):
    """PL003: clocks, randomness, ids and sleeps that a resumed run would not reproduce."""

    code = "PL003"
    severity = "error"
    determinism = True

    def check(self, source: SourceFile) -> Iterator[Diagnostic]:
        for call, qualname in source.names.calls():
            replacement = NONDETERMINISTIC.get(qualname)
            if qualname in _SEEDABLE and not call.args and not call.keywords:
                replacement = catalog.RANDOM
            if replacement is None and catalog.reads_clock_implicitly(qualname, call):
                replacement = catalog.NOW
            if replacement is None or catalog.is_zero_sleep(qualname, call):
                continue
            name = text_of(call.func)
            # The hint says what an alias stands for: the message keeps the name as written.
            alias = f"'{name}' is {qualname}; " if name != qualname else ""
            if replacement is _SLEEP:
                yield self.report(
                    source,
                    call,
                    f"'{name}' is not recorded, so a resumed run sleeps again; use {_SLEEP}",
                    f"{alias}godel.sleep records the sleep and skips it when the run is replayed",
                )
            else:
                # The reference linter's message, word for word; the stand-in goes in the hint.
                yield self.report(
                    source,
                    call,
                    f"'{name}' is non-deterministic; use godel.det equivalents",
                    f"{alias}use {replacement}: godel.det records the value, so a resumed run "
                    "sees the same one",
                )


class BuiltinConsoleIO(Rule):
    """PL008: Python's own print/input inside a step or workflow."""

    code = "PL008"
    severity = "warning"
    hint = "from godel import print, input  (both are async: await them)"

    def check(self, source: SourceFile) -> Iterator[Diagnostic]:
        for call, qualname in source.names.calls_to({"builtins.print", "builtins.input"}):
            if not source.functions.in_workflow_code(call):
                continue
            if qualname == "builtins.input":
                yield self.report(
                    source,
                    call,
                    "builtin 'input' is not recorded, so a resumed run asks again "
                    "and may get another answer; use 'await godel.input(...)'",
                )
            else:
                yield self.report(
                    source,
                    call,
                    "builtin 'print' is not recorded in the audit log (the transcript "
                    "has it only with capture_stdout); use 'await godel.print(...)'",
                )


class UnrecordedEffect(Rule):
    """PL012: subprocesses and file writes in workflow code that godel never sees."""

    code = "PL012"
    severity = "error"
    determinism = True

    def check(self, source: SourceFile) -> Iterator[Diagnostic]:
        names, functions = source.names, source.functions
        for call, qualname in names.calls():
            opener = catalog.FILE_OPENERS.get(qualname)
            if qualname in _COMMANDS and functions.in_workflow_code(call):
                yield self.report(
                    source,
                    call,
                    f"'{text_of(call.func)}' runs a command the audit log does not "
                    "see; use 'await godel.run(...)'",
                    "godel.run records the command and its output, and a resumed run "
                    "replays it instead of running it again",
                )
            elif (
                opener is not None
                and catalog.writes(catalog.open_mode(call, opener) or "")
                and functions.in_workflow_code(call)
            ):
                shown = "open" if qualname == "builtins.open" else text_of(call.func)
                yield self.report(
                    source,
                    call,
                    f"{shown}() for writing bypasses the audit log; "
                    "use 'await godel.write_text(...)'",
                    "godel.write_text records the write",
                )
        for call in source.of_type(ast.Call):
            func = call.func  # type: ignore[attr-defined]
            if (
                isinstance(func, ast.Attribute)
                and func.attr in ("write_text", "write_bytes")
                and isinstance(func.value, ast.Call)
                and names.resolve(func.value.func) in ("pathlib.Path", "pathlib.PurePath")
                and functions.in_workflow_code(call)
            ):
                yield self.report(
                    source,
                    call,
                    f"Path.{func.attr}() bypasses the audit log; use 'await godel.write_text(...)'",
                    "godel.write_text records the write",
                )
