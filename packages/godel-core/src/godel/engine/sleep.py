"""The recorded sleep shared by ``godel.sleep`` and ``godel.det.sleep``."""

from __future__ import annotations

import math
import time
from datetime import datetime, timezone
from typing import Any

import anyio

from godel.engine.interrupt import Stopped
from godel.engine.record import effect, position
from godel.log.events import from_iso
from godel.replay.failures import in_flight


def check_seconds(seconds: Any, who: str) -> float:
    """Validate a duration: a finite, non-negative number."""
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        raise ValueError(f"{who} requires a number of seconds, got {seconds!r}") from None
    except OverflowError:  # an int too large for a float (its repr may be too long to print)
        raise ValueError(f"{who} requires a finite, non-negative number of seconds") from None
    if isinstance(seconds, bool) or not math.isfinite(value) or value < 0:
        raise ValueError(
            f"{who} requires a finite, non-negative number of seconds, got {seconds!r}"
        )
    return value


def _already_slept(started: str) -> float:
    try:
        return (datetime.now(timezone.utc) - from_iso(started)).total_seconds()
    except ValueError:
        return 0.0


async def recorded_sleep(op: str, seconds: Any, who: str) -> dict[str, Any]:
    """Sleep live and record it. A replay of a finished sleep returns at once; a sleep the run
    stopped in the middle of (a crash, an interruption) sleeps only what was left of it. In a
    ``parallel`` branch, the sleep ends early when a sibling branch fails."""
    value = check_seconds(seconds, who)
    pos = position(op)
    interrupted = (
        pos is not None
        and pos.cached is not None
        and in_flight(pos.cached)
        and pos.cached.request.get("seconds") == value
    )
    wait = max(0.0, value - _already_slept(pos.cached.ts_start)) if interrupted else value  # type: ignore[union-attr]
    stop = pos.frame.stop if pos is not None else None

    async def execute(_event: Any) -> dict[str, Any]:
        started = time.monotonic()
        if stop is None:
            await anyio.sleep(wait)
        else:
            with anyio.move_on_after(wait) as slept:
                await stop.wait()
            if not slept.cancelled_caught and stop.reason is not None:
                raise Stopped(stop.reason)  # recorded as interrupted; a resume sleeps the rest
        response: dict[str, Any] = {
            "seconds": value,
            "elapsed": round(time.monotonic() - started, 6),
        }
        if interrupted:
            response.update(resumed=True, remaining_slept=round(wait, 6))
        return response

    return await effect(op, {"seconds": value}, execute, pos=pos)
