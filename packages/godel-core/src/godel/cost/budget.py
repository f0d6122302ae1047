"""What a run spends while it runs: the budget guard, and the calls a resume did not pay again.

One ``RunCosts`` per attempt (``RunState.costs``). The check before a live agent call compares
two floats; the run's spending so far is summed once, when a resume opens the log, and then kept
up to date as calls finish. A call in flight when the budget is reached still finishes: the
guard stops the *next* call.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from typing import Any

from godel.cost.totals import call_totals, format_usd
from godel.log.events import Event, Op

__all__ = ["RunCosts", "spent_in"]


class RunCosts:
    """The budget (``limit``, USD; None: no budget) and the spending of one run."""

    __slots__ = ("_unpriced", "limit", "replayed", "resume", "saved", "spent")

    def __init__(self, limit: float | None = None, spent: float = 0.0) -> None:
        self.limit = limit
        self.spent = spent
        self.replayed: list[str] = []
        self.saved = 0.0
        self.resume: Event | None = None  # this attempt's RESUME event, which records the savings
        self._unpriced: set[str] = set()

    def check(self, what: str, step_path: tuple[str, ...] = ()) -> None:
        """Raise ``BudgetExceeded`` if the run has spent its budget: ``what`` is not to be made."""
        limit = self.limit
        # Rounded as printed (and as `resume --plan` compares): three calls of $0.0033 sum to
        # 0.009899999..., which has spent a $0.0099 budget.
        if limit is None or round(self.spent, 10) < limit:
            return
        from godel.exceptions import BudgetExceeded

        raise BudgetExceeded(
            f"the run has spent {format_usd(self.spent)} of its {format_usd(limit)} budget; "
            f"{what} was not made",
            spent_usd=round(self.spent, 10),
            budget_usd=limit,
            step_path=step_path,
            remediation_hint="resume with a higher budget: godel resume RUN_ID --max-cost USD",
        )

    def spend(self, response: Mapping[str, Any], what: str) -> None:
        """Count a finished live call."""
        cost = response.get("cost_usd")
        if isinstance(cost, int | float) and not isinstance(cost, bool):
            self.spent += cost
        elif self.limit is not None and what not in self._unpriced:
            self._unpriced.add(what)
            print(
                f"[godel] warning: budget: {what} reported no cost and its model has no price "
                "(configuration key `prices`); the budget does not count its calls",
                file=sys.stderr,
            )

    def replay(self, event: Event) -> None:
        """Count a call answered from the log: saved, not spent."""
        self.replayed.append(event.event_id)
        figures = call_totals(event.response)
        if figures is not None:
            self.saved += figures.spent_usd

    def record(self) -> dict[str, Any] | None:
        """What this attempt saved, for its RESUME event (None if it replayed no call)."""
        if not self.replayed:
            return None
        return {
            "calls": len(self.replayed),
            "saved_usd": round(self.saved, 10),
            "event_ids": list(self.replayed),
        }


def spent_in(events: Iterable[Event]) -> float:
    """USD the run recorded so far: every agent call with a cost, in every attempt."""
    total = 0.0
    for ev in events:
        if ev.op == Op.AGENT_CALL:
            figures = call_totals(ev.response)
            if figures is not None:
                total += figures.spent_usd
    return total
