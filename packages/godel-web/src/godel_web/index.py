"""A compact index of one run's log, fed its lines from a byte offset.

The run page of a 10,000-step run must open within a second and a live page must keep up
with a run writing 1,000 events a second, so a run is read once, line by line, into one small
``Entry`` per event (id, parent, op, status, times, its latest line) and then followed: each
``update`` asks for the lines after the offset it reached, in the shape of the store
protocol's ``read_lines(run_id, offset)`` (``godel.store.Store``), so a run held in any store
is indexed the same way. Nothing here opens a file.

Only the events a page shows are parsed whole (``Entry.event``): a page of the tree, the bars
of the timeline, one event's page. The run's summary is core's (``godel.runs.RunTracker``,
fed the lines it looks at) and its money is core's (``godel.cost``), so the figures are the
ones ``godel show`` and ``godel cost`` print.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from itertools import product
from operator import itemgetter
from pathlib import Path
from typing import Any

from godel.cost import Ledger
from godel.log import (
    BULK_LINES,
    CorruptLogError,
    Event,
    EventStatus,
    Op,
    bulk_parser,
    check_header,
    from_iso,
    parse_line,
)
from godel.runs import RunTracker

ReadLines = Callable[[int], tuple[list[bytes], int]]
"""``read_lines(offset) -> (complete lines, next offset)``: a store's ``read_lines`` for one
run (``functools.partial(store.read_lines, run_id)``)."""

HEADER_KEY = "godel_log"
_STATUS = {s.value: s for s in EventStatus}
# The lines the run summary needs whole: the root, resumes, agent calls (its cost) and failures.
_SUMMARY_OPS = frozenset({Op.WORKFLOW_STARTED, Op.RESUME, Op.AGENT_CALL})
_LEDGER_OPS = frozenset({Op.AGENT_CALL, Op.RESUME})
_MAX_WARNINGS = 20
_BULK = 1000  # lines read at once past which the collector waits
_MAX_PATHS = 1024  # interned step paths kept
_FAILED = EventStatus.FAILED


@contextmanager
def bulk(size: int) -> Iterator[None]:
    """Hold the cyclic garbage collector while ``size`` (> 1,000) objects are made that form no
    cycle: it would walk the growing index again and again (a quarter of a first open)."""
    if size <= _BULK or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def epoch(ts: str | None) -> float | None:
    """Seconds since the epoch of an ISO-8601 stamp as godel writes them (None if absent)."""
    if not ts:
        return None
    try:
        return from_iso(ts).timestamp()
    except (TypeError, ValueError):
        return None


class Entry:
    """One event in its latest state, kept small: what the tree and timeline are built from.

    ``line`` is the event's latest log line; ``event()`` parses it when a page shows the event.
    """

    __slots__ = (
        "_event",
        "end",
        "event_id",
        "line",
        "op",
        "parent_id",
        "request_hash",
        "seq",
        "start",
        "status",
        "step_path",
        "ts_end",
        "ts_start",
    )

    def __init__(self, event_id: str, op: str, ts_start: str) -> None:
        self.event_id = event_id
        self.op = op
        self.ts_start = ts_start
        self.start = epoch(ts_start)
        self.ts_end: str | None = None
        self.end: float | None = None
        self.parent_id: str | None = None
        self.status = EventStatus.STARTED
        self.step_path: tuple[str, ...] = ()
        self.request_hash = ""
        self.seq = 0
        self.line = b""
        self._event: Event | None = None

    def event(self) -> Event:
        """The whole event, parsed from its latest line (once per line)."""
        ev = self._event
        if ev is None:
            ev = self._event = Event.from_dict(json.loads(self.line))
        return ev


class EventIndex:
    """Every event of one run as an ``Entry`` (first-seen order, latest state), its header, its
    summary tracker and its cost ledger, brought up to date by ``update``."""

    def __init__(self, read_lines: ReadLines, name: str = "log") -> None:
        self.read_lines = read_lines
        self.name = name  # how warnings name the log
        self.entries: dict[str, Entry] = {}
        self.header: dict[str, Any] = {}
        self.tracker = RunTracker()
        self.warnings: list[str] = []
        self.offset = 0
        self.lineno = 0
        self.version = 0  # goes up whenever lines were added
        self.resumes: dict[str, float] = {}  # RESUME event id -> when it began
        self._priced: list[str] = []  # agent calls and resumes, first-seen order (the ledger's)
        self._ledger: tuple[int, Ledger | None] = (-1, None)
        self._paths: dict[tuple[Any, ...], tuple[str, ...]] = {}  # step paths, stored once
        self._unreadable: tuple[int, str] | None = None  # the last line, when it is unreadable

    # reading -----------------------------------------------------------------------------------
    def update(self) -> int:
        """Read and index the lines appended since the last call; how many there were."""
        lines, offset = self.read_lines(self.offset)
        self.offset = offset
        if lines:
            with bulk(len(lines)):
                self.feed(lines)
        return len(lines)

    def feed(self, lines: list[bytes]) -> None:
        """Index complete log lines, in file order (the header first, if it is among them)."""
        entries = self.entries
        tracker = self.tracker
        failed = tracker.failed
        paths = self._paths
        if len(paths) > _MAX_PATHS:
            paths.clear()  # a run has few distinct step paths; keep a strange one bounded
        parse = parse_line if self.lineno + len(lines) < BULK_LINES else bulk_parser()
        for raw in lines:
            self.lineno += 1
            if self._unreadable is not None:  # a line follows it: corrupt, not a torn last write
                raise CorruptLogError(self.name, *self._unreadable)
            try:
                obj = parse(raw)
            except (ValueError, RecursionError) as exc:
                if raw.strip():
                    self._bad(f"not valid JSON ({exc})")
                continue
            fields = _fields(obj, paths)
            if fields is None:  # not what godel writes: the general path says what is wrong
                if type(obj) is dict and self.lineno == 1 and HEADER_KEY in obj:
                    # A newer format is refused, as godel show refuses it.
                    self.header = check_header(obj[HEADER_KEY], Path(self.name), 1)
                else:
                    self._bad(_what_is_wrong(obj))
                continue
            event_id, parent_id, op, status, step_path, request_hash, seq, ts_start, ts_end = fields
            entry = entries.get(event_id)
            if entry is None:
                entry = entries[event_id] = Entry(event_id, op, ts_start)
                if op in _LEDGER_OPS:
                    self._priced.append(event_id)
            elif entry.ts_start != ts_start:
                entry.ts_start, entry.start = ts_start, epoch(ts_start)
            if ts_end != entry.ts_end:
                entry.ts_end, entry.end = ts_end, epoch(ts_end)
            entry.op = op
            entry.status = status
            entry.parent_id = parent_id
            entry.step_path = step_path
            entry.request_hash = request_hash
            entry.seq = seq
            entry.line = raw
            entry._event = None
            if op in _SUMMARY_OPS or status is _FAILED or event_id in failed:
                ev = entry._event = Event.from_dict(obj)
                tracker.feed(ev)
                if op == Op.RESUME and entry.start is not None:
                    self.resumes[event_id] = entry.start
            else:
                # What ``RunTracker.feed`` does with any other line: only the last moment counts.
                ts = ts_end or ts_start
                if ts > tracker.last_ts:
                    tracker.last_ts = ts
        self.version += 1

    def _bad(self, reason: str) -> None:
        """An unreadable line: a warning while it is the last (a write being torn), corruption
        (``CorruptLogError``) once another line follows it, as ``EventLog.load`` says."""
        self._unreadable = (self.lineno, reason)
        if len(self.warnings) < _MAX_WARNINGS:
            self.warnings.append(
                f"{self.name}:{self.lineno}: skipped an unreadable line ({reason})"
            )

    # what pages ask ----------------------------------------------------------------------------
    @property
    def events(self) -> Events:
        """The events by id, parsed when asked for (a read-only mapping)."""
        return Events(self.entries)

    def ledger(self) -> Ledger | None:
        """Core's cost ledger of the run (None without agent calls or resumes): per call, and
        the calls at or under each event, as ``godel show`` sums them."""
        version, ledger = self._ledger
        if version != self.version:
            ledger = Ledger.build(_Priced(self)) if self._priced else None
            self._ledger = (self.version, ledger)
        return ledger


class Events(Mapping[str, Event]):
    """Event id -> ``Event``, parsed from the index's latest line of it on access."""

    __slots__ = ("_entries",)

    def __init__(self, entries: dict[str, Entry]) -> None:
        self._entries = entries

    def __getitem__(self, event_id: str) -> Event:
        return self._entries[event_id].event()

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


