"""How readers print USD figures (godel.cost.totals.format_usd)."""

from __future__ import annotations

import pytest

from godel.cost.totals import format_usd


@pytest.mark.parametrize(
    ("usd", "text"),
    [
        (None, "-"),
        (0.0042, "$0.0042"),
        (12.5, "$12.50"),
        (1234.567, "$1,234.57"),
        (999_999_999_999.0, "$999,999,999,999.00"),
        (1e300, "$1e+300"),  # a hand-edited log: not 300 digits wide in every table
        (float("inf"), "$inf"),
    ],
)
def test_format_usd(usd: float | None, text: str) -> None:
    assert format_usd(usd) == text
    if usd is not None:
        assert format_usd(usd, estimated=True) == "~" + text


def test_the_same_sum_in_another_order_prints_the_same() -> None:
    """0.03135 summed two ways is 0.031350000000000003 or 0.031349999999999996: one figure."""
    parts = [0.01045, 0.01045, 0.01045]
    forward, backward = sum(parts), sum(reversed(parts)) - 1e-18
    assert {format_usd(x) for x in (forward, backward, 0.031349999999999996, 0.03135)} == {
        "$0.0314"
    }


def test_a_recorded_cost_that_is_not_an_amount_counts_as_unpriced() -> None:
    from godel.cost.totals import call_totals

    for cost in (float("nan"), float("inf"), -5.0):
        figures = call_totals({"usage": {"input_tokens": 10}, "cost_usd": cost})
        assert figures is not None and figures.calls == 1 and figures.unpriced == 1
        assert figures.spent_text() == "?"
    assert call_totals({"usage": {}, "cost_usd": 0.5}).spent_text() == "$0.5000"


def test_a_price_that_is_not_an_amount_is_refused() -> None:
    from godel.cost.prices import parse_price

    for bad in (float("nan"), float("inf"), -1, "1", True):
        with pytest.raises(ValueError, match="input: expected a number of USD >= 0"):
            parse_price({"input": bad, "output": 1})
    assert parse_price({"input": 0, "output": 1.5}).output == 1.5
