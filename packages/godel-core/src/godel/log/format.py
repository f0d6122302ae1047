"""The on-disk format of the audit log: the header line, and reading lines back into events.

A log is JSONL. Its first line is a header ``{"godel_log": {"format": 1, ...}}``; every other
line is one state of one event (``Event.to_dict()``, plus ``"blobs"`` when large strings were
moved to the sidecar). Readers fold: the last line of an event wins, first-seen order is kept,
children are derived from ``parent_id``. A torn last line (a crash mid-write) is ignored with a
warning; anything wrong before the last line is corruption and raises ``CorruptLogError``.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from itertools import product
from json.scanner import make_scanner
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

from godel.log.blobs import BlobEvent, check, restore
from godel.log.events import Event, EventStatus, Op, utc_now
from godel.log.store import EventStore

__all__ = [
    "BULK_LINES",
    "HEADER_KEY",
    "LINE_KEYS",
    "LOG_FORMAT_VERSION",
    "STATUSES",
    "CorruptLogError",
    "LoadedLog",
    "LogFormatError",
    "build_header",
    "bulk_parser",
    "check_header",
    "collector_paused",
    "line_event",
    "parse_line",
    "plain_event",
    "plain_line_decoder",
    "read_log",
    "type_problem",
    "what_is_wrong",
]

LOG_FORMAT_VERSION = 1
HEADER_KEY = "godel_log"

STATUSES = frozenset(s.value for s in EventStatus)
_STATUS_OF = {s.value: s for s in EventStatus}
_STARTED = EventStatus.STARTED


class CorruptLogError(ValueError):
    """A line of an audit log, other than a torn last line, cannot be read."""

    def __init__(self, path: str | Path, lineno: int, reason: str) -> None:
        self.path = Path(path)
        self.lineno = lineno
        self.reason = reason
        super().__init__(f"{path}:{lineno}: corrupt audit log line: {reason}")


class LogFormatError(CorruptLogError):
    """The log was written by a newer godel, in a format this one cannot read."""

    def __init__(self, path: str | Path, lineno: int, found: object) -> None:
        CorruptLogError.__init__(self, path, lineno, "")
        self.found = found
        self.args = (
            f"{path}:{lineno}: audit log format {found} is newer than this godel reads "
            f"(format {LOG_FORMAT_VERSION}); upgrade godel-core to read this run",
        )

    def __str__(self) -> str:
        return str(self.args[0])


def build_header(
    run_id: str, extra: dict[str, Any] | None = None, *, durability: str | None = None
) -> dict[str, Any]:
    """The first line of a new log: format, run, time, godel version, the durability it was
    written with, and loaded plugins."""
    from godel.__about__ import __version__

    inner: dict[str, Any] = {
        "format": LOG_FORMAT_VERSION,
        "run_id": run_id,
        "created": utc_now(),
        "godel_version": __version__,
    }
    if durability is not None:
        inner["durability"] = durability
    inner["plugins"], problem = _loaded_plugins()
    if problem:
        inner["plugin_error"] = problem
    for key, value in (extra or {}).items():
        if key in inner:
            raise ValueError(f"header field {key!r} is written by godel and cannot be given")
        inner[key] = value
    return {HEADER_KEY: inner}


def _loaded_plugins() -> tuple[list[dict[str, str]], str]:
    from godel.exceptions import PluginError
    from godel.plugins.manager import get_plugin_manager

    manager = get_plugin_manager()
    problem = ""
    try:
        manager.load_entry_points()
    except PluginError as exc:
        # The log records which code ran; a plugin conflict is the runtime's to report.
        problem = str(exc)
    plugins = [
        {"name": p.name, "dist": p.dist, "version": p.version}
        for p in manager.plugins
        if p.error is None
    ]
    return plugins, problem


@dataclass
class LoadedLog:
    """What reading a log yields."""

    header: dict[str, Any] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    valid_end: int = 0  # byte offset just past the last good line
    next_seq: int = 0
    problems: list[tuple[str, int, str]] = field(default_factory=list)  # (kind, line, what)
    # Events holding a preview in place of a blob that could not be read: id -> what was lost.
    lost_blobs: dict[str, str] = field(default_factory=dict)
    # godel-py 3.x logs link events the other way round: parent id -> its latest children_ids.
    legacy_children: dict[str, list[Any]] = field(default_factory=dict)


# What the scan keeps per event id: the Event of its latest line, or that line and its number
# when the Event is built later (see ``_scan``).
_Latest = Event | tuple[dict[str, Any], int] | Any  # Any: a STARTED plain_line_decoder record
_Paths = dict[tuple[str, ...], tuple[str, ...]]  # interned step paths (see ``line_event``)


def read_log(store: EventStore, run_id: str, *, lazy_blobs: bool = False) -> LoadedLog:
    """Read and fold a whole log, in one pass over its lines (``FileNotFoundError`` if none).

    ``lazy_blobs``: events with blobs come as ``BlobEvent``s, which read them back only when
    their request or response is read (each blob is checked now, for the same warnings).
    """
    path = store.path
    out = LoadedLog()
    latest: dict[str, _Latest] = {}
    paths: _Paths = {}
    with collector_paused():
        with closing(store.iter_lines()) as lines:
            _scan(lines, path, out, latest, paths)
        out.events = _build_events(latest, paths, store, path, out, lazy_blobs)
        latest.clear()  # the parsed lines left are garbage: free them before the collector runs
    if out.legacy_children:
        _adopt_legacy_children(out.events, out.legacy_children)
    cycles = _link_children(out.events)
    out.next_seq = max((ev.seq for ev in out.events), default=-1) + 1
    header_run = out.header.get("run_id")
    if header_run is not None and header_run != run_id:
        out.warnings.append(f"{path}: the header names run {header_run!r}, not {run_id!r}")
    # Only a run's own log (a header naming its workflow) is held to the engine's op names: the
    # EventLog API itself records any op a caller names.
    problems = _inconsistencies(out.events, run_id, check_ops="workflow" in out.header)
    problems += [("parent", eid, why) for eid, why in cycles]
    if problems:
        lines = _line_numbers(store, {eid for _, eid, _ in problems})
        out.problems = [(kind, lines.get(eid, 0), why) for kind, eid, why in problems]
        out.warnings += [f"{path}:{line}: {why}" for _, line, why in out.problems]
    return out


_KNOWN_OPS = {v: v for k, v in vars(Op).items() if not k.startswith("_")}  # op -> one string


def _inconsistencies(
    events: list[Event], run_id: str, *, check_ops: bool
) -> list[tuple[str, str, str]]:
    """What a hand edit can leave that the writer never does: (kind, event id, what is wrong),
    kind one of ``foreign``, ``op``, ``seq`` (``parent``: ``_link_children``).

    One pass over the folded events, so a clean log pays a few set lookups per event. It also
    makes every event hold the same run id and op strings, not a copy each (a 1 GB log: 130 of
    the 1,750 bytes an event takes).
    """
    problems = []
    seqs: dict[int, str] = {}
    for ev in events:
        eid = ev.event_id
        if ev.run_id != run_id:
            why = f"event {eid} belongs to run {ev.run_id!r}, not {run_id!r}"
            problems.append(("foreign", eid, why))
        else:
            ev.run_id = run_id
        if check_ops:
            op = _KNOWN_OPS.get(ev.op)
            if op is None:
                problems.append(("op", eid, f"event {eid} has an unknown op {ev.op!r}"))
            else:
                ev.op = op
        other = seqs.setdefault(ev.seq, eid)
        if other != eid:
            problems.append(("seq", eid, f"event {eid} has seq {ev.seq}, as event {other} does"))
    return problems


def _line_numbers(store: EventStore, wanted: set[str]) -> dict[str, int]:
    """The line of the latest state of each ``wanted`` event (read again: only when needed)."""
    found: dict[str, int] = {}
    with closing(store.iter_lines()) as lines:
        for lineno, raw in enumerate(lines, 1):
            if any(eid.encode() in raw for eid in wanted):
                try:
                    obj = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(obj, dict) and obj.get("event_id") in wanted:
                    found[obj["event_id"]] = lineno
    return found


_seq_of = attrgetter("seq")


def _adopt_legacy_children(events: list[Event], children: dict[str, list[Any]]) -> None:
    """Give the events of a godel-py 3.x log the ``parent_id`` its parents' ``children_ids``
    name (godel-py wrote no ``parent_id``): replay keys, subtrees and trees hang on it. A child
    that already names a parent (a line godel wrote) keeps it."""
    by_id = {ev.event_id: ev for ev in events}
    for parent_id, ids in children.items():
        if parent_id not in by_id or type(ids) is not list:
            continue
        for child_id in ids:
            child = by_id.get(child_id) if type(child_id) is str else None
            if child is not None and child.parent_id is None and child_id != parent_id:
                child.parent_id = parent_id
    _adopt_legacy_orphans(events)


def _adopt_legacy_orphans(events: list[Event]) -> None:
    """godel-py left an agent call out of every ``children_ids`` (it named the call's CLI
    process, a ``run``, as its step's child instead): give such an event the step it ran in,
    the last one of its ``step_path`` started before it (the workflow at the top level), so
    that a resume finds it under that step and replays it instead of asking again."""
    root: str | None = None
    steps: dict[tuple[str, ...], str] = {}
    for ev in sorted(events, key=_seq_of):
        path = tuple(ev.step_path)
        if ev.op == Op.WORKFLOW_STARTED:
            root = root or ev.event_id
            continue
        is_step = ev.op == Op.STEP_ENTER
        if ev.parent_id is None:
            above = path[:-1] if is_step else path
            ev.parent_id = steps.get(above) if above else root
        if is_step:
            steps[path] = ev.event_id


def _link_children(events: list[Event]) -> list[tuple[str, str]]:
    """Fill ``children_ids`` from ``parent_id``, in seq order; returns (event id, what is wrong)
    for each event whose parent link closed a cycle (a hand edit): the link is dropped.

    Every reader walks parents up to the root (the cost ledger, grouping, the views): a cycle
    would make each of them loop for ever. The writer starts a parent before its children, so
    only a parent whose seq is not below its child's can be on one: the walk is made for those.
    """
    by_id = {ev.event_id: ev for ev in events}
    later: list[Event] = []
    # A stable sort keeps a log already in seq order (every log godel writes) as it is, and on
    # sorted input it is one comparison per event in C: cheaper than checking the order first.
    for ev in sorted(events, key=_seq_of):
        if ev.parent_id is not None:
            parent = by_id.get(ev.parent_id)
            if parent is not None:
                if parent.seq >= ev.seq:
                    later.append(ev)
                    continue
                parent.children_ids.append(ev.event_id)
                ev.parent_id = parent.event_id  # the parent's own string, not a copy each
    cut = []
    for ev in later:
        seen = {ev.event_id}
        up = by_id.get(ev.parent_id)  # type: ignore[arg-type]
        while up is not None and up.event_id not in seen:
            seen.add(up.event_id)
            up = by_id.get(up.parent_id) if up.parent_id is not None else None
        if up is not None and up.event_id == ev.event_id:
            own = ev.parent_id == ev.event_id
            ev.parent_id = None
            why = "is its own parent" if own else "has parents that go round in a cycle"
            cut.append((ev.event_id, f"event {ev.event_id} {why}"))
        else:  # out of order, not round: linked as it says
            by_id[ev.parent_id].children_ids.append(ev.event_id)  # type: ignore[index]
    return cut


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a whole log is read (and, in the CLI, printed).

    Loading allocates only acyclic objects that all stay alive, which is the worst case for the
    collector: its full passes would rescan the growing heap and make loading superlinear.
    Afterwards the objects go to the collector's oldest generation untraversed.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            _to_oldest_generation()


def _to_oldest_generation() -> None:
    """Move every object the collector tracks to its oldest generation, traversing none.

    Everything allocated while the collector was paused is in the youngest generation. Left
    there, it would be traversed by the next automatic pass over that generation and again,
    soon after, by one over the middle generation; ``gc.collect(1)`` traverses it once (for a
    resume of 10,000 steps, 23 ms of 146). ``freeze`` then ``unfreeze`` moves it to the oldest
    generation without a traversal (resume at 10,000 steps: 65-68k -> 82-86k steps/s); garbage
    cycles among it are still found by the next full pass, which the collector times by itself.
    """
    if gc.get_freeze_count():
        # Objects someone froze on purpose (before a fork) must stay frozen; Python 3.12 also
        # starts with a few frozen. Then the traversal, as before.
        gc.collect(1)
        return
    gc.freeze()
    gc.unfreeze()


def _scan(
    lines: Iterator[bytes], path: Path, out: LoadedLog, latest: dict[str, _Latest], paths: _Paths
) -> None:
    offset = 0
    lineno = 0
    unreadable: tuple[int, str] | None = None  # fatal unless it turns out to be the last line
    seen_content = False
    parse = parse_line
    decode_plain = None  # from BULK_LINES on: plain lines straight to records (plain_event)
    for raw in lines:
        lineno += 1
        if lineno == BULK_LINES:
            parse = bulk_parser()
            decode_plain = plain_line_decoder()
        if unreadable is not None:
            raise CorruptLogError(path, *unreadable)
        if raw[-1:] != b"\n":
            out.warnings.append(
                f"{path}:{lineno}: ignored a torn last line ({len(raw)} bytes without a newline; "
                f"the writer stopped mid-line)"
            )
            return
        offset += len(raw)
        if decode_plain is not None:
            try:
                record = decode_plain(raw)
            except ValueError:
                pass  # not a plain event line: the general path below says what it is
            else:
                # As below: a STARTED record waits for _build_events, anything else is built.
                latest[record.event_id] = (
                    record if record.status is _STARTED else plain_event(record, paths)
                )
                seen_content = True
                out.valid_end = offset
                continue
        try:
            obj = parse(raw)
        except (ValueError, RecursionError) as exc:
            if raw.strip():
                unreadable = (lineno, f"not valid JSON ({exc})")
            else:
                out.valid_end = offset  # blank lines are allowed
            continue
        if type(obj) is dict:
            event_id = obj.get("event_id")
            status = obj.get("status")
            if type(event_id) is str and type(status) is str and status in STATUSES:
                # Only an event's latest line counts, and the dict of a parsed line takes more
                # memory than its Event. A plain line that ends an event (it is usually the last
                # one) becomes its Event at once; a STARTED line, usually replaced a few lines
                # later, and any other line wait for _build_events.
                event = None if status == "STARTED" else line_event(obj, paths)
                # An existing key keeps its first-seen position.
                latest[event_id] = event if event is not None else (obj, lineno)
                if event is None and "children_ids" in obj:
                    # godel-py rewrote a parent with its whole list at each new child; a resume
                    # by godel then writes the parent's later lines without it: keep the last.
                    out.legacy_children[event_id] = obj["children_ids"]
            elif not seen_content and HEADER_KEY in obj:
                out.header = check_header(obj[HEADER_KEY], path, lineno)
            else:
                raise CorruptLogError(path, lineno, what_is_wrong(obj))
        else:
            raise CorruptLogError(path, lineno, f"a JSON {type(obj).__name__}, not an object")
        seen_content = True
        out.valid_end = offset
    if unreadable is not None:
        lineno, reason = unreadable
        out.warnings.append(f"{path}:{lineno}: ignored an unreadable last line ({reason})")


def what_is_wrong(obj: dict[str, Any]) -> str:
    if HEADER_KEY in obj:
        return "a log header after the first line"
    if "event_id" not in obj:
        return "no event_id"
    if type(obj["event_id"]) is not str:
        return f"event_id is not a string: {obj['event_id']!r}"
    return f"status {obj.get('status')!r} is not one of {', '.join(sorted(STATUSES))}"


def check_header(header: Any, path: Path, lineno: int) -> dict[str, Any]:
    """The header object of a log line (``{"godel_log": header}``), checked: ``CorruptLogError``
    when it is not one, ``LogFormatError`` when a newer godel wrote it."""
    if type(header) is not dict:
        raise CorruptLogError(path, lineno, "the header is not an object")
    fmt = header.get("format")
    if type(fmt) is not int or fmt < 1:
        raise CorruptLogError(
            path, lineno, f"the header's format {fmt!r} is not a positive integer"
        )
    if fmt > LOG_FORMAT_VERSION:
        raise LogFormatError(path, lineno, fmt)
    return header


# Reading lines fast -----------------------------------------------------------------------------
# Loading parses every line and builds an Event per event, so the per-line constant is what a
# resume, `show` and `tail` pay (a run of 10,000 steps is 10,000 lines). The functions below
# are fast paths for what godel itself writes; anything else takes the general path, which is
# the only one that decides what is wrong with a line, so errors read the same either way.

_scan_once = make_scanner(json.JSONDecoder())

BULK_LINES = 1_000
"""From this many lines on, a reader decodes with ``bulk_parser()``: msgspec's import (about
5 ms) is paid back after about 1,300 step lines, and most logs are shorter."""


def parse_line(raw: bytes | str) -> Any:
    """``json.loads(raw.decode())`` for one log line, with or without its newline.

    A line that is exactly one JSON value is parsed by the scanner ``json.loads`` uses, without
    the Python layers around it (about a microsecond per line). Anything else (leading
    whitespace, extra data, invalid JSON) goes through ``json.loads`` itself, so the result and
    the error are always the ones ``json.loads`` gives.
    """
    text = raw.decode() if type(raw) is bytes else raw
    try:
        obj, end = _scan_once(text, 0)
    except (StopIteration, ValueError, RecursionError):
        return json.loads(text)
    if end == len(text) or text[end:] == "\n":
        return obj
    return json.loads(text)


_bulk: Callable[[bytes | str], Any] | None = None


def bulk_parser() -> Callable[[bytes | str], Any]:
    """``parse_line`` for long logs: twice as fast a line, after a 5 ms import.

    Each line goes first to msgspec's JSON decoder (C, straight from the bytes: 3.0 µs against
    6.8 µs for ``json.loads`` on a 580-byte step line, so a 10,000-step log parses in 30 ms
    instead of 68). What it accepts it reads exactly as ``json.loads`` does (integers of any
    size, floats to the bit); what it would read otherwise it refuses (NaN, lone surrogates,
    invalid UTF-8, 1e400), and those lines, like invalid ones, go through ``parse_line``, so
    the result and the error are always ``json.loads``'s. ``tests/log/test_format.py`` holds
    the two to that with hypothesis.
    """
    global _bulk
    if _bulk is None:
        from msgspec.json import Decoder

        decode = Decoder().decode

        def parse(raw: bytes | str) -> Any:
            try:
                return decode(raw)
            except (ValueError, RecursionError):  # msgspec.DecodeError is a ValueError
                return parse_line(raw)

        _bulk = parse
    return _bulk


_plain: Callable[[bytes | str], Any] | None = None
_astuple: Callable[[Any], tuple[Any, ...]]  # msgspec's, bound with _plain


def plain_line_decoder() -> Callable[[bytes | str], Any]:
    """For long logs: ``decode(raw)``, a plain event line straight into a typed record, or
    ``ValueError`` for any other line (the header, a line with blobs, an odd type, invalid
    JSON), which then takes ``bulk_parser()`` and ``line_event``.

    Plain is what ``line_event`` takes and keeps as it is: exactly the 15 fields of
    ``LINE_KEYS``, of the types ``Event`` holds (a list, a dict, a parent id: present and not
    empty). msgspec checks that while it decodes, in C; ``plain_event`` then makes the
    ``Event``. A 10,000-step log: 47 -> 33 ms, against ``bulk_parser()`` and ``line_event``.
    """
    global _plain, _astuple
    if _plain is None:
        from typing import Annotated

        from msgspec import Meta, defstruct
        from msgspec.json import Decoder
        from msgspec.structs import astuple

        # Event's fields, in its order: plain_event passes them on as one tuple. Built from
        # types, not annotations: those would be read in this module's globals.
        plain_line = defstruct(
            "PlainLine",
            [
                ("event_id", str),
                ("run_id", Any),  # line_event does not check it (see _inconsistencies)
                ("seq", int),
                ("op", str),
                ("status", EventStatus),
                ("parent_id", Annotated[str, Meta(min_length=1)] | None),  # "": None in Events
                ("step_path", tuple[str, ...]),
                ("invocation_seq", int),
                ("step_local_seq", int),
                ("request_hash", str | None),
                ("request", dict[str, Any]),
                ("response", dict[str, Any] | None),
                ("ts_start", str | None),
                ("ts_end", str | None),
                ("stream_path", list[str]),
            ],
            forbid_unknown_fields=True,
        )
        _plain = Decoder(plain_line).decode
        _astuple = astuple
    return _plain


def plain_event(line: Any, paths: _Paths) -> Event:
    """The ``Event`` of a record from ``plain_line_decoder()``: what ``line_event`` builds from
    the same line."""
    # One tuple in C instead of fifteen attribute reads (10,000 events: 74M -> 56M instructions).
    event = Event(*_astuple(line))
    step = event.step_path
    if step:  # the same tuple for equal paths, as line_event does
        event.step_path = paths.setdefault(step, step)
    return event


# The fields of an event line, in the order godel writes them (``Event.to_dict``).
LINE_KEYS = (
    "event_id",
    "run_id",
    "seq",
    "parent_id",
    "step_path",
    "invocation_seq",
    "step_local_seq",
    "op",
    "request_hash",
    "request",
    "response",
    "status",
    "ts_start",
    "ts_end",
    "stream_path",
)
_line_values = itemgetter(*LINE_KEYS)
_NONE = type(None)
# Every combination of types of (seq, invocation_seq, step_local_seq, op, request_hash, parent_id,
# ts_start, ts_end, request, response, step_path, stream_path) that ``type_problem`` accepts and
# ``Event.from_dict`` keeps as it is.
_PLAIN_TYPES = frozenset(
    product(
        (int,),
        (int,),
        (int,),
        (str,),
        (str, _NONE),
        (str, _NONE),
        (str, _NONE),
        (str, _NONE),
        (dict, _NONE),
        (dict, _NONE),
        (list, _NONE),
        (list, _NONE),
    )
)


def line_event(obj: dict[str, Any], paths: _Paths) -> Event | None:
    """``Event.from_dict(obj)`` for a plain event line, or None when the line needs the general path.

    Plain means: exactly the fields godel writes (no blobs, nothing else) and values of the types
    ``type_problem`` accepts and ``Event.from_dict`` keeps as they are, so the result is what the
    general path would build. The caller has checked ``event_id`` and ``status``. ``paths`` holds
    the step paths seen so far: runs repeat a few of them thousands of times, and an interned path
    is checked once and stored once.
    """
    if len(obj) != len(LINE_KEYS):
        return None
    try:
        (
            event_id,
            run_id,
            seq,
            parent_id,
            step_path,
            invocation_seq,
            step_local_seq,
            op,
            request_hash,
            request,
            response,
            status,
            ts_start,
            ts_end,
            stream_path,
        ) = _line_values(obj)
    except KeyError:
        return None
    types = (
        type(seq),
        type(invocation_seq),
        type(step_local_seq),
        type(op),
        type(request_hash),
        type(parent_id),
        type(ts_start),
        type(ts_end),
        type(request),
        type(response),
        type(step_path),
        type(stream_path),
    )
    if types not in _PLAIN_TYPES:
        return None
    status = _STATUS_OF.get(status)
    step = _interned_path(step_path or (), paths)
    if status is None or step is None or (stream_path and not _all_str(stream_path)):
        return None
    return Event(
        event_id,
        run_id,
        seq,
        op,
        status,
        parent_id or None,
        step,
        invocation_seq,
        step_local_seq,
        request_hash,
        request or {},
        response,
        ts_start,
        ts_end,
        list(stream_path) if stream_path else [],
    )


def _interned_path(parts: list[str] | tuple[()], paths: _Paths) -> tuple[str, ...] | None:
    """``tuple(parts)``, the same object for equal paths; None unless every part is a string."""
    key = tuple(parts)
    try:
        known = paths.get(key)
    except TypeError:  # an unhashable part: not a string
        return None
    if known is None:
        if not _all_str(key):
            return None
        paths[key] = known = key
    return known


def _all_str(items: list[Any] | tuple[Any, ...]) -> bool:
    for item in items:
        if type(item) is not str:
            return False
    return True


# Types a line's fields must have when present; Event.from_dict trusts what it is given.
_OPTIONAL_TYPES: tuple[tuple[str, type], ...] = (
    ("op", str),
    ("request", dict),
    ("response", dict),
    ("request_hash", str),
    ("step_path", list),
    ("stream_path", list),
    ("parent_id", str),
    ("ts_start", str),
    ("ts_end", str),
)


def type_problem(obj: dict[str, Any]) -> str | None:
    if "op" in obj and obj["op"] is None:  # every event has an op: null is no more one than 123
        return "op is null, not a str"
    for key, expected in _OPTIONAL_TYPES:
        value = obj.get(key)
        if value is not None and not isinstance(value, expected):
            return f"{key} is a {type(value).__name__}, not a {expected.__name__}"
    for key in ("step_path", "stream_path"):
        value = obj.get(key)
        if value and not all(type(part) is str for part in value):
            return f"{key} holds something other than strings: {value!r}"
    return None


def _build_events(
    latest: dict[str, _Latest],
    paths: _Paths,
    store: EventStore,
    path: Path,
    out: LoadedLog,
    lazy_blobs: bool = False,
) -> list[Event]:
    events: list[Event] = []
    append = events.append
    for event_id, item in latest.items():
        if item.__class__ is tuple:
            obj, lineno = item
            item = line_event(obj, paths) or _checked_event(
                obj, lineno, event_id, store, path, out, lazy_blobs
            )
        elif item.__class__ is not Event:
            item = plain_event(item, paths)  # a STARTED record (plain_line_decoder)
        append(item)
    return events


def _checked_event(
    obj: dict[str, Any],
    lineno: int,
    event_id: str,
    store: EventStore,
    path: Path,
    out: LoadedLog,
    lazy_blobs: bool = False,
) -> Event:
    """The general case of ``line_event``: any line shape, blobs restored (or, ``lazy_blobs``,
    checked and left for ``BlobEvent``), problems diagnosed."""
    problem = type_problem(obj)
    if problem is not None:
        raise CorruptLogError(path, lineno, problem)
    blobs = obj.get("blobs")
    places = None
    if blobs is not None:
        try:
            if lazy_blobs:
                places, problems = check(obj, blobs, getattr(store, "check_blob", store.get_blob))
            else:
                problems = restore(obj, blobs, store.get_blob)
        except ValueError as exc:
            raise CorruptLogError(path, lineno, str(exc)) from None
        out.warnings.extend(f"{path}:{lineno}: event {event_id}: {p}" for p in problems)
        if problems:
            out.lost_blobs[event_id] = problems[0].removesuffix("; kept the preview")
    try:
        event = Event.from_dict(obj)
    except (ValueError, TypeError, OverflowError) as exc:
        raise CorruptLogError(path, lineno, str(exc)) from None
    return BlobEvent.of(event, places, store.get_blob) if places else event
