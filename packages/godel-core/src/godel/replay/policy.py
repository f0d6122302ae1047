"""Replay: what a resumed run may take from the log, and what it must do when the code changed.

On resume the workflow runs again from the top. Each step and primitive looks up its identity
(see ``godel.engine.keys``) in the cache built here. A FINISHED event whose request hash matches is
answered from the log. Everything else runs live, subject to these policies:

``--on-mismatch`` (default ``abort``): the request at an identity differs from the recorded one
(the code or its inputs changed). ``abort`` stops before anything runs twice or stale data is
used; ``invalidate`` records an INVALIDATE event, marks the old event and everything below it
INVALIDATED and runs the new request live; ``continue`` keeps the recorded answer (with a
warning). Abort is the default because each alternative silently does something costly: serve
stale data, or pay for and repeat side effects.

``--on-source-edit`` (default ``warn``): a cached step's source changed since it ran.

Side effects in flight (a command, a file write or an agent call that started and never ended,
or was interrupted by a signal, a timeout or a cancelled ``parallel`` sibling: its outcome is
unknown) raise ``UnsafeResumeError`` unless marked idempotent (the call, its step, or
``--assume-idempotent`` for the whole resume). Agent calls check this themselves
(``godel.agents.base``): one that may run again continues the session it had started
(``godel.agents.sessions``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from godel.engine.keys import KeyTable
from godel.exceptions import ResumeError, SourceEditedError, UnsafeResumeError
from godel.log.events import Event, EventStatus, Op, compute_request_hash

if TYPE_CHECKING:
    from godel.engine.context import RunState
    from godel.engine.record import Position
    from godel.engine.step import StepSpec
    from godel.log.eventlog import EventLog

METADATA_OPS = frozenset(
    {Op.RESUME, Op.REWIND, Op.PAUSED, Op.INVALIDATE, Op.UNRECOVERABLE, Op.REPAIR, Op.JOIN}
)
SIDE_EFFECT_OPS = frozenset({Op.RUN, Op.WRITE_TEXT, Op.AGENT_CALL})
_DEAD = frozenset({EventStatus.INVALIDATED, EventStatus.SUSPENDED})


class MismatchPolicy(str, Enum):
    """What to do when a recorded request differs from the one the code makes now."""

    ABORT = "abort"
    INVALIDATE = "invalidate"
    CONTINUE = "continue"


class SourceEditPolicy(str, Enum):
    """What to do when a cached step's source changed."""

    WARN = "warn"
    ABORT = "abort"
    IGNORE = "ignore"


def root_event(log: EventLog) -> Event:
    """The run's WORKFLOW_STARTED event (the first one)."""
    for ev in log:
        if ev.op == Op.WORKFLOW_STARTED:
            return ev
    raise ResumeError(f"run {log.run_id} has no WORKFLOW_STARTED event; it cannot be resumed")


def build_cache(log: EventLog, keys: KeyTable, root: Event) -> dict[int, Event]:
    """Identity → the latest event recorded there, unless that one was invalidated (metadata
    events skipped)."""
    derived = keys.derive(log, {root.event_id})
    cache: dict[int, Event] = {}
    for ev in log:
        if ev.op in METADATA_OPS or ev.event_id == root.event_id:
            continue
        key = derived.get(ev.event_id)
        if key is None:
            continue
        if ev.status in _DEAD:
            # A rewound attempt hides the older ones it superseded too (an in flight command
            # that was run again): what was rewound runs again.
            cache.pop(key, None)
        else:
            cache[key] = ev  # later events (newer attempts) win
    return cache


def descendants(log: EventLog, event: Event) -> list[Event]:
    """``event`` and everything below it in the call tree, parents first."""
    out = [event]
    i = 0
    while i < len(out):
        out.extend(log.get(child) for child in out[i].children_ids)
        i += 1
    return out


def warn(message: str) -> None:
    print(f"[godel] warning: {message}", file=sys.stderr)