class _Priced:
    """What ``godel.cost.Ledger.build`` reads: the agent calls and resumes in log order, and
    any event's parent by id (``get`` raises ``KeyError`` for an unknown one)."""

    def __init__(self, index: EventIndex) -> None:
        self._entries = index.entries
        self._ids = index._priced

    def __iter__(self) -> Iterator[Event]:
        for event_id in self._ids:
            yield self._entries[event_id].event()

    def get(self, event_id: str) -> Entry:
        return self._entries[event_id]


_NONE = type(None)
_STR = (str, _NONE)
# (type of seq, run_id, parent_id, op, request_hash, ts_start, ts_end, request, response,
# step_path, stream_path): what ``godel.log.LogReader`` accepts, as godel writes it.
_PLAIN = frozenset(
    product(
        (int,),
        (str,),
        _STR,
        _STR,
        _STR,
        _STR,
        _STR,
        (dict, _NONE),
        (dict, _NONE),
        (list, _NONE),
        (list, _NONE),
    )
)


_LINE_KEYS = (
    "event_id",
    "status",
    "seq",
    "run_id",
    "parent_id",
    "op",
    "request_hash",
    "ts_start",
    "ts_end",
    "request",
    "response",
    "step_path",
    "stream_path",
)
_values = itemgetter(*_LINE_KEYS)


