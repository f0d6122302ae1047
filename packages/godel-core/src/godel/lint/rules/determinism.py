"""Effects godel cannot record: PL003 (non-deterministic calls), PL008 (builtin print/input)
and PL012 (subprocesses and file writes that bypass the audit log)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from godel.lint.base import Diagnostic, Rule
from godel.lint.rules._util import keyword, text_of
from godel.lint.source import SourceFile

_CLOCK = "godel.det.now()"
_RANDOM = "godel.det.random()"
_UUID = "godel.det.uuid4()"
_SLEEP = "await godel.sleep(...)"

NONDETERMINISTIC: dict[str, str] = {
    **dict.fromkeys(
        [
            "datetime.datetime.now",
            "datetime.datetime.today",
            "datetime.datetime.utcnow",
            "datetime.date.today",
            "time.time",
            "time.time_ns",
            "time.monotonic",
            "time.monotonic_ns",
            "time.perf_counter",
            "time.perf_counter_ns",
        ],
        _CLOCK,
    ),
    **dict.fromkeys(
        [
            f"random.{f}"
            for f in (
                "random",
                "choice",
                "choices",
                "randint",
                "randrange",
                "uniform",
                "shuffle",
                "sample",
                "getrandbits",
                "randbytes",
                "gauss",
                "normalvariate",
                "triangular",
                "betavariate",
                "expovariate",
                "SystemRandom",
            )
        ],
        _RANDOM,
    ),
    "os.urandom": _RANDOM,
    "uuid.uuid1": _UUID,
    "uuid.uuid4": _UUID,
    "time.sleep": _SLEEP,
    "asyncio.sleep": _SLEEP,
}


class NonDeterministicCall(Rule):
    """PL003: clocks, randomness, ids and sleeps that a resumed run would not reproduce."""

    code = "PL003"
    summary = (
        "non-deterministic call (clock, random, uuid, secrets, os.urandom, time/asyncio sleep)"
    )
    severity = "error"

    def check(self, source: SourceFile) -> Iterator[Diagnostic]:
        for call, qualname in source.names.calls():
            replacement = NONDETERMINISTIC.get(qualname)
            if replacement is None and qualname.startswith("secrets."):
                replacement = _RANDOM
            if replacement is None:
                continue
            name = text_of(call.func)
            if name != qualname:
                name = f"{name}' ('{qualname}"  # show what an alias stands for
            if replacement is _SLEEP:
                yield self.report(
                    source,
                    call,
                    f"'{name}' is not recorded, so a resumed run sleeps again; use {_SLEEP}",
                    "godel.sleep records the sleep and skips it when the run is replayed",
                )
            else:
                yield self.report(
                    source,
                    call,
                    f"'{name}' is non-deterministic; use {replacement}",
                    "godel.det records the value, so a resumed run sees the same one",
                )


class BuiltinConsoleIO(Rule):
    """PL008: Python's own print/input inside a step or workflow."""

    code = "PL008"
    summary = "builtin print/input in workflow code (not recorded; use godel.print/godel.input)"
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
                    "builtin 'print' is not recorded in the audit log or the "
                    "transcript; use 'await godel.print(...)'",
                )


_SUBPROCESS = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
        "os.system",
        "os.popen",
        "os.posix_spawn",
        "os.posix_spawnp",
        "asyncio.create_subprocess_exec",
        "asyncio.create_subprocess_shell",
    }
)
_WRITE_MODES = frozenset("wax+")


def _open_mode(call: ast.Call) -> str | None:
    mode = call.args[1] if len(call.args) > 1 else getattr(keyword(call, "mode"), "value", None)
    return mode.value if isinstance(mode, ast.Constant) and isinstance(mode.value, str) else None


class UnrecordedEffect(Rule):
    """PL012: subprocesses and file writes in workflow code that godel never sees."""

    code = "PL012"
    summary = "subprocess or file write in workflow code that bypasses the audit log"
    severity = "error"

    def check(self, source: SourceFile) -> Iterator[Diagnostic]:
        names, functions = source.names, source.functions
        for call, qualname in names.calls():
            is_command = qualname in _SUBPROCESS or qualname.startswith(("os.exec", "os.spawn"))
            if is_command and functions.in_workflow_code(call):
                yield self.report(
                    source,
                    call,
                    f"'{text_of(call.func)}' runs a command the audit log does not "
                    "see; use 'await godel.run(...)'",
                    "godel.run records the command and its output, and a resumed run "
                    "replays it instead of running it again",
                )
            elif (
                qualname == "builtins.open"
                and set(_open_mode(call) or "") & _WRITE_MODES
                and functions.in_workflow_code(call)
            ):
                yield self.report(
                    source,
                    call,
                    "open() for writing bypasses the audit log; use 'await godel.write_text(...)'",
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
