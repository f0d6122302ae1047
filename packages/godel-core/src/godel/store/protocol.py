"""The store protocol: everything a run persists, behind one interface (docs/store.md).

A store holds many runs. ``run_store`` hands ``EventLog`` the per-run ``EventStore``
(``godel.log.store``): append lines under the durability policy, blobs, the run lock. The rest
is what the commands need around a run: listing, reading from an offset, following live, pause
requests and the transcript.

``godel.log``'s functions take a runs dir; a store that is not the file store is passed in its
place (``location_of``), and the few functions that touch files dispatch on ``is_store``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from godel.log.redact import Redactor
    from godel.log.store import EventStore

__all__ = ["Store", "StoreError", "StoreUnavailableError", "is_store", "store_name"]


class StoreError(Exception):
    """A store cannot be used as asked (unknown scheme, bad URL, schema too new)."""


class StoreUnavailableError(StoreError, ConnectionError):
    """The store stopped answering and did not come back within the retry budget.

    An ``OSError`` (``ConnectionError``), as a failed write to a file is: ``EventLog`` holds
    one met by a deferred sync and raises it at the next write."""


class Store(Protocol):
    """A place where runs live. ``url`` names it; ``location`` is what ``godel.log`` takes."""

    url: str

    @property
    def location(self) -> Any:
        """The runs dir (file store) or the store itself (any other store)."""
        ...

    def run_store(self, run_id: str, *, durability: str) -> EventStore:
        """The per-run bytes ``EventLog`` writes through (lock, lines, blobs, sync)."""
        ...

    def exists(self, run_id: str) -> bool:
        """True if the run has a log."""
        ...

    def list_run_ids(self) -> list[str]:
        """Every run id, newest first."""
        ...

    def read_lines(self, run_id: str, offset: int = 0) -> tuple[list[bytes], int]:
        """Complete log lines from ``offset`` on (each with its newline), and the next offset.

        An offset is opaque: 0 is the start, and only values this method returned go back in."""
        ...

    def wait(self, run_id: str, offset: int, timeout: float) -> None:
        """Return when lines after ``offset`` may exist, or after ``timeout`` seconds."""
        ...

    def lock_held(self, run_id: str) -> bool:
        """True while some writer, on any machine, holds the run lock."""
        ...

    def request_pause(self, run_id: str, reason: str) -> None:
        """Ask the live run to stop at its next step boundary."""
        ...

    def clear_pause(self, run_id: str) -> None:
        """Drop a pending pause request (none is fine)."""
        ...

    def pause_checker(self, run_id: str) -> Callable[[], None]:
        """A cheap per-step check that raises ``PauseSignal`` once a pause was requested."""
        ...

    def transcript(self, run_id: str, redactor: Redactor | None) -> Any:
        """A ``godel.log.Transcript`` writing this run's transcript into the store."""
        ...

    def transcript_lines(self, run_id: str) -> Iterator[bytes]:
        """The run's transcript lines, oldest first."""
        ...

    def put_transcript_lines(self, run_id: str, lines: list[bytes]) -> None:
        """Add transcript lines as they are (a copy from another store)."""
        ...

    def get_blob(self, run_id: str, digest: str) -> str:
        """A blob the run's log names (``OSError`` or ``KeyError`` if missing)."""
        ...

    def close(self) -> None:
        """Release connections. Idempotent."""
        ...


def store_name(store: Any) -> str:
    """How a store is named in messages, pages and logs: its URL without a password (a store's
    ``shown``, when it has one), never the password itself."""
    return str(getattr(store, "shown", None) or store.url)


def is_store(value: object) -> bool:
    """True for a store object passed where a runs dir is expected (never for a path)."""
    return hasattr(value, "run_store")
