"""Rewind: mark recorded events INVALIDATED so that a resume runs them again.

Two modes:

``to`` (default) — "go back to here": the target and everything that started after it are
invalidated (its enclosing steps and the workflow itself stay; they simply run again around
it). A resume replays everything before the target and runs the rest live. The target may be
the run's ``WORKFLOW_STARTED`` event: then everything the workflow did is invalidated (the root
event itself stays: it holds the arguments) and the resume runs it all again.

``cut`` — a targeted cut: only the target and what ran inside it are invalidated; later events
stay cached (the reference's behaviour; use it to redo one step whose result nothing later
depends on).

A rewind that would re-run a completed side effect that cannot be undone (a ``run`` command or
an agent call not marked idempotent) is refused with a message naming it, unless the caller
says it is safe (``assume_idempotent``). Every rewind is recorded as a REWIND event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from godel.exceptions import RewindSignal, RewindUnsafe
from godel.log.events import Event, EventStatus, Op
from godel.replay.policy import descendants

if TYPE_CHECKING:
    from godel.log.eventlog import EventLog

MODES = ("to", "cut")
_UNDOABLE = frozenset({Op.RUN, Op.AGENT_CALL})
_SKIP_OPS = frozenset(
    {
        Op.WORKFLOW_STARTED,
        Op.RESUME,
        Op.REWIND,
        Op.INVALIDATE,
        Op.PAUSED,
        Op.UNRECOVERABLE,
        Op.REPAIR,
    }
)
_DEAD = frozenset({EventStatus.INVALIDATED, EventStatus.SUSPENDED})


@dataclass
class RewindResult:
    """What a rewind did."""

    invalidated_ids: list[str] = field(default_factory=list)
    already_rewound_ids: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    mode: str = "to"

    @property
    def invalidated_count(self) -> int:
        return len(self.invalidated_ids)

    def report_lines(self, run_id: str, events: Sequence[Event]) -> list[str]:
        """What a rewind of ``run_id`` says, without the ``[godel] `` prefix (REFERENCE §8.4, the
        ids as their unique tail): what was rewound, the count, up to ten of the invalidated
        events (``events``: the run's, to name them) and the targets already invalidated."""
        from godel.log import short_id
        from godel.runs.render.format import cut_left, shown, step_label

        lines = [
            f"rewound run {run_id} ({self.mode})",
            f"invalidated {self.invalidated_count} event(s)",
        ]
        by_id = {e.event_id: e for e in events}
        for eid in self.invalidated_ids[:10]:
            ev = by_id[eid]
            # as show prints them: control characters escaped, a long path cut from the left
            where = cut_left(shown(step_label(ev.step_path)))
            lines.append(f"  - {short_id(eid)} {shown(ev.op)} {where}")
        if self.invalidated_count > 10:
            lines.append(f"  ... and {self.invalidated_count - 10} more")
        lines += [f"  already invalidated: {short_id(eid)}" for eid in self.already_rewound_ids]
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "targets": self.targets,
            "mode": self.mode,
            "invalidated_count": self.invalidated_count,
            "invalidated_ids": self.invalidated_ids,
            "already_rewound_ids": self.already_rewound_ids,
        }


def _ancestors(log: EventLog, event: Event) -> set[str]:
    seen: set[str] = set()
    parent = event.parent_id
    while parent and parent not in seen and parent in log:
        seen.add(parent)
        parent = log.get(parent).parent_id
    return seen


def plan(log: EventLog, targets: Sequence[Event], mode: str) -> list[Event]:
    """The live events a rewind of ``targets`` would invalidate, in log order."""
    if mode not in MODES:
        raise ValueError(f"rewind mode must be one of {MODES}, got {mode!r}")
    chosen: dict[str, Event] = {}
    for target in targets:
        for ev in descendants(log, target):
            chosen[ev.event_id] = ev
        if mode == "to":
            keep = _ancestors(log, target)
            for ev in log:
                if ev.seq > target.seq and ev.event_id not in keep:
                    chosen.setdefault(ev.event_id, ev)
    return sorted(
        (ev for ev in chosen.values() if ev.status not in _DEAD and ev.op not in _SKIP_OPS),
        key=lambda e: e.seq,
    )


