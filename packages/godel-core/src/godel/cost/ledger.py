"""The cost ledger of one run, from its log alone: per call, per step (sub-steps and
``parallel`` branches included), per attempt and for the whole run.

Attempts are counted by RESUME events: an event belongs to the attempt during which it was first
written. A call is spent in its attempt; the RESUME event of a later attempt lists the calls that
attempt answered from the log (``replayed``), which are saved there and in every step above them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

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
        """One pass over ``events`` in log order, each in its latest state (an ``EventLog``).

        Only agent calls and RESUME events are looked at; their ancestors are found by id (in
        the ``EventLog``, or in a table built on the way), so a run without agent calls costs a
        loop over its ops. The root's figures are the run's: they are not summed twice.
        """
        ledger = cls()
        get = getattr(events, "get", None)
        if get is None:
            events = list(events)
            get = {ev.event_id: ev for ev in events}.__getitem__
        saved_ids: list[str] = []
        saved_by: list[tuple[CostTotals, list[str]]] = []  # (attempt, the calls it replayed)
        run, attempts, calls, below = ledger.run, ledger.attempts, ledger.calls, ledger.below
        agent_call, resume = Op.AGENT_CALL, Op.RESUME
        up = ledger._up
        root_id = None
        for ev in events:
            op = ev.op
            if op == agent_call:
                figures = call_totals(ev.response)
                if figures is None:
                    continue
                calls[ev.event_id] = below[ev.event_id] = figures
                attempts[-1].add(figures)
                root_id = up(ev.parent_id, get, figures) or root_id
            elif op == resume:
                attempts.append(CostTotals())
                count, usd, ids = replayed_record(ev.response)
                if count or usd:
                    attempts[-1].add_saved(usd, count)
                    saved_ids += ids
                    saved_by.append((attempts[-1], ids))
        for attempt, ids in saved_by:
            # The RESUME record keeps only the sum: whether it was estimated, its calls say.
            attempt.saved_estimated += _estimated(calls, ids)
        for attempt in attempts:
            run.add(attempt)
        for event_id in saved_ids:
            # Saved per call and per step: the replayed call's recorded cost, in every scope.
            call = calls.get(event_id)
            if call is None:
                continue
            saved = CostTotals().add_saved(call.spent_usd, estimated=call.estimated)
            below[event_id] = CostTotals().add(below[event_id]).add(saved)
            root_id = up(get(event_id).parent_id, get, saved) or root_id
        if root_id is not None:
            below[root_id] = run
        return ledger

    def _up(self, parent_id: str | None, get: Any, figures: CostTotals) -> str | None:
        """Add ``figures`` to every scope from ``parent_id`` up, the root excepted (whose
        figures are the run's); returns the root's id."""
        below = self.below
        while parent_id is not None:
            try:
                scope = get(parent_id)
            except KeyError:
                return None
            if scope.parent_id is None:
                return parent_id
            mine = below.get(parent_id)
            if mine is None:
                mine = below[parent_id] = CostTotals()
            mine.add(figures)
            parent_id = scope.parent_id
        return None

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
        self._calls: dict[str, Any] = {}  # event id -> its latest response
        self._saved: dict[str, Any] = {}

    def feed(self, ev: Event) -> None:
        """Take an ``agent.call`` or ``RESUME`` line into account (figures summed at the end)."""
        if ev.op == Op.AGENT_CALL:
            self._calls[ev.event_id] = ev.response
        else:
            self._saved[ev.event_id] = ev.response

    def totals(self) -> CostTotals:
        out = CostTotals()
        for response in self._calls.values():
            figures = call_totals(response)
            if figures is not None:
                out.add(figures)
        figures = {}
        for response in self._saved.values():
            calls, usd, ids = replayed_record(response)
            if calls:
                if not figures:
                    figures = {i: call_totals(r) for i, r in self._calls.items()}
                out.add_saved(usd, calls, _estimated(figures, ids))
        return out


def _estimated(calls: Mapping[str, CostTotals | None], event_ids: Iterable[str]) -> int:
    """How many of the calls ``event_ids`` had an estimated cost."""
    n = 0
    for event_id in event_ids:
        call = calls.get(event_id)
        if call is not None and call.estimated:
            n += 1
    return n


def group_costs(groups: Iterable[Group], ledger: Ledger) -> dict[str, CostTotals]:
    """Figures per shown event for ``show``: a group's latest event carries the whole group (a
    step re-executed on a later attempt: the calls of every attempt of it); every other event
    its own (the ledger's own object: read, never changed)."""
    below = ledger.below
    out: dict[str, CostTotals] = {}
    for group in groups:
        events = group.events
        for ev in events:
            mine = below.get(ev.event_id)
            if mine is not None:
                out[ev.event_id] = mine
        if len(events) > 1:
            latest = group.latest
            total = ledger.for_events(events)
            if latest is not None and total is not None:
                out[latest.event_id] = total
    return out
