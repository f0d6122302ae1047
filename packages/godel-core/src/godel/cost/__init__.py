"""Money: what agent calls cost, per call, step, attempt and run, and the budget guard.

Figures come from the log alone (``agent.call`` responses record tokens and ``cost_usd``), so
``show``, ``runs list``, ``godel cost`` and any other reader agree. See docs/cost.md.
"""

from __future__ import annotations

from godel.lazy import exports

TYPE_CHECKING = False
if TYPE_CHECKING:
    from godel.cost.budget import RunCosts, spent_in
    from godel.cost.ledger import CostTracker, Ledger, group_costs
    from godel.cost.prices import Price, estimate, lookup, normalize, parse_price
    from godel.cost.report import BY, CallCost, call_costs, sum_by
    from godel.cost.totals import (
        CostTotals,
        call_totals,
        format_tokens,
        format_usd,
        replayed_record,
    )

_EXPORTS = {
    "RunCosts": "budget",
    "spent_in": "budget",
    "CostTracker": "ledger",
    "Ledger": "ledger",
    "group_costs": "ledger",
    "Price": "prices",
    "estimate": "prices",
    "lookup": "prices",
    "normalize": "prices",
    "parse_price": "prices",
    "BY": "report",
    "CallCost": "report",
    "call_costs": "report",
    "sum_by": "report",
    "CostTotals": "totals",
    "call_totals": "totals",
    "format_tokens": "totals",
    "format_usd": "totals",
    "replayed_record": "totals",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = exports(__name__, _EXPORTS)