def unsafe_effects(events: Sequence[Event]) -> list[Event]:
    """Completed side effects among ``events`` that running again could not undo."""
    return [
        ev
        for ev in events
        if ev.op in _UNDOABLE
        and ev.status is EventStatus.FINISHED
        and ev.request.get("idempotent") is not True
    ]


def apply_rewind(
    log: EventLog,
    targets: Sequence[str],
    *,
    reason: str = "",
    mode: str = "to",
    assume_idempotent: bool = False,
) -> RewindResult:
    """Invalidate per ``mode`` and record a REWIND event; ``targets`` are ids, prefixes or short ids."""
    if not targets:
        raise ValueError("rewind needs at least one target event id")
    resolved: list[Event] = []
    for query in targets:
        ev = log.resolve(query)
        if ev.op in (Op.PAUSED, Op.RESUME, Op.REWIND, Op.INVALIDATE):
            raise ValueError(f"cannot rewind to a {ev.op} metadata event ({ev.event_id})")
        resolved.append(ev)
    result = RewindResult(targets=[e.event_id for e in resolved], mode=mode)
    live_targets = []
    for ev in resolved:
        if ev.status in _DEAD:
            result.already_rewound_ids.append(ev.event_id)
        else:
            live_targets.append(ev)
    victims = plan(log, live_targets, mode) if live_targets else []
    if not assume_idempotent:
        blocking = unsafe_effects(victims)
        if blocking:
            first = blocking[0]
            what = first.request.get("cmd") or first.request.get("model") or first.op
            more = f" (and {len(blocking) - 1} more)" if len(blocking) > 1 else ""
            raise RewindUnsafe(
                f"this rewind would run a completed {first.op} again: {what}{more}",
                event_id=first.event_id,
                op=first.op,
                cmd=first.request.get("cmd") or "",
                step_path=first.step_path,
                remediation_hint="if running it again is safe, pass --assume-idempotent (or mark the call "
                "idempotent=True); otherwise rewind to a later event",
            )
    # One append: a rewind cut short (killed, Ctrl+C, a full disk) must leave nothing of itself,
    # or its target is invalidated, later events are not, and the same rewind again skips it.
    with log.all_or_nothing():
        for ev in victims:
            log.set_status(ev, EventStatus.INVALIDATED)
            result.invalidated_ids.append(ev.event_id)
        request = {
            "targets": result.targets,
            "reason": reason,
            "mode": mode,
            "phase": "outcome",
            "assume_idempotent": assume_idempotent,
        }
        log.record(
            Op.REWIND,
            request=request,
            response=result.to_dict() | {"phase": "outcome"},
            invocation_seq=-1,
            step_local_seq=-1,
            sync=True,
        )
    return result


async def rewind(
    *, to: str | Sequence[str], reason: str = "", mode: str = "to", assume_idempotent: bool = False
) -> None:
    """From inside a workflow: rewind to event(s) ``to`` and run the workflow again from the top.

    Records a REWIND intent event and raises ``RewindSignal``; ``@workflow`` applies the rewind
    and re-invokes the workflow function with the same arguments. Always raises.
    """
    from godel.engine.context import current_frame, current_run

    run = current_run()
    frame = current_frame()
    if run is None or frame is None:
        raise RuntimeError("godel.rewind must be called inside a @workflow")
    ids = [to] if isinstance(to, str) else list(to)
    if not ids:
        raise ValueError("godel.rewind(to=...) needs at least one event id")
    if mode not in MODES:
        raise ValueError(f"rewind mode must be one of {MODES}, got {mode!r}")
    full = [run.log.resolve(i).event_id for i in ids]
    request = {
        "targets": full,
        "reason": reason,
        "mode": mode,
        "phase": "intent",
        "assume_idempotent": assume_idempotent,
    }
    run.log.record(
        Op.REWIND,
        request=request,
        response=request,
        step_path=frame.step_path,
        parent_id=frame.scope_id(),
        invocation_seq=-1,
        step_local_seq=-1,
    )
    signal = RewindSignal(full, reason)
    signal.mode = mode  # type: ignore[attr-defined]
    signal.assume_idempotent = assume_idempotent  # type: ignore[attr-defined]
    raise signal
