"""The one place where a primitive's effect is recorded or answered from the log."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from godel.engine.context import Frame, RunState, current_frame, current_run, lookup
from godel.engine.interrupt import Stopped, interruption
from godel.log.events import Event, EventStatus, compute_request_hash

Response = dict[str, Any]


SPENT_ATTR = "godel_agent_spent"
"""The attribute of an exception from an agent call that holds what its answered invocations
used (``usage``, ``cost_usd``...), recorded on the FAILED ``agent.call`` (``failure_fields``)."""


def failure_fields(exc: BaseException) -> dict[str, Any]:
    """The standard FAILED response for an exception (type, message, where it came from).

    An interruption (a signal, a timeout, a cancelled ``parallel`` sibling) is not an outcome
    of what it cut short: it is recorded as ``error_type: "Interrupted"``, ``interrupted: true``,
    with what interrupted it as the error (``godel.engine.interrupt``).
    """
    from godel.exceptions import CommandFailure, GodelError, exception_message

    why = interruption(exc, current_frame())
    if why is not None:
        return {"error": why, "error_type": "Interrupted", "interrupted": True}
    fields: dict[str, Any] = {
        "error": exception_message(exc) or type(exc).__name__,
        "error_type": type(exc).__name__,
    }
    cls = type(exc)
    if cls.__module__ != "builtins" and not cls.__module__.startswith("godel"):
        # A class of the user's own, which a replay cannot rebuild from its name alone (one
        # named like a builtin would come back as the builtin: godel.replay.failures.rebuild).
        fields["error_class"] = f"{cls.__module__}.{cls.__qualname__}"
    location = user_location(exc)
    if location:
        fields["source_location"] = location
    if isinstance(exc, GodelError | CommandFailure) and exc.remediation_hint:
        fields["remediation_hint"] = exc.remediation_hint
    # What it takes to raise the same failure again on replay (godel.replay.failures); the
    # output of a failed command is part of the record, in full.
    from godel.replay.failures import recorded_attrs

    for name in recorded_attrs(type(exc)):
        fields[name] = getattr(exc, name, None)
    if isinstance(exc, OSError) and exc.errno is not None:
        fields["os_error"] = os_error_args(exc)
    # A failed agent call's paid invocations (usage, cost_usd): the ledger counts them as spent.
    fields.update(getattr(exc, SPENT_ATTR, None) or {})
    return fields


def os_error_args(exc: OSError) -> list[Any]:
    """``[errno, strerror, filename, filename2]``: what rebuilds ``exc`` with the attributes the
    code that caught it may read (``exc.errno``, ``exc.filename``), as JSON."""

    def name(value: Any) -> Any:
        return os.fsdecode(value) if isinstance(value, bytes) else value

    return [exc.errno, exc.strerror, name(exc.filename), name(exc.filename2)]


def user_location(exc: BaseException) -> str:
    """``file:line`` of the innermost traceback frame outside godel's own packages."""
    tb = exc.__traceback__
    found = ""
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not _is_internal(filename):
            found = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found


_INTERNAL_MARKERS = ("/godel/", "/anyio/", "/asyncio/", "/godel_cli/", "<frozen")


# Libraries: the environment's, and (in a virtualenv) the standard library of the Python it
# was made from, which lives outside sys.prefix.
_LIBRARY_PREFIXES = (sys.prefix + "/lib", sys.base_prefix + "/lib")


def _is_internal(filename: str) -> bool:
    return any(m in filename for m in _INTERNAL_MARKERS) or filename.startswith(_LIBRARY_PREFIXES)


class Position:
    """Where a primitive sits: its frame, local sequence number, key and cached event."""

    __slots__ = ("cached", "frame", "key", "local", "run")

    def __init__(self, run: RunState, frame: Frame, op: str) -> None:
        self.run = run
        self.frame = frame
        self.local = local = frame.next_local()
        if run.cache:
            self.key = frame.op_key(op, local)
            self.cached = cached = lookup(run, self.key)
            lost = run.log.lost_blobs
            if lost and cached is not None and cached.event_id in lost:
                # Its recorded answer is only a preview now: replaying it would be lossy.
                from godel.replay.policy import lost_blob_error

                raise lost_blob_error(run.run_id, cached, lost[cached.event_id])
        else:  # nothing to replay: no key needed (godel.engine.keys)
            self.key = 0
            self.cached = None


def position(op: str) -> Position | None:
    """Claim the next position for ``op`` in the current frame (None outside a workflow)."""
    run = current_run()
    if run is None:
        return None
    frame = current_frame()
    assert frame is not None
    return Position(run, frame, op)


def cached_response(
    pos: Position, op: str, request: dict[str, Any], request_hash: str | None = None
) -> Event | None:
    """The earlier attempt's FINISHED event for this call if it may be replayed, else None."""
    cached = pos.cached
    if cached is None or cached.status is not EventStatus.FINISHED:
        return None
    if cached.request == request:
        return cached
    if request_hash is None:
        request_hash = compute_request_hash(request)
    if cached.request_hash and cached.request_hash != request_hash:
        if _same_without_new_keys(cached, request):
            return cached
        policy = pos.run.policy
        if policy is None:
            return None
        return policy.on_mismatch_event(pos, op, request, cached)
    return cached


def _same_without_new_keys(cached: Event, request: dict[str, Any]) -> bool:
    """Whether ``request`` is the recorded one once the options it has and the recording lacks
    are dropped, each left unset (None): godel-py 3.x wrote no ``env`` nor ``stdin`` for a
    command, and a log it wrote must replay."""
    new = [k for k, v in request.items() if v is None and k not in cached.request]
    if not new:
        return False
    trimmed = {k: v for k, v in request.items() if k not in new}
    return cached.request_hash == compute_request_hash(trimmed)


