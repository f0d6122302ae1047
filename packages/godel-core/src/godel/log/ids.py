"""Run and event ids (ULIDs), the audit log's timestamps, and the short forms people type.

A ULID starts with a 10-character timestamp, so ids made in the same moment share their first
characters. The short form godel prints is therefore the *end* of the id (its random part), and
every command that takes an id accepts the full id, a unique prefix, or a unique suffix.

Ids and timestamps are made by ``Stamper``, hand-written for the hot path: every event needs both,
so one clock read serves the id and the timestamp, the date-time text is reused within a second,
and ids made in the same millisecond increment the previous random part instead of drawing a new
one. The values are exactly python-ulid's (monotonic ULID strings; a test checks them with
python-ulid), made for a fraction of the cost; see ``Stamper`` for the measured figures.
"""

from __future__ import annotations

import bisect
import os
import threading
import time
from collections.abc import Iterable
from datetime import datetime, timezone

_B32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32, as ULIDs use
_PAIRS = tuple(a + b for a in _B32 for b in _B32)  # 10 bits -> 2 characters
_RANDOM_MAX = (1 << 80) - 1


def _encode_time(ms: int) -> str:
    p = _PAIRS
    return (
        p[ms >> 40 & 1023]
        + p[ms >> 30 & 1023]
        + p[ms >> 20 & 1023]
        + p[ms >> 10 & 1023]
        + p[ms & 1023]
    )


def _encode_high(r: int) -> str:
    """The first 14 characters of an 80-bit random part: all but its low 10 bits."""
    p = _PAIRS
    return (
        p[r >> 70]
        + p[r >> 60 & 1023]
        + p[r >> 50 & 1023]
        + p[r >> 40 & 1023]
        + p[r >> 30 & 1023]
        + p[r >> 20 & 1023]
        + p[r >> 10 & 1023]
    )


class Stamper:
    """Makes ULIDs that never go backwards, and UTC timestamps, for one log.

    Hand-written rather than python-ulid for speed (``bench/bench_log.py``, 2 shared cores):
    an event id and its timestamp cost 2.4 µs here against 16.3 µs for ``str(ULID())`` plus
    ``utc_now()``, and ``import ulid`` takes 81 ms (it loads ``importlib.metadata``) where
    ``godel.log.ids`` takes 16 ms with godel's own package: a quarter of ``godel run``'s start.
    ``tests`` check every id against python-ulid.

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

    def at(self, ns: int) -> str:
        """The time ``ns`` (``time.time_ns()``) as ``utc_now()`` writes it."""
        return self._iso(ns)

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


SHORT_LEN = 8
MIN_QUERY_LEN = 4


_stamper = Stamper()
_stamper_lock = threading.Lock()


def new_id() -> str:
    """A new ULID string (26 characters, Crockford base32, sortable by time).

    Ids from one process never go backwards (see ``godel.log.ids``).
    """
    with _stamper_lock:
        return _stamper.new_id()


def short_id(full: str, length: int = SHORT_LEN) -> str:
    """The printed short form of an id: its last ``length`` characters."""
    return full[-length:]


class IdLookupError(LookupError):
    """No id, or more than one id, matches what the user typed."""

    def __init__(self, message: str, candidates: list[str] | None = None) -> None:
        super().__init__(message)
        self.candidates = candidates or []

    def ambiguous(self, query: str, what: str = "Ambiguous prefix", shown: int = 10) -> str:
        """The reference's words for several matches, as every reader says them:
        ``Ambiguous prefix "01J" — matches: ['01J...', ...]`` (the first ``shown``, then how
        many in all); the message itself when nothing was ambiguous."""
        if not self.candidates:
            return str(self)
        listed = repr(self.candidates[:shown])
        if len(self.candidates) > shown:
            listed = f"{listed[:-1]}, ...] ({len(self.candidates)} in all)"
        return f'{what} "{query}" — matches: {listed}'


def resolve_id(query: str, ids: Iterable[str], *, what: str = "id") -> str:
    """Resolve a full id, a unique prefix or a unique suffix (case-insensitive) to one id."""
    q = query.strip().upper()
    pool = list(ids)
    if not q:
        raise IdLookupError(f"empty {what}")
    exact = [i for i in pool if i.upper() == q]
    if exact:
        return exact[0]
    _check_length(query, q, what)
    matches = sorted({i for i in pool if i.upper().startswith(q) or i.upper().endswith(q)})
    return _one(query, matches, what)


class IdIndex:
    """``resolve_id`` over the same ids many times: each lookup costs a binary search, not a
    scan of every id (``rewind --to`` with a thousand ids on a run of a million events)."""

    def __init__(self, ids: Iterable[str]) -> None:
        self._exact: dict[str, str] = {}
        for i in ids:
            self._exact.setdefault(i.upper(), i)  # the first of ids equal but for case
        self._forward = sorted((u, i) for u, i in self._exact.items())
        self._backward = sorted((u[::-1], i) for u, i in self._exact.items())

    def resolve(self, query: str, *, what: str = "id") -> str:
        """What ``resolve_id(query, ids, what=what)`` returns or raises."""
        q = query.strip().upper()
        if not q:
            raise IdLookupError(f"empty {what}")
        found = self._exact.get(q)
        if found is not None:
            return found
        _check_length(query, q, what)
        matches = self._starting(self._forward, q) | self._starting(self._backward, q[::-1])
        return _one(query, sorted(matches), what)

    @staticmethod
    def _starting(keyed: list[tuple[str, str]], start: str) -> set[str]:
        found: set[str] = set()
        for k in range(bisect.bisect_left(keyed, (start,)), len(keyed)):
            key, i = keyed[k]
            if not key.startswith(start):
                break
            found.add(i)
        return found


def _check_length(query: str, q: str, what: str) -> None:
    if len(q) < MIN_QUERY_LEN:
        raise IdLookupError(
            f"{what} {query!r} is too short: type at least {MIN_QUERY_LEN} characters"
        )


def _one(query: str, matches: list[str], what: str) -> str:
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise IdLookupError(f"no {what} matches {query!r}")
    shown = ", ".join(matches[:10]) + (
        f", ... ({len(matches)} in all)" if len(matches) > 10 else ""
    )
    raise IdLookupError(f"{what} {query!r} is ambiguous; it matches: {shown}", matches)


def ulid_ms(text: str) -> int | None:
    """The millisecond timestamp a ULID string encodes, or None if ``text`` is not a ULID."""
    if len(text) != 26 or text[0] > "7":
        return None
    value = 0
    for ch in text[:10].upper():
        digit = _B32.find(ch)
        if digit < 0:
            return None
        value = value * 32 + digit
    if any(_B32.find(ch) < 0 for ch in text[10:].upper()):
        return None
    return value
