"""Event ids and timestamps for the audit log's hot path.

The values are those of ``godel.ids.new_id`` (monotonic ULID strings, as python-ulid makes
them) and ``godel.events.utc_now`` (ISO-8601 UTC with offset), made for a fraction of the cost,
because every event needs both: one clock read serves the id and the timestamp, the date-time
text is reused within a second, and ids made in the same millisecond increment the previous
random part instead of drawing a new one.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone

__all__ = ["Stamper"]

_B32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32, as ULIDs use
_PAIRS = tuple(a + b for a in _B32 for b in _B32)  # 10 bits -> 2 characters
_RANDOM_MAX = (1 << 80) - 1


def _encode_time(ms: int) -> str:
    p = _PAIRS
    return p[ms >> 40 & 1023] + p[ms >> 30 & 1023] + p[ms >> 20 & 1023] + p[ms >> 10 & 1023] + p[ms & 1023]


def _encode_high(r: int) -> str:
    """The first 14 characters of an 80-bit random part: all but its low 10 bits."""
    p = _PAIRS
    return (p[r >> 70] + p[r >> 60 & 1023] + p[r >> 50 & 1023] + p[r >> 40 & 1023]
            + p[r >> 30 & 1023] + p[r >> 20 & 1023] + p[r >> 10 & 1023])


class Stamper:
    """Makes ULIDs that never go backwards, and UTC timestamps, for one log.

    ``new_id`` is not thread-safe on its own; ``EventLog`` calls it under its lock.
    ``now`` is safe from any thread.
    """

    def __init__(self) -> None:
        self._ms = -1
        self._random = 0
        self._ms_text = ""
        self._high = -1  # random part >> 10, and the text of ms + that part: ids in a row share it
        self._high_text = ""
        self._second: tuple[int, str] = (-1, "")

    def now(self) -> str:
        """The current time as ``utc_now()`` writes it."""
        return self._iso(time.time_ns())

    def new_id_and_now(self) -> tuple[str, str]:
        """A new ULID string and the current time, from one clock read."""
        ns = time.time_ns()
        return self._id(ns), self._iso(ns)

    def new_id(self) -> str:
        """A new ULID string."""
        return self._id(time.time_ns())

    def _id(self, ns: int) -> str:
        ms = ns // 1_000_000
        if ms > self._ms:
            self._ms = ms
            self._random = int.from_bytes(os.urandom(10), "big")
            self._ms_text = _encode_time(ms)
            self._high = -1
        else:
            # Same millisecond (or the clock stepped back): keep ids increasing.
            self._random += 1
            if self._random > _RANDOM_MAX:
                self._ms += 1
                self._random = int.from_bytes(os.urandom(10), "big") >> 1
                self._ms_text = _encode_time(self._ms)
                self._high = -1
        r = self._random
        if r >> 10 != self._high:
            self._high = r >> 10
            self._high_text = self._ms_text + _encode_high(r)
        return self._high_text + _PAIRS[r & 1023]

    def _iso(self, ns: int) -> str:
        second, rest = divmod(ns, 1_000_000_000)
        cached = self._second  # one tuple, so that threads never pair a second with another's text
        if cached[0] != second:
            text = datetime.fromtimestamp(second, timezone.utc).isoformat()[:-6]
            cached = self._second = (second, text)
        micro = rest // 1000
        if micro:
            return f"{cached[1]}.{micro:06d}+00:00"
        return cached[1] + "+00:00"  # isoformat() leaves out a zero fraction
