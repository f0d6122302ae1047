"""One run as the web view shows it, read forward as its log grows.

A ``RunModel`` holds the run's ``EventIndex`` (``godel_web.index``): one small entry per event,
fed only the lines appended since the last ``refresh``, so a live run costs its new lines, not
the whole log. The step tree and the timeline are derived from the entries once per change
(``version``) and cached; only the rows a page shows are parsed whole.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from godel.cost import CostTotals, Ledger
from godel.log import Event, EventStatus, lock_held
from godel.runs import RunSummary
from godel.store import FileStore
from godel_web.index import Entry, EventIndex, Events, ReadLines, bulk, epoch

__all__ = ["BAR_OPS", "MAX_BARS", "Bar", "Row", "RunModel", "Timeline", "epoch"]

# What the timeline draws: steps (and so parallel branches), forks, commands, agent calls and
# waits. Prints, det.* and metadata records are instants, listed in the tree only.
BAR_OPS = frozenset(
    {"step.enter", "FORK", "run", "agent.call", "sleep", "det.sleep", "input", "read_text"}
)
MAX_BARS = 400  # more than this is summarised: the longest ones, in tree order


@dataclass(slots=True)
class Row:
    """One line of the step tree: an event, how deep it sits, and why it is marked."""

    entry: Entry
    depth: int
    mark: str  # "", "prior" (an earlier attempt), "invalid" (rewound), "meta" (a record)

    @property
    def ev(self) -> Event:
        """The whole event (parsed when a page shows this row)."""
        return self.entry.event()

    @property
    def start(self) -> float | None:
        return self.entry.start

    @property
    def end(self) -> float | None:
        return self.entry.end


@dataclass
class Bar:
    """One bar of the timeline, in seconds from the run's start."""

    row: Row
    left: float
    width: float
    running: bool


@dataclass(frozen=True)
class Timeline:
    """The bars to draw, the span they cover, and how many rows were left out."""

    bars: list[Bar]
    span: float
    total: int  # rows that could have been drawn
    resumes: list[float]  # seconds from the start at which a resume began


