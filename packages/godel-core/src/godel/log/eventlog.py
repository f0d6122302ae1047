"""The audit log of a run: ``EventLog``, the one object that writes and reads ``runs/<run_id>.jsonl``.

Every write method appends exactly one line carrying the event's full current state and updates
the in-memory view; nothing already written is ever rewritten, so the log grows linearly.
Children are derived from ``parent_id`` (in memory and on load), never stored. Large strings go
to a content-addressed sidecar (``godel.log.blobs``) and come back whole on load. Bytes, locking and
fsync policy are ``godel.log.store``'s; the line format and the reader are ``godel.log.format``'s.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from godel.exceptions import exception_message
from godel.log.blobs import BLOB_THRESHOLD, externalize
from godel.log.documented import DocumentedMethods
from godel.log.events import Event, EventStatus
from godel.log.files import check_run_id, list_run_ids, log_path
from godel.log.format import (
    LOG_FORMAT_VERSION,
    CorruptLogError,
    LoadedLog,
    LogFormatError,
    build_header,
    read_log,
)
from godel.log.ids import SHORT_LEN, IdIndex, IdLookupError, Stamper, new_id, resolve_id
from godel.log.jsontext import compact
from godel.log.line import head, quoted, request_text, tail
from godel.log.lock import RunLockedError
from godel.log.store import EventStore, JsonlStore, resolve_durability

if TYPE_CHECKING:
    from godel.log.redact import Redactor

__all__ = [
    "LOG_FORMAT_VERSION",
    "CorruptLogError",
    "EventLog",
    "IdLookupError",
    "LogFormatError",
    "ReadOnlyLogError",
    "RunLockedError",
    "list_run_ids",
    "log_path",
]

_encode = compact  # ensure_ascii stays on: lines are ASCII
_FINISHED = EventStatus.FINISHED
_FAILED = EventStatus.FAILED
_STARTED = EventStatus.STARTED


SYNC_SOON_DELAY = 0.05  # seconds; see EventLog.sync_soon


class ReadOnlyLogError(Exception):
    """A write was attempted on a log opened with ``EventLog.load`` (or already closed)."""


class EventLog(DocumentedMethods):
    """The audit log of one run, in memory and on disk.

    Get one with ``create`` (new run), ``open`` (append to an existing run; takes the run
    lock) or ``load`` (read-only snapshot; no lock). The method names godel-py documents
    (``all_events``, ``get_event``, ``emit_*``, ``get_full_payload``) are kept too
    (``godel.log.documented``).
    """

    def __init__(
        self,
        store: EventStore,
        run_id: str = "",
        runs_dir: Path | None = None,
        *,
        writable: bool = False,
        redactor: Redactor | None = None,
    ) -> None:
        if runs_dir is None or isinstance(store, str):
            # godel-py's EventLog(run_id, runs_dir): say what replaced it, not which argument
            # is missing (docs/migrating.md).
            raise TypeError(
                "EventLog(run_id, runs_dir) is godel-py's constructor: use "
                "EventLog.create(runs_dir, run_id) for a new log, EventLog.open(run_id, runs_dir) "
                "to append to one, or EventLog.load(run_id, runs_dir) to read one"
            )
        self.run_id = run_id
        self._run_text = quoted(run_id)
        self.runs_dir = runs_dir
        self.path = store.path
        self.run_dir = store.run_dir
        self.header: dict[str, Any] = {}
        self.warnings: list[str] = []
        # Events whose blob could not be read back (a preview stands in): never replayed.
        self.lost_blobs: dict[str, str] = {}
        self._store = store
        self._writable = writable
        self._closed = False
        self._can_write = writable  # writable and not closed, checked on every append
        self._events: list[Event] = []
        self._by_id: dict[str, Event] = {}
        # False for a run's writer (``keep_new_events(False)``): events it writes are not kept
        # in memory once written, and reads load the log back (see ``_view``).
        self._retain = True
        self._unkept = 0  # events written and not kept; while 0, memory holds them all
        self._transitions = 0  # state changes written (with _next_seq: has anything changed?)
        self._loaded_view: tuple[int, list[Event], dict[str, Event]] | None = None
        # (which events, the index of their ids) for ``resolve``; None for one lookup so far
        self._ids_seen: tuple[int, int] | None = None
        self._id_index: tuple[tuple[int, int], IdIndex] | None = None
        self._short_ids: set[str] = set()
        self._heads: dict[str, str] = {}  # encoded line heads of in-flight events
        self._next_seq = 0
        self._mutex = threading.Lock()
        self._stamper = Stamper()
        self._redactor: Redactor | None = None
        self._redact_json = None
        self._callables = False
        self._sync_pending = False  # a sync_soon() timer is set
        self._sync_error: OSError | None = None  # a failed deferred fsync, raised by the next write
        if writable:
            if redactor is None:
                # Here: a read-only log (show, tail, resume's plan) never loads the patterns.
                from godel.log.redact import default_redactor

                redactor = default_redactor()
            self.redactor = redactor

    @property
    def redactor(self) -> Redactor | None:
        """What every line passes through before it is written (``None`` on read-only logs)."""
        return self._redactor

    @redactor.setter
    def redactor(self, redactor: Redactor) -> None:
        self._redactor = redactor
        self._redact_json = redactor.redact_json if redactor.has_regex else None
        self._callables = bool(redactor.callables)

    # construction ----------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        runs_dir: str | Path | Any,
        run_id: str | None = None,
        *,
        header: dict | None = None,
        durability: str | None = None,
        redactor: Redactor | None = None,
    ) -> EventLog:
        """New run (``run_id`` defaults to a new ULID): takes the run lock, writes the header.

        ``runs_dir`` is a runs dir, or a ``godel.store.Store`` (its ``location``) for a run
        kept elsewhere (``open`` and ``load`` take one too).

        ``redactor`` (default: the built-in patterns, see ``godel.log.redact``) is applied to every
        event line. Raises ``FileExistsError`` if the log already exists, ``RunLockedError`` if
        another process holds the run.
        """
        run_id = check_run_id(run_id if run_id is not None else new_id())
        mode = resolve_durability(durability)
        header_obj = build_header(run_id, header, durability=mode)
        first_line = (_encode(header_obj) + "\n").encode("ascii")
        if hasattr(runs_dir, "run_store"):  # a godel.store.Store in the runs dir's place
            store = runs_dir.run_store(run_id, durability=mode)
        else:
            runs_dir = Path(runs_dir)
            store = JsonlStore(runs_dir, run_id, durability=mode)
        store.lock()
        try:
            store.create(first_line)
        except BaseException:
            store.release()
            raise
        log = cls(store, run_id, runs_dir, writable=True, redactor=redactor)
        log.header = header_obj["godel_log"]
        return log

    @classmethod
    def open(
        cls,
        run_id: str,
        runs_dir: str | Path | Any,
        *,
        durability: str | None = None,
        redactor: Redactor | None = None,
    ) -> EventLog:
        """An existing run, for appending (resume, rewind): takes the run lock, loads every event.

        Raises ``FileNotFoundError`` if there is no such log, ``RunLockedError`` if another live
        process holds it, ``CorruptLogError`` if a line before the last is unreadable. A torn
        last line is cut off (with a warning) so that appends keep the file valid JSONL.
        """
        mode = resolve_durability(durability)
        if hasattr(runs_dir, "run_store"):  # a godel.store.Store in the runs dir's place
            store = runs_dir.run_store(check_run_id(run_id), durability=mode)
            found = runs_dir.exists(run_id)
        else:
            runs_dir = Path(runs_dir)
            store = JsonlStore(runs_dir, check_run_id(run_id), durability=mode)
            found = store.path.is_file()
        if not found:
            raise FileNotFoundError(f"no audit log for run {run_id}: {store.path} does not exist")
        store.lock()
        try:
            loaded = read_log(store, run_id)
            foreign = next((p for p in loaded.problems if p[0] == "foreign"), None)
            if foreign is not None:
                # Appending would mix two runs' histories in one file: refuse.
                raise CorruptLogError(store.path, foreign[1], foreign[2])
            cut, kept = store.open_append(loaded.valid_end)
            if cut:
                loaded.warnings.append(
                    f"{store.path}: cut {cut} torn bytes off the end before appending "
                    f"(kept in {kept})"
                )
            if loaded.valid_end == 0 and not loaded.header:
                # Nothing survived, not even the header (a crash inside create): start it again.
                loaded.header = build_header(run_id)["godel_log"]
                store.append((_encode({"godel_log": loaded.header}) + "\n").encode("ascii"))
        except BaseException:
            store.release()
            raise
        log = cls(store, run_id, runs_dir, writable=True, redactor=redactor)
        log._adopt(loaded)
        return log

    @classmethod
    def load(cls, run_id: str, runs_dir: str | Path | Any, *, lazy_blobs: bool = False) -> EventLog:
        """A read-only snapshot (show, tail, runs list): no lock; write methods raise
        ``ReadOnlyLogError``. ``FileNotFoundError`` if there is no such log.

        ``lazy_blobs``: large strings stay in the sidecar until an event's request or response
        is read, and are read again at each read (``godel.log.blobs.BlobEvent``): for readers
        that go through the events one at a time (``show``, ``cost``), whose memory then does
        not grow with the blobs. The warnings about unreadable blobs are the same.
        """
        if hasattr(runs_dir, "run_store"):  # a godel.store.Store in the runs dir's place
            store = runs_dir.run_store(check_run_id(run_id), durability="none")
            if not runs_dir.exists(run_id):
                raise FileNotFoundError(
                    f"no audit log for run {run_id}: {store.path} does not exist"
                )
        else:
            runs_dir = Path(runs_dir)
            store = JsonlStore(runs_dir, check_run_id(run_id))
        try:
            loaded = read_log(store, run_id, lazy_blobs=lazy_blobs)
        except FileNotFoundError:
            raise FileNotFoundError(
                f"no audit log for run {run_id}: {store.path} does not exist"
            ) from None
        log = cls(store, run_id, runs_dir, writable=False)
        log._adopt(loaded)
        return log

    def _adopt(self, loaded: LoadedLog) -> None:
        self.header = loaded.header
        self.warnings = loaded.warnings
        self.lost_blobs = loaded.lost_blobs
        self._events = loaded.events
        self._by_id = {ev.event_id: ev for ev in loaded.events}
        if self._writable:  # only a writer makes ids (`_unique_id`)
            self._short_ids = {eid[-SHORT_LEN:] for eid in self._by_id}
        self._next_seq = loaded.next_seq

    # writing ---------------------------------------------------------------------------------
    def start(
        self,
        op: str,
        *,
        request: dict | None = None,
        step_path: Sequence[str] = (),
        parent_id: str | None = None,
        invocation_seq: int = 0,
        step_local_seq: int = 0,
        stream_path: list[str] | None = None,
        sync: bool = False,
        started_ns: int | None = None,
    ) -> Event:
        """Append a new STARTED event (new id, next seq, ``ts_start``, ``request_hash``).

        ``started_ns`` (``time.time_ns()``): when it began, if earlier than now (``ts_start``).
        """
        return self._new(
            op,
            request,
            None,
            _STARTED,
            step_path,
            parent_id,
            invocation_seq,
            step_local_seq,
            stream_path,
            sync,
            finished=False,
            started_ns=started_ns,
        )

    def record(
        self,
        op: str,
        *,
        request: dict | None = None,
        response: dict | None = None,
        status: EventStatus = _FINISHED,
        step_path: Sequence[str] = (),
        parent_id: str | None = None,
        invocation_seq: int = 0,
        step_local_seq: int = 0,
        stream_path: list[str] | None = None,
        sync: bool = False,
        started_ns: int | None = None,
    ) -> Event:
        """Append an event already in its final state: one line, ``ts_start == ts_end`` unless
        ``started_ns`` (``time.time_ns()``) says when it began."""
        return self._new(
            op,
            request,
            response,
            status,
            step_path,
            parent_id,
            invocation_seq,
            step_local_seq,
            stream_path,
            sync,
            finished=True,
            started_ns=started_ns,
        )

    def finish(
        self,
        event: Event,
        response: dict | None = None,
        *,
        status: EventStatus = _FINISHED,
        sync: bool = False,
    ) -> Event:
        """Set status (FINISHED unless given), response and ``ts_end``; append one line."""
        return self._transition(event, _status(status), response, True, self._stamper.now(), sync)

    def fail(
        self,
        event: Event,
        error: BaseException | str,
        *,
        error_type: str | None = None,
        response: dict | None = None,
        sync: bool = False,
        **fields: Any,
    ) -> Event:
        """Mark an event FAILED. The response defaults to the standard failure record
        ``{"error", "error_type", "step_path", **fields}``; give ``response`` or ``fields``, not both."""
        if response is not None and fields:
            raise TypeError("fail() takes either response= or failure fields, not both")
        if response is None:
            if error_type is None:
                error_type = (
                    type(error).__name__ if isinstance(error, BaseException) else "Exception"
                )
            response = {
                "error": exception_message(error) if isinstance(error, BaseException) else error,
                "error_type": error_type,
                "step_path": list(event.step_path),
            }
            for key in ("source_location", "remediation_hint"):
                value = getattr(error, key, "")
                if value and key not in fields:
                    response[key] = value
            response.update(fields)
        return self._transition(event, _FAILED, response, True, self._stamper.now(), sync)

    def set_status(
        self, event: Event, status: EventStatus, *, response: dict | None = None, sync: bool = False
    ) -> Event:
        """A later transition (INVALIDATED, SUSPENDED, ...); the response is kept unless given.

        ``ts_end`` keeps the time the event ended; it is set now if the event had not ended.
        """
        return self._transition(event, _status(status), response, response is not None, None, sync)

    def sync(self) -> None:
        """fsync the log (and blobs written since the last sync), per the durability policy."""
        with self._mutex:
            if self._writable and not self._closed:
                self._store.sync()

    def sync_soon(self) -> None:
        """Make what was written durable within ``SYNC_SOON_DELAY`` seconds, without waiting now.

        For the end of a side effect: its start was fsynced (so a crash can never hide that it
        ran); its end becomes durable with the next fsync, whichever comes first: the next side
        effect's start, the end of the run, or this timer on the running event loop. Outside
        an event loop it syncs at once.
        """
        if self._store.durability != "default" or not self._can_write:
            return  # "always" has synced the line already; "none" never syncs
        asyncio = sys.modules.get("asyncio")  # not imported by the commands that only read logs
        loop = None
        if asyncio is not None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                pass
        if loop is None:
            self.sync()
        elif not self._sync_pending:
            self._sync_pending = True
            loop.call_later(SYNC_SOON_DELAY, self._sync_later)

    def _sync_later(self) -> None:
        self._sync_pending = False
        try:
            self.sync()
        except OSError as exc:
            # Nobody is waiting on this callback: the next write raises it instead.
            self._sync_error = exc
            self._can_write = False

    @contextmanager
    def all_or_nothing(self) -> Iterator[None]:
        """Write what the block records as one append: every line of it, or none.

        For a change of many lines that must not be cut short: a rewind killed half-way left
        its target invalidated and the events after it live, and the same rewind again found
        its target done and did nothing. The file store writes the lines with one ``write``
        (cut back if it fails), the PostgreSQL store in one transaction. If the block raises,
        nothing of it is written and the log is closed: its events in memory hold states that
        never reached the store.
        """
        store = self._store
        if isinstance(store, _HeldLines):
            raise RuntimeError("all_or_nothing blocks do not nest")
        held = _HeldLines(store)
        self._store = held  # type: ignore[assignment]
        try:
            yield
            self._store = store
            if held.lines:
                append_lines = getattr(store, "append_lines", None)
                if append_lines is not None:
                    append_lines(held.lines, sync=held.sync)
                else:  # a store without it: a line at a time, as before
                    for line in held.lines:
                        store.append(line, sync=held.sync and line is held.lines[-1])
        except BaseException:
            self._store = store
            try:
                self.close()
            except OSError:
                pass
            raise

    def close(self) -> None:
        """fsync (unless durability is ``none``), close and release the run lock. Idempotent."""
        with self._mutex:
            if self._closed:
                return
            self._closed = True
            self._can_write = False
            if self._writable:
                self._store.close()

    def __enter__(self) -> EventLog:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        # A forgotten log must not keep its descriptor and run lock until the process exits.
        store = getattr(self, "_store", None)
        if (
            store is not None
            and getattr(self, "_writable", False)
            and not getattr(self, "_closed", True)
        ):
            try:
                store.release()
            except OSError:
                pass

    @property
    def durability(self) -> str:
        """The fsync policy in force: ``default``, ``always`` or ``none``."""
        return self._store.durability

    @property
    def writable(self) -> bool:
        """True until closed, for logs from ``create`` and ``open``."""
        return self._writable and not self._closed

    def _new(
        self,
        op: str,
        request: dict | None,
        response: dict | None,
        status: EventStatus,
        step_path: Sequence[str],
        parent_id: str | None,
        invocation_seq: int,
        step_local_seq: int,
        stream_path: list[str] | None,
        sync: bool,
        *,
        finished: bool,
        started_ns: int | None = None,
    ) -> Event:
        if request is None:
            request = {}
        text, request_hash = request_text(
            request
        )  # hashed in full, before any redaction or blob move
        if status.__class__ is not EventStatus:
            status = EventStatus(status)
        with self._mutex:
            if not self._can_write:
                self._refuse()
            event_id, now = self._unique_id()
            started = now if started_ns is None else self._stamper.at(started_ns)
            # Positional, in Event's field order: this is the hot path.
            event = Event(
                event_id,
                self.run_id,
                self._next_seq,
                op,
                status,
                parent_id,
                tuple(step_path),
                invocation_seq,
                step_local_seq,
                request_hash,
                request,
                response,
                started,
                now if finished else None,
                list(stream_path) if stream_path else [],
            )
            try:
                self._append(event, sync, text)
            except BaseException:
                self._short_ids.discard(event_id[-SHORT_LEN:])
                raise
            self._next_seq += 1
            if not self._retain:
                self._unkept += 1
            else:
                self._events.append(event)
                self._by_id[event_id] = event
                if parent_id is not None:
                    parent = self._by_id.get(parent_id)
                    if parent is not None:
                        parent.children_ids.append(event_id)
        return event

    def _transition(
        self,
        event: Event,
        status: EventStatus,
        response: dict | None,
        set_response: bool,
        ts_end: str | None,
        sync: bool,
    ) -> Event:
        with self._mutex:
            if not self._can_write:
                self._refuse()
            own = self._by_id.get(event.event_id)
            if own is None:
                if self._retain or event.run_id != self.run_id:
                    raise KeyError(f"event {event.event_id} is not in run {self.run_id}")
                own = event  # written by this writer, which did not keep it
            before = (own.status, own.response, own.ts_end)
            if ts_end is None and own.ts_end is None and status is not _STARTED:
                ts_end = self._stamper.now()
            own.status = status
            if set_response:
                own.response = response
            if ts_end is not None:
                own.ts_end = ts_end
            try:
                self._append(own, sync)
            except BaseException:
                own.status, own.response, own.ts_end = before
                raise
            self._transitions += 1
        return own

    def _append(self, event: Event, sync: bool, request: str | None = None) -> None:
        # A line is the event's fixed head (ids, identity, request) plus its changing tail
        # (response, status, times); see godel.log.line. The head of an in-flight event is
        # made once and reused for its terminal line: the request is usually the biggest part.
        # Secrets are redacted here, in the encoded text, so no byte of them reaches the file
        # (the request hash was computed on the full request, before this).
        redact = self._redact_json
        prefix = self._heads.pop(event.event_id, None)
        own = (
            prefix is not None or request is not None
        )  # started by this object, not read from disk
        if prefix is None:
            if self._callables:
                request = request_text(
                    _keep_ids(self._apply_callables(event.request), event.request)
                )[0]
            elif request is None:
                request = request_text(event.request)[0]
            if redact is not None and request != "{}":
                redacted = redact(request)
                if redacted is not request:
                    redacted = _keep_ids_text(redacted, event.request, _request_text)
                request = redacted
            prefix = head(event, request, self._run_text, own=own)
        response = event.response
        if response is None:
            response_text = "null"
        else:
            if self._callables:
                response = _keep_ids(self._apply_callables(response), event.response)
            response_text = _encode(response)
            # Quotes beyond the keys' own mean a string value: only then is there text to redact.
            if redact is not None and response_text.count('"') != 2 * len(response):
                redacted = redact(response_text)
                if redacted is not response_text:
                    redacted = _keep_ids_text(redacted, event.response, _encode)
                response_text = redacted
        text = prefix + tail(event, response_text, own=own)
        if len(text) <= BLOB_THRESHOLD:
            if event.status is _STARTED:
                self._heads[event.event_id] = prefix
            self._store.append((text + "\n").encode("ascii"), sync=sync)
            return
        # Only a line this long can hold a string worth moving to the sidecar. The strings are
        # redacted before they are moved, so the blobs and the previews hold no secret either.
        line = event.to_dict()
        if self._redactor is not None and self._redactor.active:
            line["request"] = _keep_ids(self._redact_value(line["request"]), event.request)
            line["response"] = _keep_ids(self._redact_value(line["response"]), event.response)
        moved = externalize(line, self._store.put_blob)
        if moved is not None:
            text = _encode(moved)
        self._store.append((text + "\n").encode("ascii"), sync=sync)

    def _apply_callables(self, value: Any) -> Any:
        assert self._redactor is not None
        failures: list[tuple[str, str]] = []
        return self._redactor.apply_callables(value, failures)

    def _redact_value(self, value: Any) -> Any:
        # Large lines only: callables on the strings, then the regexes on the value's encoding.
        assert self._redactor is not None
        return None if value is None else self._redactor.redact_object(value)

    def _unique_id(self) -> tuple[str, str]:
        # `show` prints short ids; a collision would make a printed id ambiguous.
        short_ids = self._short_ids
        while True:
            event_id, now = self._stamper.new_id_and_now()
            short = event_id[-SHORT_LEN:]
            if short not in short_ids:
                short_ids.add(short)
                return event_id, now

    def _refuse(self) -> None:
        if self._sync_error is not None:
            error, self._sync_error = self._sync_error, None
            self._can_write = not self._closed
            raise error
        if not self._writable:
            raise ReadOnlyLogError(
                f"run {self.run_id} was loaded read-only; use EventLog.open() to append to it"
            )
        if self._closed:
            raise ReadOnlyLogError(f"the log of run {self.run_id} is closed")

    # reading ---------------------------------------------------------------------------------
    def keep_new_events(self, keep: bool) -> None:
        """Whether events written from now on stay in memory (the default) for the reads below.

        A run's writer passes False: a run of 100,000 steps then holds about 20 MB instead of
        150 MB (an ``Event`` with its request, response and times is about 1.4 KB), and each
        step costs the same at any length. Reads then load the log back from the store (as
        ``EventLog.load`` does: secrets redacted, long strings as blob previews), each one
        O(events): they are for tools and tests, not for the engine's hot path.
        """
        self._retain = keep

    def _view(self) -> tuple[list[Event], dict[str, Event]]:
        if self._retain or not self._unkept:
            return self._events, self._by_id
        # Loaded again only after something was written since the last load.
        written = self._next_seq + self._transitions
        if self._loaded_view is None or self._loaded_view[0] != written:
            if self._can_write:
                self.sync()  # a store that batches lines (PostgreSQL) has them all readable
            events = read_log(self._store, self.run_id).events
            self._loaded_view = (written, events, {ev.event_id: ev for ev in events})
        return self._loaded_view[1], self._loaded_view[2]

    @property
    def events(self) -> list[Event]:
        """Every event in first-seen order, each in its latest state (a new list)."""
        return list(self._view()[0])

    def get(self, event_id: str) -> Event:
        """The event with this exact id (``KeyError`` if none)."""
        try:
            return self._view()[1][event_id]
        except KeyError:
            raise KeyError(f"no event {event_id} in run {self.run_id}") from None

    def children(self, event_id: str) -> list[Event]:
        """The events whose ``parent_id`` is ``event_id``, in seq order."""
        by_id = self._view()[1]
        if event_id not in by_id:
            raise KeyError(f"no event {event_id} in run {self.run_id}")
        return [by_id[child] for child in by_id[event_id].children_ids]

    def resolve(self, query: str) -> Event:
        """The event named by a full id, a unique prefix or a unique suffix (``IdLookupError``)."""
        by_id = self._view()[1]
        # One lookup scans the ids; a second one on the same events indexes them, so resolving
        # many ids (rewind --to with a thousand) is not a scan of every event for each.
        key = (id(by_id), len(by_id))
        if self._id_index is not None and self._id_index[0] == key:
            return by_id[self._id_index[1].resolve(query, what="event id")]
        if self._ids_seen != key:
            self._ids_seen = key
            return by_id[resolve_id(query, by_id, what="event id")]
        self._id_index = (key, IdIndex(by_id))
        return by_id[self._id_index[1].resolve(query, what="event id")]

    def __len__(self) -> int:
        return self._next_seq if not self._retain else len(self._events)

    def __iter__(self) -> Iterator[Event]:
        return iter(self._view()[0])

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._view()[1]

    def __repr__(self) -> str:
        mode = (
            "read-only" if not self._writable else ("closed" if self._closed else self.durability)
        )
        return f"<EventLog {self.run_id} events={len(self)} {mode}>"


# Godel's own identifiers in a request or a response, which resume reads back (an agent
# call's session, a step's source hash, the workflow's name): a pattern that happens to match
# part of one (a run of digits in a session's UUID) must not redact it, or the resumed call
# continues no session.
_IDS = frozenset({"session_id", "session_mode", "fork_of", "cursor", "source_hash", "function"})


def _keep_ids(redacted: Any, original: Any) -> Any:
    """``redacted`` (a request or response after redaction) with its top-level identifiers
    (``_IDS``) put back as they were in ``original``."""
    if isinstance(redacted, dict) and isinstance(original, dict) and not _IDS.isdisjoint(original):
        for key in _IDS.intersection(original):
            if isinstance(original[key], str) and redacted.get(key) != original[key]:
                redacted = {**redacted, key: original[key]}
    return redacted


def _keep_ids_text(text: str, original: Any, encode: Any) -> str:
    """``_keep_ids`` for an encoded request or response (re-encoded with ``encode``)."""
    if not isinstance(original, dict) or _IDS.isdisjoint(original):
        return text
    value = json.loads(text)
    kept = _keep_ids(value, original)
    return text if kept is value else encode(kept)


def _request_text(request: dict[str, Any]) -> str:
    return request_text(request)[0]


def _status(status: EventStatus | str) -> EventStatus:
    return status if status.__class__ is EventStatus else EventStatus(status)


class _HeldLines:
    """The store while ``EventLog.all_or_nothing`` runs: lines wait; blobs, syncs and the rest
    go through."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.lines: list[bytes] = []
        self.sync = False

    def append(self, line: bytes, *, sync: bool = False) -> None:
        self.lines.append(line)
        self.sync = self.sync or sync

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)
