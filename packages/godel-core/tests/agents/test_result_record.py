"""``agent.result`` records keep only figures the ledger and the budget can sum."""

from __future__ import annotations

import math

import pytest

from godel.agents import result_record
from godel.agents.call import from_record


@pytest.mark.parametrize("cost", ["0.5", math.nan, math.inf, -5, True, [1]])
def test_a_cost_that_is_not_an_amount_is_dropped(cost):
    record = result_record(text="hi", cost_usd=cost)
    assert "cost_usd" not in record
    assert from_record({"op": "agent.result", "cost_usd": cost}).cost_usd is None


def test_amounts_and_counts_are_kept_and_wrong_ones_dropped():
    record = result_record(
        text="hi",
        session_id=12345,
        cost_usd=0,
        usage={"input_tokens": 10, "output_tokens": -3, "cache_read_input_tokens": "7", "x": True},
    )
    assert record["cost_usd"] == 0 and record["usage"] == {"input_tokens": 10}
    assert "session_id" not in record
    assert result_record(usage="lots")["usage"] == {}
    assert from_record({"usage": [1], "session_id": None}).usage == {}
