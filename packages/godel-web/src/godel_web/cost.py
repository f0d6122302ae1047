"""What an agent call cost, read from the log's ``agent.call`` events.

The one place godel-web computes money and tokens: when godel-core gains its own cost
package, ``call_cost`` and ``call_tokens`` are the two functions to swap for it.
"""

from __future__ import annotations

from typing import Any

from godel.log import Event

AGENT_CALL = "agent.call"


def call_cost(ev: Event) -> float | None:
    """US dollars an ``agent.call`` reported (``cost_usd``), or None (not a call, or the backend
    did not say, as the Copilot CLI does not)."""
    if ev.op != AGENT_CALL or not isinstance(ev.response, dict):
        return None
    value = ev.response.get("cost_usd")
    return float(value) if isinstance(value, (int, float)) and value >= 0 else None


def call_tokens(ev: Event) -> int | None:
    """Input plus output tokens an ``agent.call`` reported (``usage``), or None."""
    if ev.op != AGENT_CALL or not isinstance(ev.response, dict):
        return None
    usage: Any = ev.response.get("usage")
    if not isinstance(usage, dict):
        return None
    total = 0
    for key in ("input_tokens", "output_tokens"):
        value = usage.get(key)
        if isinstance(value, int):
            total += value
    return total


def format_cost(value: float | None) -> str:
    """``$0.0123``, ``$1.20``; ``-`` for unknown."""
    if value is None:
        return "-"
    if value == 0:
        return "$0"
    return f"${value:.4f}" if value < 1 else f"${value:.2f}"
