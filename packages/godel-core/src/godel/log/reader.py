"""Reading an audit log incrementally: ``LogReader``, which ``tail`` and the run summary use.

It reads in fixed-size chunks and keeps only a partial last line between reads, so its memory
does not depend on the length of the log. Values that the writer moved to the blob sidecar
arrive as their preview strings (``... [godel: N chars in blobs/<sha256>]``); load the run with
``EventLog.load`` for full values.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from godel.log.events import Event, EventStatus, Op
from godel.log.files import check_run_id, list_run_ids, log_path, resolve_runs_dir
from godel.log.format import (
    BULK_LINES,
    HEADER_KEY,
    STATUSES,
    CorruptLogError,
    bulk_parser,
    check_header,
    line_event,
    parse_line,
    plain_event,
    plain_line_decoder,
    type_problem,
    what_is_wrong,
)
from godel.log.ids import IdLookupError, resolve_id

__all__ = ["CHUNK_SIZE", "LogReader", "Warn", "find_log", "read_batches"]

CHUNK_SIZE = 64 * 1024
# Unreadable lines warned about one by one; the rest are counted (a log of a million bad lines
# must not print a million warnings).
MAX_LINE_WARNINGS = 10
_MAX_PATHS = 1024  # interned step paths kept between chunks (a run has few distinct ones)

Warn = Callable[[str], None]


def _log_warning(text: str) -> None:
    """The default ``Warn``: the ``godel.tail`` logger. logging is imported only when there is
    something to warn about (``show`` and ``tail`` start faster without it)."""
    import logging

    logging.getLogger("godel.tail").warning(text)


class LogReader:
    """Reads ``<run_id>.jsonl`` from where it left off, one chunk at a time.

    Only complete lines are parsed; a partial last line waits in a buffer for the rest of it.
    The header line is checked (a newer format raises ``LogFormatError``) and kept in
    ``header``. Lines are validated by the same rules as ``EventLog.load``. An unreadable line
    is skipped with one warning, or, with ``strict=True``, raises ``CorruptLogError`` as soon
    as a line follows it (an unreadable *last* line is a torn write and only warned about).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        strict: bool = False,
        on_warning: Warn | None = None,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        self.path = Path(path)
        self.strict = strict
        self.header: dict[str, Any] = {}
        self.lineno = 0
        self.position = 0  # bytes consumed from the file, the buffered partial line included
        self._warn = on_warning or _log_warning
        self._chunk = chunk_size
        self._f: Any = None
        self._ino: int | None = None
        # The partial last line, as the chunks that hold it: joined once its newline arrives, so a
        # line of many chunks costs linear time (appending to one bytes object would copy it
        # again for every chunk: 17 s for a 50 MB line).
        self._parts: list[bytes] = []
        self._partial_len = 0
        self._pending: tuple[int, str] | None = (
            None  # strict: an unreadable line, fatal if not last
        )
        self._paths: dict[tuple[str, ...], tuple[str, ...]] = {}  # see logformat.line_event
        self._skipped = 0  # unreadable lines skipped so far (non-strict)
        # godel-py 3.x logs: child id -> parent id from ``children_ids`` (till the child ends),
        # and the events in flight whose STARTED line was given (see ``_godel_py_line``).
        self._legacy_parents: dict[str, str] = {}
        self._legacy_started: set[str] = set()
        # ...and for an event in no ``children_ids`` (an agent call), the workflow and the last
        # step started at each step path (``format._adopt_legacy_orphans``).
        self._legacy_root: str | None = None
        self._legacy_steps: dict[tuple[str, ...], str] = {}
        self._legacy_above: dict[str, str | None] = {}  # a step -> what was above it then

    # opening ---------------------------------------------------------------------------------
    def open(self) -> bool:
        """Open the file (True), or False if it does not exist yet."""
        if self._f is not None:
            return True
        try:
            self._f = open(self.path, "rb", buffering=0)
        except FileNotFoundError:
            return False
        self._ino = os.fstat(self._f.fileno()).st_ino
        return True

    def close(self) -> None:
        """Close the file (idempotent)."""
        f, self._f = self._f, None
        if f is not None:
            f.close()

    def __enter__(self) -> LogReader:
        if not self.open():
            raise FileNotFoundError(f"no audit log at {self.path}")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # reading ---------------------------------------------------------------------------------
    def read_chunk(self) -> list[Event] | None:
        """The events of the complete lines in the next chunk; None at the end of the file
        (an empty list when a chunk held no complete event line)."""
        if self._f is None and not self.open():
            return None
        data = self._f.read(self._chunk)
        if not data:
            return None
        self.position += len(data)
        cut = data.rfind(b"\n") + 1
        if not cut:
            self._parts.append(data)
            self._partial_len += len(data)
            return []
        if self._parts:
            self._parts.append(data[:cut])
            data, rest = b"".join(self._parts), data[cut:]
            cut = len(data)
        else:
            rest = data[cut:]
        self._parts = [rest] if rest else []
        self._partial_len = len(rest)
        return self._parse_lines(data[:cut].split(b"\n")[:-1])

    def finish(self) -> None:
        """At the end of the reading: warn about a torn last line and a trailing unreadable one."""
        if self._pending is not None:
            lineno, reason = self._pending
            self._pending = None
            self._warn(f"{self.path}:{lineno}: ignored an unreadable last line ({reason})")
        if self._skipped > MAX_LINE_WARNINGS:
            self._warn(f"{self.path}: skipped {self._skipped} unreadable lines in all")
        if any(part.strip() for part in self._parts):
            self._warn(
                f"{self.path}:{self.lineno + 1}: ignored a torn last line ({self._partial_len} "
                f"bytes without a newline; the writer stopped mid-line)"
            )
        self._drop_partial()

    def _drop_partial(self) -> None:
        self._parts = []
        self._partial_len = 0

    @property
    def has_partial(self) -> bool:
        """True while part of a line is buffered, waiting for its newline."""
        return bool(self._partial_len)

    def replaced(self) -> str | None:
        """Why the file must be read again from the start (it was replaced, removed or cut
        shorter than what was read), or None. A torn line cut off by a resuming writer is
        not a reason: the buffered part is simply dropped."""
        if self._f is None:
            return None
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return "the log was removed"
        if st.st_ino != self._ino:
            return "the log was replaced"
        complete = self.position - self._partial_len
        if st.st_size < complete:
            return "the log was truncated"
        if self._partial_len and (st.st_size < self.position or not self._partial_still_there()):
            # `EventLog.open` cut a torn last line before appending (and may have appended
            # already): forget our copy of it and read on from where the last whole line ended.
            self._drop_partial()
            self.position = complete
            self._f.seek(complete)
        return None

    def _partial_still_there(self) -> bool:
        """Whether the file still holds the part of a line we buffered (a live writer only ever
        adds to its line; a resume cuts a torn one and writes new lines in its place)."""
        complete = self.position - self._partial_len
        try:
            there = os.pread(self._f.fileno(), self._partial_len, complete)
        except (OSError, AttributeError):  # no pread (a store's reader has no file)
            return True
        return there == b"".join(self._parts)

    def reopen(self) -> None:
        """Start again from the beginning of the file (after ``replaced``)."""
        self.close()
        self.header = {}
        self.lineno = 0
        self.position = 0
        self._drop_partial()
        self._pending = None
        self._skipped = 0
        self._legacy_parents.clear()
        self._legacy_started.clear()
        self._legacy_root = None
        self._legacy_steps.clear()
        self._legacy_above.clear()

    def _parse_lines(self, lines: list[bytes]) -> list[Event]:
        events: list[Event] = []
        append = events.append
        bulk = self.lineno + len(lines) >= BULK_LINES
        parse = bulk_parser() if bulk else parse_line
        decode_plain = plain_line_decoder() if bulk else None  # see _scan in godel.log.format
        paths = self._paths
        if len(paths) > _MAX_PATHS:
            paths.clear()  # keep the memory of a long tail bounded
        for raw in lines:
            self.lineno += 1
            if self._pending is not None:
                lineno, reason = self._pending
                raise CorruptLogError(self.path, lineno, reason)
            if decode_plain is not None:
                try:
                    record = decode_plain(raw)
                except ValueError:
                    pass  # not a plain event line: the general path below
                else:
                    append(plain_event(record, paths))
                    continue
            try:
                obj = parse(raw)
            except (ValueError, RecursionError) as exc:
                if raw.strip():
                    self._bad(f"not valid JSON ({exc})")
                continue
            if type(obj) is dict:
                status = obj.get("status")
                if type(obj.get("event_id")) is str and type(status) is str and status in STATUSES:
                    event = line_event(obj, paths)
                    if event is not None:
                        append(event)
                        continue
                    problem = type_problem(obj)
                    if problem is not None:
                        self._bad(problem)
                        continue
                    try:
                        event = Event.from_dict(obj)
                    except (ValueError, TypeError, OverflowError) as exc:
                        self._bad(str(exc))
                        continue
                    if "children_ids" in obj and not self._godel_py_line(event, obj):
                        continue
                    append(event)
                    continue
                if self.lineno == 1 and HEADER_KEY in obj:
                    self.header = check_header(obj[HEADER_KEY], self.path, self.lineno)
                    continue
                self._bad(what_is_wrong(obj))
            else:
                self._bad(f"a JSON {type(obj).__name__}, not an object")
        return events

    def _godel_py_line(self, event: Event, obj: dict[str, Any]) -> bool:
        """Read a line of a godel-py 3.x log, which names children, not a parent: give
        ``event`` its parent; False for a line that only added a child to an event in flight
        (godel-py rewrote the parent each time: it is no new state of it)."""
        event_id = event.event_id
        parents = self._legacy_parents
        started = self._legacy_started
        if event.status is not EventStatus.STARTED:
            if event_id not in started:
                self._legacy_new(event)  # its first line
            if event.parent_id is None:
                event.parent_id = parents.get(event_id) or self._legacy_orphan(event)
            parents.pop(event_id, None)  # its lines are all read: memory stays bounded
            self._legacy_above.pop(event_id, None)
            started.discard(event_id)
            return True
        children = obj["children_ids"]  # only an event in flight gains children
        if type(children) is list:
            for child in children:
                if type(child) is str and child != event_id:
                    parents.setdefault(child, event_id)
        first = event_id not in started
        if first:
            self._legacy_new(event)
        if event.parent_id is None:
            event.parent_id = parents.get(event_id) or self._legacy_orphan(event)
        if not first:
            return False
        started.add(event_id)
        return True

    def _legacy_new(self, event: Event) -> None:
        """Note the workflow and the last step started at each step path (in file order)."""
        if event.op == Op.WORKFLOW_STARTED:
            self._legacy_root = self._legacy_root or event.event_id
        elif event.op == Op.STEP_ENTER:
            self._legacy_above[event.event_id] = self._legacy_step(tuple(event.step_path)[:-1])
            self._legacy_steps[tuple(event.step_path)] = event.event_id

    def _legacy_step(self, path: tuple[str, ...]) -> str | None:
        return self._legacy_steps.get(path) if path else self._legacy_root

    def _legacy_orphan(self, event: Event) -> str | None:
        """The parent of a godel-py event no ``children_ids`` named: the step it ran in (the
        last one of its step path started before it), the workflow at the top level."""
        if event.op == Op.WORKFLOW_STARTED:
            return None
        if event.op == Op.STEP_ENTER:
            return self._legacy_above.get(event.event_id)
        return self._legacy_step(tuple(event.step_path))

    def _bad(self, reason: str) -> None:
        if self.strict:
            self._pending = (self.lineno, reason)
            return
        self._skipped += 1
        if self._skipped > MAX_LINE_WARNINGS + 1:
            return
        more = "; more are skipped without a warning" if self._skipped > MAX_LINE_WARNINGS else ""
        self._warn(f"{self.path}:{self.lineno}: skipped an unreadable line ({reason}){more}")


