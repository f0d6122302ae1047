"""Price tables: what a model's tokens cost, for the CLIs that report no price themselves.

claude reports the cost of each call (``total_cost_usd``); copilot and codex report only token
counts. Their plugins ship a table of list prices per model (``Agent.prices``), and the
configuration's ``prices`` key overrides or extends it. A cost computed from a table is an
*estimate*: the log marks it (``cost_estimated``) and every reader says so.

Prices are USD per million tokens, for four kinds of token: ``input``, ``output``,
``cache_read`` and ``cache_write``. A missing cache price is the input price.
"""

from __future__ import annotations

from collections.abc import Mapping
from math import inf
from typing import Any

__all__ = ["KINDS", "TOKEN_KEYS", "Price", "estimate", "lookup", "normalize", "parse_price"]

KINDS = ("input", "output", "cache_read", "cache_write")
# The usage keys an agent.call response records, in the order of KINDS.
TOKEN_KEYS = (
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
)


class Price:
    """USD per million tokens of each kind."""

    __slots__ = ("cache_read", "cache_write", "input", "output")

    def __init__(
        self,
        input: float,
        output: float,
        cache_read: float | None = None,
        cache_write: float | None = None,
    ) -> None:
        self.input = float(input)
        self.output = float(output)
        self.cache_read = float(input if cache_read is None else cache_read)
        self.cache_write = float(input if cache_write is None else cache_write)

    def cost(self, usage: Mapping[str, Any]) -> float:
        """USD for the tokens in ``usage`` (an ``agent.call`` response's ``usage``)."""
        total = 0.0
        for key, per_million in zip(TOKEN_KEYS, self.per_million(), strict=True):
            count = usage.get(key)
            if isinstance(count, int) and not isinstance(count, bool):
                total += count * per_million
        return total / 1_000_000

    def per_million(self) -> tuple[float, float, float, float]:
        return (self.input, self.output, self.cache_read, self.cache_write)

    def to_dict(self) -> dict[str, float]:
        return dict(zip(KINDS, self.per_million(), strict=True))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Price) and self.per_million() == other.per_million()

    def __repr__(self) -> str:
        return f"Price({', '.join(f'{k}={v:g}' for k, v in self.to_dict().items())})"


def parse_price(value: Any) -> Price:
    """A ``Price`` from ``{"input": ..., "output": ..., "cache_read": ..., "cache_write": ...}``
    (``ValueError`` naming what is wrong)."""
    if isinstance(value, Price):
        return value
    if not isinstance(value, Mapping):
        raise ValueError('expected {"input": USD, "output": USD, ...} per million tokens')
    unknown = sorted(set(value) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r} (allowed: {', '.join(KINDS)})")
    fields: dict[str, float] = {}
    for kind in KINDS:
        if kind not in value:
            continue
        number = value[kind]
        if isinstance(number, bool) or not isinstance(number, int | float) or not 0 <= number < inf:
            raise ValueError(f"{kind}: expected a number of USD >= 0, got {number!r}")
        fields[kind] = float(number)
    for kind in ("input", "output"):
        if kind not in fields:
            raise ValueError(f"{kind!r} is required (USD per million tokens)")
    return Price(**fields)


def normalize(model: str) -> str:
    """The form tables are looked up in: lower case, without a provider prefix, ``.`` as ``-``
    (``claude-sonnet-4.6`` and ``claude-sonnet-4-6`` are the same model)."""
    name = model.strip().lower().rsplit("/", 1)[-1]
    return name.replace(".", "-").replace("_", "-")


def lookup(model: str | None, *tables: Mapping[str, Any]) -> tuple[str, Price] | None:
    """``(table key, price)`` for ``model`` from the first table that has it, else None.

    A key matches the model itself or a family of it: ``claude-haiku-4-5`` prices
    ``claude-haiku-4-5-20251001``, ``gpt-5`` prices ``gpt-5.4`` (the longest key wins).
    """
    if not model:
        return None
    name = normalize(model)
    for table in tables:
        best: tuple[int, str, Any] | None = None
        for key, value in table.items():
            norm = normalize(key)
            if (name == norm or name.startswith(norm + "-")) and (
                best is None or len(norm) > best[0]
            ):
                best = (len(norm), key, value)
        if best is not None:
            return best[1], parse_price(best[2])
    return None


def estimate(usage: Mapping[str, Any] | None, price: Price) -> float | None:
    """The estimated USD of ``usage`` at ``price`` (None without token counts)."""
    if not usage or not any(isinstance(usage.get(k), int) for k in TOKEN_KEYS):
        return None
    return price.cost(usage)