def replayed_failure(
    pos: Position,
    request_hash: str | None = None,
    *,
    op: str = "",
    request: dict[str, Any] | None = None,
) -> BaseException | None:
    """The exception to raise again when this call's recorded failure is settled, else None.

    Settled: the run handled it and went on (``godel.replay.failures``), so re-running it would
    repeat its side effects. When ``request_hash`` (if given) differs from the recorded one,
    the mismatch policy decides with ``op`` and ``request``, as for a recorded result: abort
    raises, continue replays the failure, invalidate runs the new request (None).
    """
    cached = pos.cached
    if cached is None or cached.status is not EventStatus.FAILED:
        return None
    if not (pos.frame.settled or cached.event_id in pos.run.settled):
        return None
    if request_hash is not None and cached.request_hash and cached.request_hash != request_hash:
        policy = pos.run.policy
        if policy is None or request is None:
            return None
        if policy.on_mismatch_event(pos, op, request, cached) is None:
            return None
    from godel.replay.failures import rebuild

    failure = rebuild(cached)
    if failure is not None:
        mark_replayed(failure, cached.event_id, cached.parent_id or cached.event_id)
    return failure


# The attribute a failure replayed from the log carries: (its event id, the id to rewind to).
REPLAYED_FROM = "__godel_replayed_from__"


def mark_replayed(failure: BaseException, event_id: str, rewind_to: str) -> None:
    """Mark ``failure`` as raised again from the log: if the run ends on it, `godel run` and
    `resume` say that nothing ran and that resuming again replays it, and which rewind runs it
    (its step's)."""
    with contextlib.suppress(AttributeError):
        setattr(failure, REPLAYED_FROM, (event_id, rewind_to))


async def effect(
    op: str,
    request: dict[str, Any],
    execute: Callable[[Event | None], Awaitable[Response]],
    *,
    side_effect: bool = False,
    stream_path: list[str] | None = None,
    pos: Position | None = None,
) -> Response:
    """Run ``execute`` as a recorded STARTED → FINISHED/FAILED event, or replay it.

    Nothing starts in a stopped ``parallel`` fork (``Stopped`` is raised). An earlier attempt's
    event that never ended, or was interrupted, is in flight: ``ReplayPolicy.on_started_only``
    decides whether it may run again.

    ``side_effect`` marks effects outside the process (commands, file writes, agent calls):
    their start is fsynced before they run, so not even an operating-system crash can lose the
    fact that one began; their end is made durable soon after (``EventLog.sync_soon``).
    """
    if pos is None:
        pos = position(op)
    if pos is None:
        return await execute(None)
    hit = cached_response(pos, op, request) if pos.cached is not None else None
    if hit is None and pos.run.answers is not None:  # godel test: by request (godel.plan)
        hit = pos.run.answers.take(op, request, pos.frame.step_path)
    if hit is not None:
        return hit.response or {}
    if pos.cached is not None and pos.cached.status is EventStatus.FAILED:
        failure = replayed_failure(
            pos,
            None if pos.cached.request == request else compute_request_hash(request),
            op=op,
            request=request,
        )
        if failure is not None:
            raise failure
    frame = pos.frame
    if frame.stop is not None and frame.stop.reason is not None:
        raise Stopped(frame.stop.reason)  # a sibling branch failed: start nothing new
    if pos.cached is not None and pos.run.policy is not None:
        from godel.replay.failures import in_flight

        if in_flight(pos.cached):
            pos.run.policy.on_started_only(pos, op, request)
    log = pos.run.log
    ev = log.start(
        op,
        request=request,
        step_path=frame.step_path,
        parent_id=frame.scope_id(),
        invocation_seq=frame.invocation_seq,
        step_local_seq=pos.local,
        stream_path=stream_path,
        sync=side_effect,
    )
    try:
        response = await execute(ev)
    except BaseException as exc:
        if _is_pause(exc):
            # Paused while it waited (an input): no answer, no failure; a resume asks again.
            log.set_status(ev, EventStatus.PAUSED)
            raise
        fail(log, ev, exc)
        if side_effect:
            log.sync_soon()
        raise
    log.finish(ev, response)
    if side_effect:
        log.sync_soon()
    return response


def _is_pause(exc: BaseException) -> bool:
    from godel.exceptions import PauseSignal

    return isinstance(exc, PauseSignal)


def fail(log: Any, event: Event, exc: BaseException, **more: Any) -> None:
    """Record ``event`` FAILED with the standard fields of ``exc`` (``failure_fields``)."""
    fields = failure_fields(exc)
    error = fields.pop("error")
    # An interruption is worded by what interrupted it; a failure by its exception.
    log.fail(event, error if fields.get("interrupted") else exc, **fields, **more)


def value(op: str, request: dict[str, Any], produce: Callable[[], Any]) -> Any:
    """A recorded value (``det.*``): one FINISHED line; replays return the recorded value."""
    pos = position(op)
    if pos is None:
        raise RuntimeError(f"godel.{op} must be called inside a @workflow")
    hit = cached_response(pos, op, request) if pos.cached is not None else None
    if hit is None and pos.run.answers is not None:  # godel test: by request (godel.plan)
        hit = pos.run.answers.take(op, request, pos.frame.step_path)
    if hit is not None and hit.response is not None and "value" in hit.response:
        return hit.response["value"]
    result = produce()
    frame = pos.frame
    pos.run.log.record(
        op,
        request=request,
        response={"value": result},
        step_path=frame.step_path,
        parent_id=frame.scope_id(),
        invocation_seq=frame.invocation_seq,
        step_local_seq=pos.local,
    )
    return result