def _fields(obj: Any, paths: dict[tuple[Any, ...], tuple[str, ...]]) -> tuple[Any, ...] | None:
    """``(event_id, parent_id, op, status, step_path, request_hash, seq, ts_start, ts_end)`` of
    an event line, or None when it is not one (the checks ``godel.log.LogReader`` makes)."""
    if type(obj) is not dict:
        return None
    try:
        values = _values(obj)
    except KeyError:  # an optional field left out (an older or hand-written line)
        values = tuple(map(obj.get, _LINE_KEYS))
    event_id, status, seq, _, parent_id, op, request_hash, ts_start, ts_end = values[:9]
    step_path, stream_path = values[11:]
    status = _STATUS.get(status) if type(status) is str else None
    if type(event_id) is not str or status is None:
        return None
    kinds = tuple(map(type, values[2:]))  # seq ... stream_path, as _PLAIN lists them
    if kinds not in _PLAIN:
        return None
    key = tuple(step_path) if step_path else ()
    try:
        path = paths.get(key)
    except TypeError:  # an unhashable part: not a string
        return None
    if path is None:
        if not all(type(part) is str for part in key):
            return None
        path = paths[key] = key
    if stream_path and not all(type(part) is str for part in stream_path):
        return None
    return (
        event_id,
        parent_id or None,
        op or "",
        status,
        path,
        request_hash or "",
        seq,
        ts_start or "",
        ts_end,
    )


def _what_is_wrong(obj: Any) -> str:
    """Why a line that is not the header is not an event either."""
    if type(obj) is not dict:
        return f"a JSON {type(obj).__name__}, not an object"
    if type(obj.get("event_id")) is not str:
        return "no event_id" if "event_id" not in obj else "event_id is not a string"
    if obj.get("status") not in _STATUS:
        return f"status {obj.get('status')!r} is not one of {', '.join(sorted(_STATUS))}"
    for key in ("run_id", "seq"):
        if key not in obj:
            return f"event is missing the required field {key!r}"
    for key in _KEYS:
        value = obj.get(key)
        if value is not None and type(value) not in _KEYS[key]:
            return f"{key} is a {type(value).__name__}, not a {_KEYS[key][0].__name__}"
    return "a step_path or stream_path holds something other than strings"


_KEYS: dict[str, tuple[type, ...]] = {
    "seq": (int,),
    "run_id": (str,),
    "parent_id": (str,),
    "op": (str,),
    "request_hash": (str,),
    "ts_start": (str,),
    "ts_end": (str,),
    "request": (dict,),
    "response": (dict,),
    "step_path": (list,),
    "stream_path": (list,),
}
