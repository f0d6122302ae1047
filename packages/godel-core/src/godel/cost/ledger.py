"""The cost ledger of one run, from its log alone: per call, per step (sub-steps and
``parallel`` branches included), per attempt and for the whole run.

Attempts are counted by RESUME events: an event belongs to the attempt during which it was first
written. A call is spent in its attempt; the RESUME event of a later attempt lists the calls that
attempt answered from the log (``replayed``), which are saved there and in every step above them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from godel.cost.totals import CostTotals, call_totals, replayed_record
from godel.log.events import Event, Op

if TYPE_CHECKING:
    from godel.runs.render.groups import Group

__all__ = ["CostTracker", "Ledger", "group_costs"]


class Ledger:
    """Figures of a run: ``run``, ``attempts`` (attempt 1 first), ``calls`` (per agent.call id)
    and ``below`` (per event id: the calls at or under that event)."""

    def __init__(self) -> None:
        self.run = CostTotals()
        self.attempts: list[CostTotals] = [CostTotals()]
        self.calls: dict[str, CostTotals] = {}
        self.below: dict[str, CostTotals] = {}

    @classmethod
    def build(cls, events: Iterable[Event]) -> Ledger:
        """One pass over ``events`` in log order, each in its latest state (an ``EventLog``)."""
        ledger = cls()
        parent_of: dict[str, str | None] = {}
        saved: list[tuple[int, float, list[str]]] = []
        for ev in events:
            parent_of[ev.event_id] = ev.parent_id
            op = ev.op
            if op == Op.RESUME:
                ledger.attempts.append(CostTotals())
                calls, usd, ids = replayed_record(ev.response)
                if calls or usd:
                    ledger.attempts[-1].add_saved(usd, calls)
                    ledger.run.add_saved(usd, calls)
                    saved.append((calls, usd, ids))
                continue
            if op != Op.AGENT_CALL:
                continue
            figures = call_totals(ev.response)
            if figures is None:
                continue
            ledger.calls[ev.event_id] = figures
            ledger.run.add(figures)
            ledger.attempts[-1].add(figures)
            ledger._up(ev.event_id, parent_of, figures)
        for _calls, _usd, ids in saved:
            # Saved per step: each replayed call's recorded cost, in every scope above it.
            for event_id in ids:
                call = ledger.calls.get(event_id)
                if call is not None:
                    ledger._up(event_id, parent_of, CostTotals().add_saved(call.spent_usd))
        return ledger

    def _up(self, event_id: str, parent_of: dict[str, str | None], figures: CostTotals) -> None:
        current: str | None = event_id
        while current is not None:
            below = self.below.get(current)
            if below is None:
                below = self.below[current] = CostTotals()
            below.add(figures)
            current = parent_of.get(current)

    def for_events(self, events: Iterable[Event]) -> CostTotals | None:
        """The calls at or under any of ``events`` (None if there are none)."""
        out: CostTotals | None = None
        for ev in events:
            below = self.below.get(ev.event_id)
            if below is not None:
                out = (out or CostTotals()).add(below)
        return out


class CostTracker:
    """A run's totals from events fed one line at a time, in file order (``runs list``): the
    latest state of each call and of each RESUME counts, as in a loaded log."""

    __slots__ = ("_calls", "_saved")

    def __init__(self) -> None:
        self._calls: dict[str, CostTotals] = {}
        self._saved: dict[str, tuple[int, float]] = {}

    def feed(self, ev: Event) -> None:
        if ev.op == Op.AGENT_CALL:
            figures = call_totals(ev.response)
            if figures is not None:
                self._calls[ev.event_id] = figures
        elif ev.op == Op.RESUME:
            calls, usd, _ids = replayed_record(ev.response)
            if calls:
                self._saved[ev.event_id] = (calls, usd)

    def totals(self) -> CostTotals:
        out = CostTotals()
        for figures in self._calls.values():
            out.add(figures)
        for calls, usd in self._saved.values():
            out.add_saved(usd, calls)
        return out


def group_costs(groups: Iterable[Group], ledger: Ledger) -> dict[str, CostTotals]:
    """Figures per shown event for ``show``: a group's latest event carries the whole group (a
    step re-executed on a later attempt: the calls of every attempt of it); every other event
    its own."""
    out: dict[str, CostTotals] = {}
    for group in groups:
        for ev in group.events:
            below = ledger.below.get(ev.event_id)
            if below is not None:
                out[ev.event_id] = CostTotals().add(below)
        latest = group.latest
        if latest is not None and len(group.events) > 1:
            total = ledger.for_events(group.events)
            if total is not None:
                out[latest.event_id] = total
    return out
