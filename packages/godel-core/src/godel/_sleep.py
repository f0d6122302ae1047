"""The recorded sleep shared by ``godel.sleep`` and ``godel.det.sleep``."""

from __future__ import annotations

import math
import time
from typing import Any

import anyio

from godel.record import effect


def check_seconds(seconds: Any, who: str) -> float:
    """Validate a duration: a finite, non-negative number."""
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        raise ValueError(f"{who} requires a number of seconds, got {seconds!r}") from None
    if isinstance(seconds, bool) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{who} requires a finite, non-negative number of seconds, got {seconds!r}")
    return value


async def recorded_sleep(op: str, seconds: Any, who: str) -> dict[str, Any]:
    """Sleep live and record it; a replay of a finished sleep returns at once."""
    value = check_seconds(seconds, who)

    async def execute(_event: Any) -> dict[str, Any]:
        started = time.monotonic()
        await anyio.sleep(value)
        return {"seconds": value, "elapsed": round(time.monotonic() - started, 6)}

    return await effect(op, {"seconds": value}, execute)