@dataclass
class ReplayPolicy:
    """The resume options in force for one attempt."""

    on_mismatch: MismatchPolicy = MismatchPolicy.ABORT
    on_source_edit: SourceEditPolicy = SourceEditPolicy.WARN
    assume_idempotent: bool = False
    _warned_sources: set[str] = field(default_factory=set)

    # request changed --------------------------------------------------------------------------
    def on_mismatch_event(
        self, pos: Position, op: str, request: dict[str, Any], cached: Event
    ) -> Event | None:
        """Decide for a FINISHED event whose request hash differs: the event to replay, or None."""
        return self._mismatch(pos.run, op, cached, request)

    def accept_step(self, run: RunState, cached: Event, request: dict[str, Any]) -> bool:
        """A cached step was called with different arguments: may it still be replayed?"""
        return self.accept(run, cached, request)

    def accept(self, run: RunState, cached: Event, request: dict[str, Any]) -> bool:
        """A cached scope event (step, fork) was asked for differently: may it still be replayed?"""
        if cached.request_hash and cached.request_hash == compute_request_hash(request):
            return True
        return self._mismatch(run, cached.op, cached, request) is not None

    def _mismatch(
        self, run: RunState, op: str, cached: Event, request: dict[str, Any]
    ) -> Event | None:
        where = "/".join(cached.step_path) or "(root)"
        what = f"{op} at {where} (event {cached.event_id})"
        if self.on_mismatch is MismatchPolicy.CONTINUE:
            warn(
                f"{what}: the request changed since it was recorded; replaying the recorded result "
                "(--on-mismatch continue)"
            )
            return cached
        if self.on_mismatch is MismatchPolicy.ABORT:
            raise ResumeError(
                f"{what}: the request changed since it was recorded (the code, its inputs or the "
                f"working directory changed: godel resume {run.run_id} --plan shows the difference)",
                step_path=cached.step_path,
                remediation_hint="resume with --on-mismatch invalidate to run the new request, or "
                "--on-mismatch continue to keep the recorded result",
            )
        invalidate(run, cached, reason="request changed", new_hash=compute_request_hash(request))
        return None

    # source edited -----------------------------------------------------------------------------
    def check_source_edit(self, run: RunState, cached: Event, spec: StepSpec) -> None:
        recorded = cached.request.get("source_hash") or ""
        current = spec.source_hash
        if (
            not recorded
            or not current
            or recorded == current
            or self.on_source_edit is SourceEditPolicy.IGNORE
        ):
            return
        if self.on_source_edit is SourceEditPolicy.ABORT:
            raise SourceEditedError(
                f"the source of step {spec.name!r} changed since it was recorded (event {cached.event_id})",
                step_name=spec.name,
                event_id=cached.event_id,
                run_id=run.run_id,
                step_path=cached.step_path,
            )
        if spec.name not in self._warned_sources:
            self._warned_sources.add(spec.name)
            warn(
                f"the source of step {spec.name!r} changed since it was recorded; its recorded results are "
                f"replayed where the requests still match. To re-run it: godel rewind {run.run_id} "
                f"--to {cached.event_id}"
            )

    # crashed mid-effect ------------------------------------------------------------------------
    def on_started_only(self, pos: Position, op: str, request: dict[str, Any]) -> None:
        """An event in flight at this identity (STARTED-only or interrupted): refuse unsafe
        re-execution of side effects."""
        cached = pos.cached
        assert cached is not None
        if op not in SIDE_EFFECT_OPS:
            return
        if self.assume_idempotent or request.get("idempotent") is True or step_is_idempotent(pos):
            return
        cmd = request.get("cmd") or (
            f"write_text({request.get('path')!r})" if op == Op.WRITE_TEXT else op
        )
        raise UnsafeResumeError(
            in_flight_message(op, cached),
            event_id=cached.event_id,
            cmd=cmd,
            run_id=pos.run.run_id,
            op=op,
            step_path=cached.step_path,
        )


def lost_blob_error(run_id: str, cached: Event, lost: str) -> ResumeError:
    """Why ``cached`` cannot be replayed: a value it recorded is gone from the blob sidecar, and
    only its preview is left (a resume must get what the run saw, never a truncated stand-in)."""
    where = "/".join(cached.step_path) or "(root)"
    return ResumeError(
        f"{cached.op} at {where} (event {cached.event_id}): its recorded {lost}, so it cannot "
        "be replayed",
        step_path=cached.step_path,
        remediation_hint=f"restore the blob, or run it again: godel rewind {run_id} "
        f"--to {cached.event_id}",
    )


def in_flight_message(op: str, cached: Event) -> str:
    """Why ``cached`` (an effect in flight, ``godel.replay.failures.in_flight``) may have run."""
    if cached.status is EventStatus.STARTED:
        return f"{op} was in flight when the run stopped (STARTED, never finished)"
    why = (cached.response or {}).get("error") or "interrupted"
    return f"{op} was interrupted before it finished ({why}); its outcome is unknown"


def step_is_idempotent(pos: Position) -> bool:
    """True when the primitive runs inside a ``@step(idempotent=True)`` (at any depth)."""
    frame: Any = pos.frame
    while frame is not None:
        if getattr(frame, "idempotent", False):
            return True
        frame = frame.parent
    return False


def invalidate(run: RunState, cached: Event, *, reason: str, new_hash: str = "") -> list[str]:
    """Mark ``cached`` and its subtree INVALIDATED, and record why in an INVALIDATE event."""
    log = run.log
    ids = []
    for ev in descendants(log, cached):
        if ev.status not in _DEAD:
            log.set_status(ev, EventStatus.INVALIDATED)
            ids.append(ev.event_id)
    log.record(
        Op.INVALIDATE,
        request={
            "reason": reason,
            "op": cached.op,
            "step_path": list(cached.step_path),
            "target": cached.event_id,
            "old_hash": cached.request_hash,
            "new_hash": new_hash,
        },
        response={"invalidated": ids},
        parent_id=run.root_event.event_id,
        invocation_seq=-1,
        step_local_seq=-1,
    )
    return ids
