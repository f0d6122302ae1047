"""Run and event ids (ULIDs) and the short forms people type.

A ULID starts with a 10-character timestamp, so ids made in the same moment share their first
characters. The short form godel prints is therefore the *end* of the id (its random part), and
every command that takes an id accepts the full id, a unique prefix, or a unique suffix.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from godel.stamps import Stamper

SHORT_LEN = 8
MIN_QUERY_LEN = 4


_stamper = Stamper()
_stamper_lock = threading.Lock()


def new_id() -> str:
    """A new ULID string (26 characters, Crockford base32, sortable by time).

    Ids from one process never go backwards (see ``godel.stamps``).
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


def resolve_id(query: str, ids: Iterable[str], *, what: str = "id") -> str:
    """Resolve a full id, a unique prefix or a unique suffix (case-insensitive) to one id."""
    q = query.strip().upper()
    pool = list(ids)
    if not q:
        raise IdLookupError(f"empty {what}")
    exact = [i for i in pool if i.upper() == q]
    if exact:
        return exact[0]
    if len(q) < MIN_QUERY_LEN:
        raise IdLookupError(f"{what} {query!r} is too short: type at least {MIN_QUERY_LEN} characters")
    matches = sorted({i for i in pool if i.upper().startswith(q) or i.upper().endswith(q)})
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise IdLookupError(f"no {what} matches {query!r}")
    shown = ", ".join(matches[:10]) + (f", ... ({len(matches)} in all)" if len(matches) > 10 else "")
    raise IdLookupError(f"{what} {query!r} is ambiguous; it matches: {shown}", matches)
