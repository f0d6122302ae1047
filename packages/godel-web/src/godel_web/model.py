"""One run as the web view shows it, read forward as its log grows.

A ``RunModel`` keeps the latest state of every event (the log's last line of an event wins)
and reads only what was appended since its last ``refresh``, so a live run costs the new lines,
not the whole log. The step tree and the timeline are derived from it once per change
(``version``) and cached: a page of a 10,000-step run renders from the cache.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from godel.log import Event, EventStatus, lock_held
from godel.runs import RunSummary, RunTracker
from godel_web.cost import call_cost, call_tokens
from godel_web.runs import log_reader

# What the timeline draws: steps (and so parallel branches), forks, commands, agent calls and
# waits. Prints, det.* and metadata records are instants, listed in the tree only.
BAR_OPS = frozenset(
    {"step.enter", "FORK", "run", "agent.call", "sleep", "det.sleep", "input", "read_text"}
)
MAX_BARS = 400  # more than this is summarised: the longest ones, in tree order
_READ_LIMIT = 256  # chunks per refresh: a huge backlog is taken over several refreshes


def epoch(ts: str | None) -> float | None:
    """Seconds since the epoch of an ISO-8601 stamp as godel writes them (None if absent)."""
    if not ts:
        return None
    try:
        return datetime.fromisoformat(ts).timestamp()
    except ValueError:
        return None


@dataclass(slots=True)
class Row:
    """One line of the step tree: an event, how deep it sits, and why it is marked."""

    ev: Event
    depth: int
    mark: str  # "", "prior" (an earlier attempt), "invalid" (rewound), "meta" (a record)
    start: float | None
    end: float | None


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
    """The events of one run, their tree and timeline; thread-safe through ``lock``."""

    def __init__(self, run_id: str, runs_dir: Path) -> None:
        self.run_id = run_id
        self.runs_dir = runs_dir
        self.lock = threading.RLock()
        self.warnings: list[str] = []
        self._reset()

    def _reset(self) -> None:
        self.reader = log_reader(self.run_id, self.runs_dir, self._warn)
        self.events: dict[str, Event] = {}
        self.tracker = RunTracker()
        self.lines = 0
        self.version = 0
        self.costs: dict[str, float] = {}
        self.tokens: dict[str, int] = {}
        self.resumes: dict[str, float] = {}
        # event id -> (ts_start, ts_end, their epoch seconds): parsed once, when first asked
        self._times: dict[str, tuple[str, str | None, float | None, float | None]] = {}
        self._derived: dict[str, tuple[int, Any]] = {}

    def _warn(self, text: str) -> None:
        if len(self.warnings) < 20:
            self.warnings.append(text)

    # reading -----------------------------------------------------------------------------------
    def refresh(self) -> bool:
        """Read what was appended since the last call; True if anything was."""
        with self.lock:
            if self.reader.replaced() is not None:
                self.reader.close()
                self._reset()
            new = 0
            for _ in range(_READ_LIMIT):
                chunk = self.reader.read_chunk()
                if chunk is None:
                    break
                for ev in chunk:
                    self._ingest(ev)
                new += len(chunk)
            if new:
                self.lines += new
                self.version += 1
            return bool(new)

    def _ingest(self, ev: Event) -> None:
        self.tracker.feed(ev)
        eid = ev.event_id
        self.events[eid] = ev  # a dict keeps the first-seen order, and the last state wins
        if ev.op == "agent.call":
            cost, tokens = call_cost(ev), call_tokens(ev)
            if cost is not None:
                self.costs[eid] = cost
            if tokens is not None:
                self.tokens[eid] = tokens
        elif ev.op == "RESUME":
            start = epoch(ev.ts_start)
            if start is not None:
                self.resumes[eid] = start

    def close(self) -> None:
        with self.lock:
            self.reader.close()

    # the run -----------------------------------------------------------------------------------
    def summary(self) -> RunSummary:
        return self.tracker.summary(
            self.run_id,
            locked=lock_held(self.run_id, self.runs_dir),
            header=self.reader.header,
            warnings=self.warnings,
        )

    @property
    def root(self) -> Event | None:
        return self.tracker.root

    @property
    def cost(self) -> float | None:
        """Dollars of every agent call the run made (retries and rewound calls were paid too)."""
        return sum(self.costs.values()) if self.costs else None

    @property
    def total_tokens(self) -> int | None:
        return sum(self.tokens.values()) if self.tokens else None

    def times(self, event_id: str) -> tuple[float | None, float | None]:
        ev = self.events.get(event_id)
        if ev is None:
            return None, None
        hit = self._times.get(event_id)
        if hit is None or hit[0] != ev.ts_start or hit[1] != ev.ts_end:
            hit = (ev.ts_start, ev.ts_end, epoch(ev.ts_start), epoch(ev.ts_end))
            self._times[event_id] = hit
        return hit[2], hit[3]

    def attempt_of(self, ev: Event) -> tuple[int, str | None]:
        """Which attempt (1 + resumes before it) an event belongs to, and the RESUME event that
        began that attempt (None for the first)."""
        start = self.times(ev.event_id)[0] or 0.0
        began = sorted((t, eid) for eid, t in self.resumes.items() if t <= start)
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
            return self._cached("rows", self._build_rows)

    def _build_rows(self) -> list[Row]:
        events = list(self.events.values())
        marks = _marks(events)
        children: dict[str, list[Event]] = {}
        tops: list[Event] = []
        for ev in events:
            if ev.parent_id is not None and ev.parent_id in self.events:
                children.setdefault(ev.parent_id, []).append(ev)
            else:
                tops.append(ev)
        out: list[Row] = []
        stack: list[tuple[Event, int]] = [(ev, 0) for ev in reversed(tops)]
        seen: set[str] = set()
        while stack:
            ev, depth = stack.pop()
            if ev.event_id in seen:
                continue  # a parent cycle in a damaged log must not loop forever
            seen.add(ev.event_id)
            start, end = self.times(ev.event_id)
            out.append(Row(ev, depth, marks.get(ev.event_id, ""), start, end))
            for child in reversed(children.get(ev.event_id, ())):
                stack.append((child, depth + 1))
        return out

    def span(self) -> tuple[float, float]:
        """The run's first and last moment (now, while something is still running)."""
        with self.lock:
            # godel's ISO-8601 UTC stamps sort as text: compare strings, parse two.
            starts = [ev.ts_start for ev in self.events.values() if ev.ts_start]
            if not starts:
                return 0.0, 0.0
            ends = [ev.ts_end for ev in self.events.values() if ev.ts_end]
            t0 = epoch(min(starts)) or 0.0
            t1 = epoch(max([*starts, *ends])) or t0
            if self.summary().status.value == "RUNNING":
                t1 = max(t1, time.time())
            return t0, t1

    def timeline(self, limit: int = MAX_BARS) -> Timeline:
        """Bars for steps, branches, commands and agent calls; past ``limit`` the longest ones
        (a summary: the slow work is what a timeline is for), kept in tree order."""
        with self.lock:
            rows = [r for r in self.rows() if r.ev.op in BAR_OPS and r.start is not None]
            t0, t1 = self.span()
            live = self.summary().status.value == "RUNNING"
            resumes = sorted(t - t0 for t in self.resumes.values())

        ends = []
        for r in rows:
            running = r.end is None and live and r.ev.status is EventStatus.STARTED
            ends.append((r.end if r.end is not None else (t1 if running else r.start), running))
        keep = range(len(rows))
        if len(rows) > limit:  # the longest ones: what a timeline is for is the slow work
            widths = [end - r.start for r, (end, _) in zip(rows, ends, strict=True)]  # type: ignore[operator]
            keep = sorted(sorted(keep, key=widths.__getitem__, reverse=True)[:limit])
        bars = []
        for i in keep:
            row, (end, running) = rows[i], ends[i]
            assert row.start is not None and end is not None
            bars.append(Bar(row, row.start - t0, max(end - row.start, 0.0), running))
        return Timeline(bars, max(t1 - t0, 0.0), len(rows), resumes)


_RECORDS = frozenset({"RESUME", "INVALIDATE", "REWIND"})
_DEAD = frozenset({EventStatus.INVALIDATED, EventStatus.SUSPENDED})


def _marks(events: list[Event]) -> dict[str, str]:
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
