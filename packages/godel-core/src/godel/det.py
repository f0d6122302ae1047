"""Deterministic stand-ins for time and randomness: recorded live, replayed from the log.

Use these in workflow code instead of ``time``, ``datetime``, ``random`` and ``uuid``.
They must be called inside a ``@workflow``.
"""

from __future__ import annotations

import random as _random
import uuid as _uuid
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TypeVar

from godel.engine.record import value
from godel.engine.sleep import recorded_sleep
from godel.log.events import Op, from_iso

__all__ = ["choice", "now", "randint", "random", "sleep", "uuid4"]

T = TypeVar("T")
_rng = _random.SystemRandom()


def now() -> datetime:
    """The current time, timezone-aware (UTC). The log keeps it as an ISO-8601 string; a replay
    returns a ``datetime`` equal to the one the run saw."""
    text = value(Op.DET_NOW, {}, lambda: datetime.now(timezone.utc).isoformat())
    return from_iso(text)


def random() -> float:
    """A float in [0, 1) (recorded)."""
    return value(Op.DET_RANDOM, {}, _rng.random)  # type: ignore[no-any-return]


def randint(a: int, b: int) -> int:
    """An integer N with a <= N <= b (recorded)."""
    if (
        isinstance(a, bool)
        or isinstance(b, bool)
        or not isinstance(a, int)
        or not isinstance(b, int)
    ):
        raise TypeError(f"godel.det.randint needs two integers, got {a!r}, {b!r}")
    if a > b:
        raise ValueError(f"godel.det.randint: empty range ({a} > {b})")
    return value(Op.DET_RANDINT, {"a": a, "b": b}, lambda: _rng.randint(a, b))  # type: ignore[no-any-return]


def choice(seq: Sequence[T]) -> T:
    """One element of ``seq`` (the chosen index is recorded, so elements need not be JSON)."""
    if len(seq) == 0:
        raise IndexError("godel.det.choice: cannot choose from an empty sequence")
    index = value(Op.DET_CHOICE, {"n": len(seq)}, lambda: _rng.randrange(len(seq)))
    if not isinstance(index, int) or not 0 <= index < len(seq):
        # A recorded index kept for a sequence that has since changed (--on-mismatch continue)
        from godel.exceptions import ResumeError

        raise ResumeError(
            f"det.choice: the recorded choice (index {index!r}) is outside the sequence of "
            f"{len(seq)} it now chooses from",
            remediation_hint="resume with --on-mismatch invalidate to choose again",
        )
    return seq[index]


def uuid4() -> str:
    """A random UUID string (recorded)."""
    return value(Op.DET_UUID4, {}, lambda: str(_uuid.uuid4()))  # type: ignore[no-any-return]


async def sleep(seconds: float) -> None:
    """Sleep ``seconds`` (recorded; a replay does not wait again). Must be inside a workflow."""
    from godel.engine.context import current_run

    if current_run() is None:
        raise RuntimeError(
            "godel.det.sleep must be called inside a @workflow (use godel.sleep outside)"
        )
    await recorded_sleep(Op.DET_SLEEP, seconds, "godel.det.sleep")
