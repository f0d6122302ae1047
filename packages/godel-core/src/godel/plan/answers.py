"""Answers from a recording, matched by request (``godel test``): not by position, so a step
added or moved in the code finds its recorded effects wherever they were, and an effect the
recording never made is *unrecorded*.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

from godel.log.events import Event, EventStatus, Op, canonical_json
from godel.plan.diff import asked
from godel.plan.sandbox import LIVE_OPS

__all__ = ["ANSWERED_OPS", "Answers"]

# Live effects, and the values that would differ on every run (clock, randomness, file reads).
ANSWERED_OPS = LIVE_OPS | {
    Op.DET_NOW,
    Op.DET_RANDOM,
    Op.DET_RANDINT,
    Op.DET_CHOICE,
    Op.DET_UUID4,
    Op.READ_TEXT,
}


class Answers:
    """Recorded effects by what they asked; each answers once, in recorded order (the one
    recorded at the asking step first)."""

    def __init__(self, events: Iterable[Event]) -> None:
        self.recorded: list[Event] = []
        self._pool: dict[tuple[str, str], deque[Event]] = {}
        self.used: list[tuple[Event, tuple[str, ...]]] = []  # (recorded, step path asked at)
        for ev in events:
            if ev.op not in ANSWERED_OPS:
                continue
            if ev.status not in (EventStatus.FINISHED, EventStatus.FAILED):
                continue  # in flight or invalidated: no answer to give
            self.recorded.append(ev)
            self._pool.setdefault(_key(ev.op, ev.request), deque()).append(ev)

    def take(self, op: str, request: dict[str, Any], step_path: tuple[str, ...]) -> Event | None:
        """The recorded event that asked the same (its failure is raised again), else None."""
        if op not in ANSWERED_OPS:
            return None
        queue = self._pool.get(_key(op, request))
        if not queue:
            return None
        # The same request made at several steps (parallel branches running the same command):
        # the one recorded at this step answers, whichever branch asks first.
        here = tuple(step_path)
        ev = next((e for e in queue if tuple(e.step_path) == here), queue[0])
        queue.remove(ev)
        self.used.append((ev, tuple(step_path)))
        if ev.status is EventStatus.FAILED:
            from godel.replay.failures import rebuild

            failure = rebuild(ev)
            raise (
                failure
                if failure is not None
                else RuntimeError(str((ev.response or {}).get("error", "recorded failure")))
            )
        return ev

    def unused(self) -> list[Event]:
        """Recorded live effects nothing asked for, in recorded order."""
        taken = {id(ev) for ev, _ in self.used}
        return [ev for ev in self.recorded if ev.op in LIVE_OPS and id(ev) not in taken]


def _key(op: str, request: dict[str, Any]) -> tuple[str, str]:
    return op, canonical_json(asked(request))
