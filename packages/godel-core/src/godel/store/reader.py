"""Reading a run's log out of any store: ``StoreReader`` is ``LogReader`` fed by
``Store.read_lines`` instead of a file, so ``tail``, the summary and ``runs list`` parse and
validate a stored run's lines exactly as they do a file's. ``read_transcript`` reads a stored
transcript forward from an offset, for followers (``tail --show-tools``, ``watch``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from godel.log.reader import LogReader, Warn

if TYPE_CHECKING:
    from godel.log.events import Event
    from godel.store.protocol import Store

__all__ = ["StoreReader", "events_of", "read_transcript"]


class StoreReader(LogReader):
    """A ``LogReader`` over a run held by ``store`` (whole lines only: no partial line)."""

    def __init__(
        self, store: Store, run_id: str, *, strict: bool = False, on_warning: Warn | None = None
    ) -> None:
        super().__init__(Path(f"{run_id}.jsonl"), strict=strict, on_warning=on_warning)
        self.store = store
        self.run_id = run_id
        self.offset = 0
        self._open = False

    def open(self) -> bool:
        if not self._open:
            self._open = self.store.exists(self.run_id)
        return self._open

    def close(self) -> None:
        self._open = False

    def read_chunk(self) -> list[Event] | None:
        if not self.open():
            return None
        lines, self.offset = self.store.read_lines(self.run_id, self.offset)
        if not lines:
            return None
        self.position = self.offset
        return self._parse_lines([line.rstrip(b"\n") for line in lines])

    def replaced(self) -> str | None:
        return None  # rows are never rewritten

    def reopen(self) -> None:
        super().reopen()
        self.offset = 0


def events_of(
    store: Store, run_id: str, *, on_warning: Warn | None = None
) -> Iterator[list[Event]]:
    """The run's events, a batch per read, as ``godel.log.read_batches`` gives a file's."""
    reader = StoreReader(store, run_id, on_warning=on_warning)
    while True:
        events = reader.read_chunk()
        if events is None:
            reader.finish()
            return
        if events:
            yield events


def read_transcript(store: Store, run_id: str, offset: int = 0) -> tuple[list[bytes], int]:
    """The run's transcript lines from ``offset`` on (each with its newline) and the next
    offset, as ``Store.read_lines`` reads the log: through the store's optional
    ``read_transcript`` (PostgreSQL reads only the new rows), else ``transcript_lines`` with
    the first ``offset`` lines skipped."""
    reader = getattr(store, "read_transcript", None)
    if reader is not None:
        return reader(run_id, offset)  # type: ignore[no-any-return]
    lines = list(store.transcript_lines(run_id))[offset:]
    return lines, offset + len(lines)
