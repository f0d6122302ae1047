"""Every run in the runs directory (or the store) at a glance, kept current cheaply.

A run's row is computed once from its log (one pass: status, attempts, cost) and again only
when the log's size or modification time changes, or while a live process holds it (its
status turns when the process lets go). Opening the runs page of a directory of finished runs
reads no log twice. A run in a store (``--store``) is read through the store; its line count
stands for the file's size and time (``run_versions``, else the lines themselves).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from godel.log import list_run_ids, lock_held
from godel.runs import RunFeed as CoreRunFeed
from godel.runs import RunSummary
from godel.runs.render import repr_call_parts
from godel.store import is_store


@dataclass(frozen=True)
class RunRow:
    """What the runs page shows of one run."""

    summary: RunSummary
    cost: float | None  # dollars of its priced agent calls (``summary.cost`` has the detail)
    args: str

    @property
    def run_id(self) -> str:
        return self.summary.run_id


def args_text(request: dict[str, Any] | None) -> str:
    if not request:
        return ""
    args, kwargs = request.get("args"), request.get("kwargs")
    if isinstance(args, str) or isinstance(kwargs, str):  # godel-py 3.x logged repr strings
        return ", ".join(repr_call_parts(args, kwargs))
    parts = [repr(a) for a in args] if isinstance(args, list) else ([str(args)] if args else [])
    if isinstance(kwargs, dict):
        parts += [f"{k}={v!r}" for k, v in kwargs.items()]
    elif kwargs:
        parts.append(str(kwargs))
    return ", ".join(parts)


class RunFeed(CoreRunFeed):
    """A running run's row, from its log read on from where the last read stopped (a run of
    10,000 steps is about 6 MB, and the runs page asks again about once a second while it
    grows)."""

    def row(self) -> RunRow:
        """Read what was added since the last call; the run's row."""
        self.read_on()
        summary = self.summary()
        root = self.tracker.root
        cost = summary.cost
        usd = cost.spent_usd if cost is not None and cost.priced else None
        return RunRow(summary, usd, args_text(root.request if root else None))


class RunIndex:
    """The rows of every run in ``runs_dir``, newest first, recomputed only when a log changes."""

    def __init__(self, runs_dir: Path) -> None:
        self.runs_dir = runs_dir
        self._rows: dict[str, tuple[tuple[int, int], RunRow]] = {}
        self._offsets: dict[str, int] = {}
        self._live: dict[str, RunFeed] = {}  # running runs, read on from where they were
        self._lock = threading.Lock()

    def versions(self) -> list[tuple[str, tuple[int, int]]]:
        """Each run id, newest first, with what changes when its log grows: the file's size and
        time, or a stored run's line count (one query for all: the store's ``run_versions``)."""
        if is_store(self.runs_dir):
            counted = getattr(self.runs_dir, "run_versions", None)
            if counted is not None:
                return [(run_id, (n, 0)) for run_id, n in counted()]
            return [
                (run_id, (self._stored_lines(run_id), 0)) for run_id in list_run_ids(self.runs_dir)
            ]
        out = []
        for run_id in list_run_ids(self.runs_dir):
            try:
                st = os.stat(self.runs_dir / f"{run_id}.jsonl")
            except OSError:
                continue
            out.append((run_id, (st.st_size, st.st_mtime_ns)))
        return out

    def _stored_lines(self, run_id: str) -> int:
        """How far a stored run's log goes (a store without ``run_versions``: read forward)."""
        offset = self._offsets.get(run_id, 0)
        while True:
            lines, offset = self.runs_dir.read_lines(run_id, offset)
            if not lines:
                break
        self._offsets[run_id] = offset
        return offset

    def signature(self) -> tuple[Any, ...]:
        """Changes whenever a log is added, grows or goes, or a live run's lock changes."""
        sig: list[Any] = []
        for run_id, version in self.versions():
            sig.append((run_id, *version))
            cached = self._rows.get(run_id)
            if cached is not None and cached[1].summary.status.value == "RUNNING":
                sig.append(lock_held(run_id, self.runs_dir))
        return tuple(sig)

    def rows(self) -> list[RunRow]:
        out = []
        with self._lock:
            versions = self.versions()
            ids = [run_id for run_id, _ in versions]
            for run_id, sig in versions:
                cached = self._rows.get(run_id)
                stale = cached is None or cached[0] != sig
                if not stale and cached is not None:
                    running = cached[1].summary.status.value == "RUNNING"
                    stale = running and not lock_held(run_id, self.runs_dir)
                if stale:
                    self._rows[run_id] = (sig, self._read(run_id))
                out.append(self._rows[run_id][1])
            for gone in set(self._rows) - set(ids):
                del self._rows[gone]
            for gone in set(self._live) - set(ids):
                self._live.pop(gone).close()
        return out

    def _read(self, run_id: str) -> RunRow:
        feed = self._live.pop(run_id, None)
        try:
            if feed is None:
                # strict: a log that godel runs list calls UNKNOWN is UNKNOWN here too
                feed = RunFeed(run_id, self.runs_dir, strict=True)
            row = feed.row()
        except (OSError, ValueError) as exc:
            if feed is not None:
                feed.close()
            return RunRow(RunSummary.unknown(run_id, str(exc)), None, "")
        if row.summary.status.value == "RUNNING":
            self._live[run_id] = feed
        else:
            feed.close()
        return row
