"""A run's log followed from where the last read stopped, its summary kept current.

What a long-lived reader (``godel ui``'s runs page, ``godel mcp``'s ``tail_events``) needs of a
run it asks about again and again while it grows: a run of 10,000 steps is about 6 MB, and
reading it whole at every question would cost a tenth of a second each time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from godel.log.events import Event
from godel.log.lock import lock_held
from godel.log.reader import LogReader, Warn
from godel.runs.status import RunSummary, RunTracker

__all__ = ["RunFeed", "log_reader"]


def log_reader(run_id: str, runs_dir: Any, warn: Warn, *, strict: bool = False) -> LogReader:
    """A reader of the run's log: its file in a runs dir, or its rows in a store.

    ``strict``: an unreadable line that is not the last raises ``CorruptLogError``, as
    ``EventLog.load`` does (see ``LogReader``)."""
    from godel.store.protocol import is_store

    if is_store(runs_dir):
        from godel.store.reader import StoreReader

        return StoreReader(runs_dir, run_id, strict=strict, on_warning=warn)
    return LogReader(Path(runs_dir) / f"{run_id}.jsonl", strict=strict, on_warning=warn)


class RunFeed:
    """One run's log, read on from where the last ``read_on`` stopped, and what its summary
    needs from it (``RunTracker``). A log that was replaced (``godel runs import``) is read
    again from the start: ``restarted`` counts how often."""

    def __init__(self, run_id: str, runs_dir: Any, *, strict: bool = False) -> None:
        self.run_id, self.runs_dir = run_id, runs_dir
        self.warnings: list[str] = []
        self.restarted = 0
        self.reader = log_reader(run_id, runs_dir, self.warnings.append, strict=strict)
        self.tracker = RunTracker()
        if not self.reader.open():
            raise FileNotFoundError(f"no audit log for run {run_id}")

    def read_on(self) -> list[Event]:
        """The event states written since the last call (every one, the first time)."""
        if self.reader.replaced() is not None:
            self.reader.reopen()
            self.tracker = RunTracker()
            self.warnings.clear()
            self.restarted += 1
        new: list[Event] = []
        while True:
            chunk = self.reader.read_chunk()
            if chunk is None:
                return new
            for ev in chunk:
                self.tracker.feed(ev)
            new.extend(chunk)

    def summary(self) -> RunSummary:
        """The run's summary as of the last ``read_on``."""
        return self.tracker.summary(
            self.run_id,
            locked=lock_held(self.run_id, self.runs_dir),
            header=self.reader.header,
            warnings=self.warnings,
        )

    def close(self) -> None:
        """Let go of the log."""
        self.reader.close()
