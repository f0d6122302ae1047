"""Reading a run's two files forward as they grow: the audit log (``<run_id>.jsonl``, through
core's ``LogReader``) and the transcript (``<run_id>/transcript.jsonl``).

Each ``read`` returns what was appended since the last one. The transcript is read *before*
the log: a command or agent call writes its log line before its first transcript line, so
whatever transcript line is seen, the log line it belongs to is seen in the same read.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from godel.log import CorruptLogError, Event, LogReader, lock_held
from godel.runs import RunTracker
from godel_watch.errors import WatchError

Warn = Callable[[str], None]
_READ = 1 << 20  # bytes of transcript per read: a huge backlog is taken in steps


class TranscriptReader:
    """The events of a transcript, read forward across its files: the archives a rotation left
    (``transcript.jsonl.2``, ``.1``: oldest first), then the live file. A rotation while it reads
    renames the file it was in: that file is found again by its inode and read to its end
    before the next one. A torn last line waits for the rest."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self._partial = b""
        self._ino: int | None = None  # the file being read (its name changes as it rotates)
        self._seq = -1  # the last seq read: what a file read again repeats is skipped
        self._more = False  # a newer file waits after the one being read

    def exists(self) -> bool:
        return self.path.is_file()

    def _files(self) -> list[tuple[Path, int]]:
        from godel.log import transcript_files

        out = []
        for path in transcript_files(self.path):
            try:
                st = path.stat()
            except OSError:
                continue  # rotated or removed meanwhile
            if stat.S_ISREG(st.st_mode):  # not a directory, nor a FIFO that would block
                out.append((path, st.st_ino))
        return out

    def read(self) -> list[dict[str, Any]]:
        files = self._files()
        inos = [ino for _, ino in files]
        if self._ino not in inos:  # the first read, or its file is gone: from the oldest
            if not files:
                return []
            self._ino, self.offset, self._partial = inos[0], 0, b""
        i = inos.index(self._ino)
        while True:
            try:
                with open(files[i][0], "rb") as fh:
                    if fh.seek(0, 2) < self.offset:  # written again from scratch
                        self.offset, self._partial, self._seq = 0, b"", -1
                    fh.seek(self.offset)
                    data = fh.read(_READ)
            except OSError:
                return []
            if data or i == len(files) - 1:
                break
            # That file is whole (a newer one follows): go on with the next.
            i += 1
            self._ino, self.offset, self._partial = inos[i], 0, b""
        self._more = i < len(files) - 1
        if not data:
            return []
        self.offset += len(data)
        *lines, self._partial = (self._partial + data).split(b"\n")
        out = []
        for line in lines:
            if not line.startswith(b'{"event"'):
                continue  # the header, blank or foreign lines
            try:
                event = json.loads(line)["event"]
            except (ValueError, KeyError, TypeError):
                continue
            if not isinstance(event, dict):
                continue
            seq = event.get("seq")
            if isinstance(seq, int):
                if seq <= self._seq:
                    continue
                self._seq = seq
            out.append(event)
        return out

    @property
    def behind(self) -> bool:
        """More bytes are waiting than one read takes."""
        if self._more:
            return True
        for path, ino in self._files():
            if ino == self._ino:
                try:
                    return path.stat().st_size > self.offset
                except OSError:
                    return False
        return False


class StoredTranscript:
    """The transcript of a run kept in a store (``--store``): its rows, read forward."""

    def __init__(self, store: Any, run_id: str) -> None:
        self.store, self.run_id, self.seen = store, run_id, 0
        self.behind = False

    def exists(self) -> bool:
        return True

    def read(self) -> list[dict[str, Any]]:
        from godel.store import read_transcript

        # Only the rows after the last read (never the whole transcript again on each poll).
        new, self.seen = read_transcript(self.store, self.run_id, self.seen)
        self.behind = bool(new)  # a read takes a batch of rows: more may be waiting
        out = []
        for line in new:
            try:
                event = json.loads(line).get("event")
            except (ValueError, AttributeError):
                continue
            if isinstance(event, dict):
                out.append(event)
        return out


