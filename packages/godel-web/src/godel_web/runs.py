"""Every run in the runs directory at a glance, kept current cheaply.

A run's row is computed once from its log (one pass: status, attempts, cost) and again only
when the log's size or modification time changes, or while a live process holds it (its
status turns when the process lets go). Opening the runs page of a directory of finished runs
reads no log twice.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from godel.log import LogReader, list_run_ids, lock_held
from godel.runs import RunSummary, RunTracker


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
    parts = [repr(a) for a in args] if isinstance(args, list) else ([str(args)] if args else [])
    if isinstance(kwargs, dict):
        parts += [f"{k}={v!r}" for k, v in kwargs.items()]
    elif kwargs:
        parts.append(str(kwargs))
    return ", ".join(parts)


def read_row(run_id: str, runs_dir: Path) -> RunRow:
    """One pass over the log: its summary, with what its agent calls cost (``godel.cost``)."""
    tracker = RunTracker()
    warnings: list[str] = []
    with LogReader(runs_dir / f"{run_id}.jsonl", on_warning=warnings.append) as reader:
        while True:
            chunk = reader.read_chunk()
            if chunk is None:
                break
            for ev in chunk:
                tracker.feed(ev)
        header = reader.header
    summary = tracker.summary(
        run_id, locked=lock_held(run_id, runs_dir), header=header, warnings=warnings
    )
    root = tracker.root
    cost = summary.cost
    usd = cost.spent_usd if cost is not None and cost.priced else None
    return RunRow(summary, usd, args_text(root.request if root else None))


class RunIndex:
    """The rows of every run in ``runs_dir``, newest first, recomputed only when a log changes."""

    def __init__(self, runs_dir: Path) -> None:
        self.runs_dir = runs_dir
        self._rows: dict[str, tuple[tuple[int, int], RunRow]] = {}
        self._lock = threading.Lock()

    def signature(self) -> tuple[Any, ...]:
        """Changes whenever a log is added, grows or goes, or a live run's lock changes."""
        sig: list[Any] = []
        for run_id in list_run_ids(self.runs_dir):
            try:
                st = os.stat(self.runs_dir / f"{run_id}.jsonl")
            except OSError:
                continue
            sig.append((run_id, st.st_size, st.st_mtime_ns))
            cached = self._rows.get(run_id)
            if cached is not None and cached[1].summary.status.value == "RUNNING":
                sig.append(lock_held(run_id, self.runs_dir))
        return tuple(sig)

    def rows(self) -> list[RunRow]:
        out = []
        with self._lock:
            ids = list_run_ids(self.runs_dir)
            for run_id in ids:
                try:
                    st = os.stat(self.runs_dir / f"{run_id}.jsonl")
                except OSError:
                    continue
                sig = (st.st_size, st.st_mtime_ns)
                cached = self._rows.get(run_id)
                stale = cached is None or cached[0] != sig
                if not stale and cached is not None:
                    running = cached[1].summary.status.value == "RUNNING"
                    stale = running and not lock_held(run_id, self.runs_dir)
                if stale:
                    try:
                        row = read_row(run_id, self.runs_dir)
                    except (OSError, ValueError) as exc:
                        row = RunRow(RunSummary.unknown(run_id, str(exc)), None, "")
                    self._rows[run_id] = (sig, row)
                out.append(self._rows[run_id][1])
            for gone in set(self._rows) - set(ids):
                del self._rows[gone]
        return out