class RunModel:
    """The events of one run, their tree and timeline; thread-safe through ``lock``.

    ``read_lines(offset)`` gives the run's lines from an offset (a store's ``read_lines`` for
    this run); by default, the file store of ``runs_dir``.
    """

    def __init__(self, run_id: str, runs_dir: Path, *, read_lines: ReadLines | None = None) -> None:
        self.run_id = run_id
        self.runs_dir = runs_dir
        self.lock = threading.RLock()
        self._file = read_lines is None  # a file can be replaced under us: watch for it
        self._read_lines = read_lines or partial(FileStore(runs_dir).read_lines, run_id)
        self._reset()

    def _reset(self) -> None:
        self.index = EventIndex(self._read_lines, f"{self.run_id}.jsonl")
        self.lines = 0
        self._inode: int | None = None
        self._derived: dict[str, tuple[int, Any]] = {}

    @property
    def version(self) -> int:
        return self.index.version

    @property
    def warnings(self) -> list[str]:
        return self.index.warnings

    @property
    def events(self) -> Events:
        """Event id -> ``Event`` (parsed on access)."""
        return self.index.events

    # reading -----------------------------------------------------------------------------------
    def refresh(self) -> bool:
        """Read what was appended since the last call; True if anything was."""
        with self.lock:
            if self._file and self._replaced():
                self._reset()
            new = self.index.update()
            self.lines += new
            return bool(new)

    def _replaced(self) -> bool:
        """The log was replaced or cut shorter than what was read: start again."""
        try:
            st = os.stat(self.runs_dir / f"{self.run_id}.jsonl")
        except OSError:
            return self.index.offset > 0
        inode, self._inode = self._inode, st.st_ino
        return (inode is not None and inode != st.st_ino) or st.st_size < self.index.offset

    def close(self) -> None:
        """Nothing is held open between refreshes (kept for the app's cache)."""

    # the run -----------------------------------------------------------------------------------
    def summary(self) -> RunSummary:
        return self.index.tracker.summary(
            self.run_id,
            locked=lock_held(self.run_id, self.runs_dir),
            header=self.index.header,
            warnings=self.index.warnings,
        )

    @property
    def root(self) -> Event | None:
        return self.index.tracker.root

    def ledger(self) -> Ledger | None:
        """Core's cost ledger (``godel.cost``): per call, and at or under each event."""
        with self.lock:
            return self.index.ledger()

    def cost_of(self, event_id: str) -> CostTotals | None:
        """The calls at or under an event (what ``godel show``'s COST column sums), or None."""
        ledger = self.ledger()
        return ledger.below.get(event_id) if ledger is not None else None

    def times(self, event_id: str) -> tuple[float | None, float | None]:
        entry = self.index.entries.get(event_id)
        return (entry.start, entry.end) if entry is not None else (None, None)

    def attempt_of(self, ev: Event) -> tuple[int, str | None]:
        """Which attempt (1 + resumes before it) an event belongs to, and the RESUME event that
        began that attempt (None for the first)."""
        start = self.times(ev.event_id)[0] or 0.0
        began = sorted((t, eid) for eid, t in self.index.resumes.items() if t <= start)
        return 1 + len(began), (began[-1][1] if began else None)

    # derived views (cached per version) -------------------------------------------------------
    def _cached(self, key: str, build: Any) -> Any:
        hit = self._derived.get(key)
        if hit is not None and hit[0] == self.version:
            return hit[1]
        value = build()
        self._derived[key] = (self.version, value)
        return value

    def rows(self) -> list[Row]:
        """The step tree, depth first in log order, every event with its mark."""
        with self.lock:
            return self._cached("rows", self._build_rows)[0]  # type: ignore[no-any-return]

    def children(self, event_id: str) -> list[str]:
        """The ids of the events that ran directly inside one, in log order."""
        with self.lock:
            return self._cached("rows", self._build_rows)[1].get(event_id, [])  # type: ignore[no-any-return]

    def _build_rows(self) -> tuple[list[Row], dict[str, list[str]]]:
        with bulk(len(self.index.entries)):
            return self._tree()

    def _tree(self) -> tuple[list[Row], dict[str, list[str]]]:
        entries = self.index.entries
        marks = _marks(entries.values())
        children: dict[str, list[Entry]] = {}
        tops: list[Entry] = []
        for entry in entries.values():
            parent = entry.parent_id
            if parent is not None and parent in entries:
                kids = children.get(parent)
                if kids is None:
                    children[parent] = [entry]
                else:
                    kids.append(entry)
            else:
                tops.append(entry)
        out: list[Row] = []
        append = out.append
        stack: list[tuple[Entry, int]] = [(entry, 0) for entry in reversed(tops)]
        seen: set[str] = set()
        while stack:
            entry, depth = stack.pop()
            eid = entry.event_id
            if eid in seen:
                continue  # a parent cycle in a damaged log must not loop forever
            seen.add(eid)
            append(Row(entry, depth, marks.get(eid, "")))
            kids = children.get(eid)
            if kids:
                stack.extend((kid, depth + 1) for kid in reversed(kids))
        ids = {k: [c.event_id for c in v] for k, v in children.items()}
        return out, ids

    def span(self) -> tuple[float, float]:
        """The run's first and last moment (now, while something is still running)."""
        with self.lock:
            t0, t1 = self._cached("span", self._build_span)
            if self.summary().status.value == "RUNNING":
                t1 = max(t1, time.time())
            return t0, t1

    def _build_span(self) -> tuple[float, float]:
        # godel's ISO-8601 UTC stamps sort as text: compare strings, parse two.
        entries = self.index.entries.values()
        starts = [e.ts_start for e in entries if e.ts_start]
        if not starts:
            return 0.0, 0.0
        ends = [e.ts_end for e in entries if e.ts_end]
        t0 = epoch(min(starts)) or 0.0
        return t0, epoch(max(max(starts), max(ends, default=""))) or t0

    def timeline(self, limit: int = MAX_BARS) -> Timeline:
        """Bars for steps, branches, commands and agent calls; past ``limit`` the longest ones
        (a summary: the slow work is what a timeline is for), kept in tree order."""
        with self.lock:
            rows = [r for r in self.rows() if r.entry.op in BAR_OPS and r.entry.start is not None]
            t0, t1 = self.span()
            live = self.summary().status.value == "RUNNING"
            resumes = sorted(t - t0 for t in self.index.resumes.values())

        ends = []
        for r in rows:
            entry = r.entry
            running = entry.end is None and live and entry.status is EventStatus.STARTED
            ends.append(
                (entry.end if entry.end is not None else (t1 if running else entry.start), running)
            )
        keep: Any = range(len(rows))
        if len(rows) > limit:  # the longest ones: what a timeline is for is the slow work
            widths = [end - r.entry.start for r, (end, _) in zip(rows, ends, strict=True)]  # type: ignore[operator]
            keep = sorted(sorted(keep, key=widths.__getitem__, reverse=True)[:limit])
        bars = []
        for i in keep:
            row, (end, running) = rows[i], ends[i]
            start = row.entry.start
            assert start is not None and end is not None
            bars.append(Bar(row, start - t0, max(end - start, 0.0), running))
        return Timeline(bars, max(t1 - t0, 0.0), len(rows), resumes)


_RECORDS = frozenset({"RESUME", "INVALIDATE", "REWIND"})
_DEAD = frozenset({EventStatus.INVALIDATED, EventStatus.SUSPENDED})


def _marks(events: Iterable[Entry]) -> dict[str, str]:
    """Why an event is set apart, in one pass: ``invalid`` (rewound or replaced), ``prior`` (a
    failed call that was made again at the same place with the same request and did not fail
    that time: a failed attempt), ``meta`` (a resume or rewind record)."""
    marks: dict[str, str] = {}
    failed: dict[tuple[object, ...], list[str]] = {}
    for ev in events:
        if ev.status in _DEAD:
            marks[ev.event_id] = "invalid"
            continue
        if ev.op in _RECORDS:
            marks[ev.event_id] = "meta"
            continue
        key = (ev.parent_id, ev.op, ev.step_path, ev.request_hash)
        if ev.status is EventStatus.FAILED:
            failed.setdefault(key, []).append(ev.event_id)
        elif key in failed:
            for eid in failed.pop(key):
                marks[eid] = "prior"
    return marks
