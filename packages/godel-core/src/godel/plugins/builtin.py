"""godel-core's own plugin: it registers the built-ins through the same hooks as third parties."""

from __future__ import annotations

from typing import TYPE_CHECKING

from godel.hookspecs import hookimpl

if TYPE_CHECKING:
    from godel.plugins.registry import Register


@hookimpl
def godel_register_parsers(register: Register) -> None:
    register(
        "lines", "godel.parsers.lines:LineParser", summary="plain text output, one record per line"
    )
    register("jsonl", "godel.parsers.lines:JsonLinesParser", summary="JSON objects, one per line")


# code, "module:Class" under godel.lint.rules, and the rule's summary. The summary is written only
# here: listing the rules imports none of them, and the loader hands each rule its summary.
_LINT_RULES = (
    (
        "PL001",
        "awaiting:MissingAwait",
        "godel coroutine (run, parallel, sleep, print, ... or a @step) called without await",
    ),
    (
        "PL002",
        "structure:PrimitiveOutsideStep",
        "function uses godel primitives (run, rewind, parallel) but is not a @step or @workflow",
    ),
    (
        "PL003",
        "determinism:NonDeterministicCall",
        "non-deterministic call (clock, random, uuid, secrets, os.urandom, time/asyncio sleep)",
    ),
    ("PL004", "loops:RunInLoop", "run inside a loop without idempotent=True"),
    ("PL005", "structure:SyncDecorated", "@workflow or @step on a 'def' instead of an 'async def'"),
    ("PL006", "structure:WorkflowWithoutStep", "@workflow never calls a @step"),
    (
        "PL007",
        "exceptions:BroadExcept",
        "broad except in workflow code may swallow WorkflowFail or RewindSignal",
    ),
    (
        "PL008",
        "determinism:BuiltinConsoleIO",
        "builtin print/input in workflow code (not recorded; use godel.print/godel.input)",
    ),
    ("PL009", "agents:AgentOutsideStep", "agent called in a @workflow outside any @step"),
    (
        "PL010",
        "awaiting:DiscardedCoroutine",
        "coroutine created and thrown away (async function called without await)",
    ),
    (
        "PL011",
        "structure:RetryInsideStep",
        "@retry written below @step (all attempts share one step invocation)",
    ),
    (
        "PL012",
        "determinism:UnrecordedEffect",
        "subprocess or file write in workflow code that bypasses the audit log",
    ),
    (
        "PL013",
        "values:NonJsonStepValue",
        "@step argument or return value that cannot be stored as JSON",
    ),
    (
        "PL014",
        "structure:StepWithoutName",
        "@step without name= (renaming the function orphans its recorded results)",
    ),
)


@hookimpl
def godel_register_lint_rules(register: Register) -> None:
    """The built-in PL rules; each rule module is imported only when a lint runs."""
    for code, target, summary in _LINT_RULES:
        register(code, f"godel.lint.rules.{target}", summary=summary)


@hookimpl
def godel_register_stores(register: Register) -> None:
    """The file store (``file:///path``): the default, runs as JSONL files in a runs dir."""
    register("file", "godel.store.file:FileStore.from_url", summary="JSONL files in a runs dir")
