"""The budget guard (godel.cost.budget.RunCosts)."""

from __future__ import annotations

import pytest

from godel.cost.budget import RunCosts
from godel.exceptions import BudgetExceeded


def test_a_budget_spent_exactly_stops_the_next_call_despite_float_sums() -> None:
    costs = RunCosts(0.0099)
    for _ in range(3):
        costs.check("the call")
        costs.spend({"cost_usd": 0.0033}, "claude(sonnet)")
    assert costs.spent < 0.0099  # 0.009899999...: the sum of the floats
    with pytest.raises(BudgetExceeded, match=r"spent \$0\.0099 of its \$0\.0099 budget"):
        costs.check("the call")


def test_below_the_budget_the_call_is_made() -> None:
    costs = RunCosts(0.01)
    costs.spend({"cost_usd": 0.0099}, "claude(sonnet)")
    costs.check("the call")
