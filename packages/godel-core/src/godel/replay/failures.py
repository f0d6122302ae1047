"""Recorded failures the run went past: a resume replays them as failures instead of re-running.

A ``@retry`` whose first attempts failed, or a ``try``/``except`` around a failing call, leaves
FAILED events that the workflow handled and moved on from. Running them again on resume would
repeat their side effects (a command that appends to a file, a paid agent call) and could change
what the run returned (an attempt that failed may succeed now). So a resume raises the recorded
failure again, rebuilt from the log, and the code around it takes the same path it took.

A failure is *settled* when it is known to have been handled:

- it sits inside a step whose recorded outcome is replayed (a FINISHED step handled every
  failure inside it; a settled FAILED step is replayed as failing);
- or, in the same attempt, the scope it ran in went on: a later operation or step call in the
  same step (or workflow body, or ``parallel`` branch) started after it ended.

The failure that stopped a run has neither, so it runs live on resume (the hot-patch path).
Interruptions (a signal, a timeout, a cancelled ``parallel`` sibling) are never settled: they
are not an outcome of the effect, which is in flight as far as a resume knows (``in_flight``).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import Any

from godel.log.events import Event, EventStatus, Op

__all__ = [
    "INTERRUPTIONS",
    "in_flight",
    "is_interruption",
    "rebuild",
    "recorded_attrs",
    "settled_failures",
]

INTERRUPTIONS = frozenset(
    {"Cancelled", "Interrupted", "KeyboardInterrupt", "SystemExit", "GeneratorExit"}
)
# Events that are not operations of the scope they are recorded in.
_NOT_SIBLINGS = frozenset(
    {Op.RESUME, Op.REWIND, Op.PAUSED, Op.INVALIDATE, Op.UNRECOVERABLE, Op.REPAIR, Op.JOIN}
)
# Events after which the workflow runs again from the top (a new pass of the same run).
_NEW_PASS = frozenset({Op.RESUME, Op.REWIND})


def is_interruption(event: Event) -> bool:
    return str((event.response or {}).get("error_type", "")) in INTERRUPTIONS


def in_flight(event: Event) -> bool:
    """Whether ``event`` began and its outcome is unknown: it never ended (the process died),
    or it was cut short (a signal, a timeout, a cancelled ``parallel`` sibling). A resume
    treats both alike (``ReplayPolicy.on_started_only``)."""
    status = event.status
    return status is EventStatus.STARTED or (
        status is EventStatus.FAILED and is_interruption(event)
    )


def settled_failures(events: Iterable[Event]) -> set[str]:
    """Ids of FAILED events that a later sibling, in the same pass, shows were handled.

    ``events`` in log order (as an ``EventLog`` iterates). One linear pass; a scope keeps
    the failures still waiting for a later sibling.
    """
    settled: set[str] = set()
    waiting: dict[tuple[str, tuple[str, ...]], list[Event]] = {}
    forks: dict[str, tuple[str, ...]] = {}  # FORK event id -> its step_path
    for ev in events:
        op = ev.op
        if op in _NEW_PASS:
            waiting.clear()  # a new pass: nothing before it can be a sibling of what follows
            continue
        if op == Op.FORK:
            forks[ev.event_id] = ev.step_path
        if op in _NOT_SIBLINGS or ev.parent_id is None:
            continue
        frame_path = ev.step_path[:-1] if op == Op.STEP_ENTER else ev.step_path
        if forks.get(ev.parent_id) == frame_path:
            continue  # steps passed straight to parallel(): concurrent, not one after another
        scope = (ev.parent_id, frame_path)
        pending = waiting.get(scope)
        if pending:
            keep = []
            for failed in pending:
                if failed.ts_end is not None and ev.ts_start >= failed.ts_end:
                    settled.add(failed.event_id)
                else:
                    keep.append(failed)
            waiting[scope] = keep
        if ev.status is EventStatus.FAILED and not is_interruption(ev):
            waiting.setdefault(scope, []).append(ev)
    return settled


def rebuild(event: Event) -> BaseException | None:
    """The exception a FAILED event recorded, rebuilt from the log (None if it cannot be)."""
    response = event.response or {}
    kind = str(response.get("error_type", ""))
    if not kind or kind in INTERRUPTIONS or response.get("error_class"):
        return None  # an interruption, or a class of the user's own (see failure_fields)
    error = str(response.get("error", ""))
    cls = _godel_class(kind)
    if cls is not None:
        return _rebuild_godel(cls, event, error, response)
    builtin = getattr(builtins, kind, None)
    if isinstance(builtin, type) and issubclass(builtin, Exception):
        os_error = response.get("os_error")
        if issubclass(builtin, OSError) and isinstance(os_error, list) and len(os_error) == 4:
            errno, strerror, filename, filename2 = os_error
            return builtin(errno, strerror, filename, None, filename2)
        try:
            return builtin(error)
        except TypeError:  # a constructor that needs more than a message
            return None
    return None


# The failures godel's own primitives and steps raise, by the name the log records.
_GODEL_FAILURES = (
    "WorkflowFail",
    "CommandFailure",
    "AgentError",
    "AgentTimeout",
    "AgentStalled",
    "ContextOverflowError",
    "SchemaValidationFailure",
    "StepTimeout",
    "AgentRefusal",
    "HumanTimeout",
    "BudgetExceeded",
)


def _godel_class(name: str) -> type[BaseException] | None:
    if name not in _GODEL_FAILURES:
        return None
    from godel import exceptions

    return getattr(exceptions, name)  # type: ignore[no-any-return]


def _rebuild_godel(
    cls: type[BaseException], event: Event, error: str, response: dict[str, Any]
) -> BaseException:
    from godel.exceptions import CommandFailure, WorkflowFail

    if cls is WorkflowFail:
        return cls(error)
    request = event.request or {}
    kwargs: dict[str, Any] = {
        "step_path": response.get("step_path") or list(event.step_path),
        "source_location": str(response.get("source_location", "")),
        "remediation_hint": str(response.get("remediation_hint", "")),
    }
    for name in recorded_attrs(cls):
        if name in response:
            kwargs[name] = response[name]
    if issubclass(cls, CommandFailure):
        kwargs["cmd"] = request.get("cmd") or ""
    exc = cls("", **kwargs)  # type: ignore[call-arg]
    message = _strip_marker(error, exc)
    exc.message = message  # type: ignore[attr-defined]
    exc.args = (message,)
    return exc


# Attributes of godel's failures that a FAILED event records, by class (subclasses add theirs).
_RECORDED_ATTRS = {
    "CommandFailure": ("returncode", "stdout", "stderr"),
    "AgentError": ("backend", "model", "session_id"),
    "SchemaValidationFailure": ("schema_name", "raw", "validation_errors"),
    "StepTimeout": ("step_name", "timeout_seconds"),
    "AgentRefusal": ("model", "refusal_reason"),
    "HumanTimeout": ("prompt", "timeout_seconds"),
    "BudgetExceeded": ("spent_usd", "budget_usd"),
}


def recorded_attrs(cls: type[BaseException]) -> tuple[str, ...]:
    """The attributes of ``cls`` (a failure class) that its FAILED event records."""
    out: list[str] = []
    for klass in reversed(cls.__mro__):
        if klass.__module__ == "godel.exceptions":
            out.extend(a for a in _RECORDED_ATTRS.get(klass.__name__, ()) if a not in out)
    return tuple(out)


def _strip_marker(error: str, exc: BaseException) -> str:
    """The message without the ``[godel:...]`` marker ``str()`` appended when it was recorded."""
    marker = exc._marker() if hasattr(exc, "_marker") else ""  # type: ignore[attr-defined]
    if marker and error.endswith(marker):
        return error[: -len(marker)].rstrip()
    at = error.rfind(" [godel:")
    if at >= 0 and error.endswith("]"):
        return error[:at]
    return "" if error.startswith("[godel:") else error
