"""Sums of agent-call figures (tokens and USD), and how money is written for people.

Every figure comes from the log alone: an ``agent.call`` response records ``usage`` (tokens) and
``cost_usd`` (reported by the CLI, or estimated from a price table and then marked
``cost_estimated``). A call counts as *spent* in the attempt that recorded it; a call that a
resume answered from the log counts as *saved* in that attempt (the RESUME event's ``replayed``
record), never as spent again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["CostTotals", "call_totals", "format_tokens", "format_usd", "replayed_record"]


@dataclass(slots=True)
class CostTotals:
    """Tokens and USD of some agent calls: one call, a step, an attempt, a run, many runs.

    ``calls`` counts the calls with a recorded answer; ``priced`` those with a cost, of which
    ``estimated`` from a price table. ``replayed``/``saved_usd``: calls a resume answered from
    the log instead of paying for them again, of which ``saved_estimated`` had estimated costs.
    """

    calls: int = 0
    priced: int = 0
    estimated: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    spent_usd: float = 0.0
    replayed: int = 0
    saved_usd: float = 0.0
    saved_estimated: int = 0

    def add(self, other: CostTotals) -> CostTotals:
        """Add ``other`` into this one (returns self)."""
        self.calls += other.calls
        self.priced += other.priced
        self.estimated += other.estimated
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cache_read_tokens += other.cache_read_tokens
        self.cache_write_tokens += other.cache_write_tokens
        self.spent_usd += other.spent_usd
        self.replayed += other.replayed
        self.saved_usd += other.saved_usd
        self.saved_estimated += other.saved_estimated
        return self

    def add_saved(self, usd: float, calls: int = 1, estimated: int = 0) -> CostTotals:
        """Count ``calls`` replayed calls that had cost ``usd`` (``estimated`` of them estimated)."""
        self.replayed += calls
        self.saved_usd += usd
        self.saved_estimated += estimated
        return self

    @property
    def unpriced(self) -> int:
        """Calls whose cost is unknown (no price reported, no price table for the model)."""
        return self.calls - self.priced

    @property
    def empty(self) -> bool:
        return not self.calls and not self.replayed

    @property
    def tokens(self) -> dict[str, int]:
        return {
            "input": self.input_tokens,
            "output": self.output_tokens,
            "cache_read": self.cache_read_tokens,
            "cache_write": self.cache_write_tokens,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "spent_usd": round(self.spent_usd, 10),
            "saved_usd": round(self.saved_usd, 10),
            "calls": self.calls,
            "priced_calls": self.priced,
            "estimated_calls": self.estimated,
            "replayed_calls": self.replayed,
            "estimated": self.estimated > 0,
            "tokens": self.tokens,
        }

    def spent_text(self) -> str:
        """``$0.0042``, ``~$0.0042`` when part of it is estimated, ``?`` when nothing is priced."""
        if self.calls and not self.priced:
            return "?"
        return format_usd(self.spent_usd, estimated=self.estimated > 0)

    def saved_text(self) -> str:
        """``$0.0042`` saved by replays, ``~$0.0042`` when part of it was estimated."""
        return format_usd(self.saved_usd, estimated=self.saved_estimated > 0)


def call_totals(response: Mapping[str, Any] | None) -> CostTotals | None:
    """The figures of one ``agent.call`` from its response (None when it recorded no answer)."""
    if type(response) is not dict and not isinstance(response, Mapping):  # dict: the fast path
        return None
    usage = response.get("usage")
    cost = response.get("cost_usd")
    if usage is None and cost is None:
        return None
    out = CostTotals(1)
    if type(usage) is dict or isinstance(usage, Mapping):
        get = usage.get
        n = get("input_tokens")
        out.input_tokens = n if type(n) is int else 0
        n = get("output_tokens")
        out.output_tokens = n if type(n) is int else 0
        n = get("cache_read_input_tokens")
        out.cache_read_tokens = n if type(n) is int else 0
        n = get("cache_creation_input_tokens")
        out.cache_write_tokens = n if type(n) is int else 0
    elif cost is None:
        return None
    # A NaN or negative cost (a log written before godel.agents.call checked them) is unknown.
    if (type(cost) is float or type(cost) is int) and 0 <= cost < math.inf:
        out.priced = 1
        out.spent_usd = float(cost)
        out.estimated = 1 if response.get("cost_estimated") else 0
    return out


def replayed_record(response: Mapping[str, Any] | None) -> tuple[int, float, list[str]]:
    """``(calls, usd, event ids)`` a RESUME event says its attempt answered from the log."""
    record = (response or {}).get("replayed")
    if not isinstance(record, Mapping):
        return 0, 0.0, []
    calls = record.get("calls")
    usd = record.get("saved_usd")
    ids = record.get("event_ids")
    return (
        calls if isinstance(calls, int) else 0,
        float(usd) if isinstance(usd, int | float) else 0.0,
        [str(i) for i in ids] if isinstance(ids, list) else [],
    )


def format_usd(usd: float | None, *, estimated: bool = False) -> str:
    """``$0.0042`` (four decimals under $10, cents above, three digits from $10^12 on); ``~``
    first when estimated."""
    if usd is None:
        return "-"
    # Sums of the same calls in another order differ in the last bits (0.03135 and
    # 0.031349999...): rounded to 10 places first, every command prints the same figure.
    usd = round(usd, 10)
    if usd < 10:
        text = f"${usd:.4f}"
    elif usd < 1e12:
        text = f"${usd:,.2f}"
    else:  # no call costs this: a hand-edited log, shown without widening every table
        text = f"${usd:.3g}"
    return f"~{text}" if estimated else text


def format_tokens(totals: CostTotals) -> str:
    """``1200 in, 53 out, 200 cache read, 10 cache write`` (cache parts only when not zero)."""
    parts = [f"{totals.input_tokens} in", f"{totals.output_tokens} out"]
    if totals.cache_read_tokens:
        parts.append(f"{totals.cache_read_tokens} cache read")
    if totals.cache_write_tokens:
        parts.append(f"{totals.cache_write_tokens} cache write")
    return ", ".join(parts)