class RunFiles:
    """One run's log and transcript, and whether the run has really ended."""

    def __init__(self, run_id: str, runs_dir: Any, *, on_warning: Warn | None = None) -> None:
        self.run_id = run_id
        self.runs_dir = runs_dir
        self.log: LogReader
        self.transcript: Any
        if isinstance(runs_dir, Path):
            self.log = LogReader(runs_dir / f"{run_id}.jsonl", on_warning=on_warning)
            self.transcript = TranscriptReader(runs_dir / run_id / "transcript.jsonl")
        else:  # a store (--store, $GODEL_STORE): its rows, parsed as a file's lines
            from godel.store import StoreReader

            self.log = StoreReader(runs_dir, run_id, on_warning=on_warning)
            self.transcript = StoredTranscript(runs_dir, run_id)
        self.tracker = RunTracker()
        self._quiet = 0

    def read(self, max_events: int = 0) -> tuple[list[dict[str, Any]], list[Event]]:
        """New transcript events, then new log events (at most about ``max_events`` log
        events when it is positive, so a huge backlog is taken in steps).

        ``WatchError`` (``cannot read run ...``, as ``godel tail`` and ``godel show`` say it)
        when the log cannot be read: a newer format, a line that breaks it, an I/O error."""
        items = self.transcript.read()
        events: list[Event] = []
        # A torn last line that a resume cut off (and wrote new lines in place of) is
        # forgotten, and read again from the file; other replacements are not followed.
        self.log.replaced()
        while True:
            try:
                chunk = self.log.read_chunk()
            except (CorruptLogError, OSError) as exc:
                raise WatchError(f"cannot read run {self.run_id}: {exc}") from None
            if chunk is None:
                break
            for ev in chunk:
                self.tracker.feed(ev)
            events.extend(chunk)
            if max_events and len(events) >= max_events:
                break
        if items or events:
            self._quiet = 0
        return items, events

    def locked(self) -> bool:
        """A live process holds the run (it is running, or a resume took it)."""
        return lock_held(self.run_id, self.runs_dir)

    def ended(self) -> bool:
        """The latest attempt recorded its end (finished, failed or paused) and nobody holds the
        run, or nobody holds it and nothing came for two reads (it was killed). Call after a
        ``read`` that returned nothing.

        A torn last line (part of a line, without its newline) waits for the rest only while
        a process holds the run: when nobody does, the writer died mid-line (as ``godel tail``
        judges it), and the run ended like any other that nobody holds."""
        if self.transcript.behind:
            return False
        if self.locked():
            self._quiet = 0
            return False
        self._quiet += 1
        if self.log.has_partial:
            return self._quiet > 2
        return self.tracker.ended_in_line_order or self._quiet > 2

    def finish(self) -> None:
        """At the end of the watching: warn about a torn last line (as ``godel show`` does)."""
        if self.log.has_partial:
            self.log.finish()

    def close(self) -> None:
        self.log.close()


def event_ts(ev: Event) -> str:
    """When this line of the event was written: its end once it ended, else its start."""
    return (ev.ts_end if ev.status.value != "STARTED" and ev.ts_end else ev.ts_start) or ""


def merged(items: list[dict[str, Any]], events: list[Event]) -> list[Any]:
    """Transcript events and log lines in the order they happened: a merge by time that keeps
    each file's own order (a log line may carry an older time, e.g. an INVALIDATED state)."""
    out: list[Any] = []
    i = j = 0
    while i < len(items) and j < len(events):
        if str(items[i].get("ts") or "") < event_ts(events[j]):
            out.append(items[i])
            i += 1
        else:
            out.append(events[j])
            j += 1
    out.extend(items[i:])
    out.extend(events[j:])
    return out