def find_log(run_id: str, runs_dir: str | os.PathLike[str] | None = None) -> Path | None:
    """The log of ``run_id``: the exact file if it exists, else the one run whose id has
    ``run_id`` as a unique prefix or suffix; None if nothing matches yet.
    ``IdLookupError`` if ``run_id`` is ambiguous."""
    directory = resolve_runs_dir(runs_dir)
    if hasattr(directory, "run_store"):  # a godel.store.Store: no path; tail reads it itself
        raise TypeError("find_log takes a runs dir, not a store")
    exact = log_path(directory, check_run_id(run_id))
    if exact.is_file():
        return exact
    try:
        return log_path(directory, resolve_id(run_id, list_run_ids(directory), what="run id"))
    except IdLookupError as exc:
        if exc.candidates:
            raise
        return None


def read_batches(
    path: str | os.PathLike[str], *, on_warning: Warn | None = None
) -> Iterator[list[Event]]:
    """What ``tail_batches`` yields with ``follow=False``, for the log at ``path``, without an
    event loop: the events of each chunk (never an empty list), then the end-of-log warnings.
    A log that does not exist (any more) yields nothing."""
    reader = LogReader(path, on_warning=on_warning or _log_warning)
    try:
        while True:
            events = reader.read_chunk()
            if events is None:
                reader.finish()
                return
            if events:
                yield events
    finally:
        reader.close()
