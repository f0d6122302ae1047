"""The transcript: ``runs/<run_id>/transcript.jsonl``, a live, advisory stream of what a run shows.

Separate from the audit log and never read by replay. Line 1 is a header, every other line
one event::

    {"header": {"v": 1, "run_id": "...", "started_at": "..."}}
    {"event": {"ts": "...", "seq": 1, "op": "run.start", "step_path": [], "stream_path": ["..."], ...}}

Each line reaches the file with a single ``os.write`` (no Python buffering), so a reader that
tails the file sees whole lines, and a crash can only tear the last one. ``seq`` keeps
counting across resumes: reopening the file continues after the last event already in it.

When the file would grow past ``max_bytes`` (the configuration's ``transcript_max_bytes``,
10 MiB by default), it is rotated as godel-py rotated it: a ``rotate`` event closes it
(``last_seq``, and ``prev``: the archive before it, if any), the archives shift up
(``transcript.jsonl.1`` -> ``.2`` ...), the file becomes ``transcript.jsonl.1``, and a new file
starts with a header; ``seq`` goes on counting. ``transcript_files`` lists them oldest first.

Every event passes through the run's ``godel.log.redact.Redactor`` before it is encoded and
written: callables (``@workflow(redact=[fn])``) on the event's own fields in ``_redact``, the
regexes on the encoded line. The event's ``ts``, ``seq``, ``op``, ``step_path`` and
``stream_path`` are never redacted. A callable that fails replaces the whole event with a
``redactor.error`` event (``redactor``: its name, ``error_class``), never the text. An agent's
streamed text (``agent.response``/``agent.thought`` chunks) is held back until its line ends, so
that a secret streamed in pieces meets the patterns whole.

The transcript is advisory: a file that cannot be written (its directory deleted, a full disk)
is warned about once and its events are dropped; it never fails the run.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from godel.strict.privilege import privileged

if TYPE_CHECKING:
    from godel.log.redact import Redactor

__all__ = ["TRANSCRIPT_FORMAT_VERSION", "Transcript", "transcript_files"]

TRANSCRIPT_FORMAT_VERSION = 1

# How much to read per step when scanning backwards for the last event; doubled while a
# single line is longer than that, so a huge last line costs O(its length), not O(n^2).
_TAIL_BLOCK = 64 * 1024

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_dumps_ascii = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode

# The keys every event starts with; redaction leaves them alone.
_STRUCTURAL = ("ts", "seq", "op", "step_path", "stream_path")
# In an encoded event, the event's own fields come after this key's value.
_FIELDS_AFTER = '"stream_path":'
# Ops whose ``text`` streams in pieces (deltas): held back until a line ends (``write``).
_STREAMED = frozenset({"agent.response", "agent.thought"})
# At most this much streamed text is held per stream; past it, it is cut after a whitespace
# (a token-shaped secret has none), or anywhere when there is none.
_HOLD_MAX = 8192


def _line_cut(text: str, new: int) -> int:
    """How much of held streamed ``text`` can be written now: up to its last line end (only
    its last ``new`` characters are looked at: the rest had none)."""
    cut = text.rfind("\n", len(text) - new) + 1
    if not cut and len(text) > _HOLD_MAX:
        cut = max(text.rfind(" "), text.rfind("\t")) + 1 or len(text)
    return cut


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


class Transcript:
    """Appends events to one run's transcript file (thread-safe, line-atomic).

    The file and its directory are created on the first ``write``; an existing file is
    continued (its torn last line, if any, is cut off first).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        run_id: str,
        *,
        redactor: Redactor | None = None,
        max_bytes: int | None = None,
        sink: Callable[[bytes], None] | None = None,
        seq: int = 0,
    ) -> None:
        # ``sink``: where the encoded lines go instead of the file (a store's transcript rows,
        # godel.store); then ``seq`` is the last seq already stored, and nothing is rotated.
        self.path = Path(path)
        self._sink = sink
        self.run_id = run_id
        if max_bytes is None:
            from godel.config.load import load_config

            max_bytes = load_config().config.transcript_max_bytes
        self.max_bytes: int = max_bytes
        self._fd: int | None = None
        self._size = 0  # bytes in the current file
        self._events_here = False  # the current file holds an event (so it may be rotated)
        self._seq = seq
        self._closed = False
        self._lock = threading.Lock()
        if redactor is None:
            from godel.log.redact import default_redactor

            redactor = default_redactor()
        self.redactor = redactor
        # Streams (op, stream path) inside a PEM private key: output arrives a line at a time,
        # so the key's middle lines match no pattern on their own.
        self._in_pem: set[tuple[str, tuple[str, ...]]] = set()
        # Streamed text not written yet, per (op, stream path): (step path, text).
        self._held: dict[tuple[str, tuple[str, ...]], tuple[tuple[str, ...], str]] = {}
        self._warned = False

    @property
    def redactor(self) -> Redactor:
        """What every line passes through (replaced when a command brings new secrets)."""
        return self._redactor

    @redactor.setter
    def redactor(self, redactor: Redactor) -> None:
        self._redactor = redactor
        self._redact_json = redactor.redact_json if redactor.has_regex else None

    @property
    def seq(self) -> int:
        """The seq of the last event written (or found in the file when it was reopened)."""
        return self._seq

    def write(
        self,
        op: str,
        *,
        step_path: Sequence[str] = (),
        stream_path: Sequence[str] = (),
        **fields: Any,
    ) -> int:
        """Append one event and return the seq of the last event written. Raises ``RuntimeError``
        after ``close``.

        Streamed answer text (``agent.response``/``agent.thought`` deltas) is held back until
        its line ends, so that a secret streamed in pieces is redacted whole; what is held is
        written before the stream's next other event, ``WORKFLOW_FINISHED`` or ``close``.
        """
        with self._lock:
            if self._closed:
                raise RuntimeError(f"transcript {self.path} is closed")
            stream = tuple(stream_path)
            if op in _STREAMED and fields.keys() == {"text"} and self.redactor.active:
                text = fields["text"]
                if type(text) is str:
                    self._flush_held(stream, keep=op)
                    _, held = self._held.pop((op, stream), ((), ""))
                    text = held + text
                    cut = _line_cut(text, len(text) - len(held))
                    if cut < len(text):
                        self._held[(op, stream)] = (tuple(step_path), text[cut:])
                    if not cut:
                        return self._seq
                    fields = {"text": text[:cut]}
            elif self._held:
                self._flush_held(None if op == "WORKFLOW_FINISHED" else stream)
            return self._emit(op, step_path, stream, fields)

    def _flush_held(self, stream: tuple[str, ...] | None, keep: str | None = None) -> None:
        """Write the held text of ``stream`` (of every stream when None), but ``keep``'s."""
        for key in [k for k in self._held if stream is None or k[1] == stream]:
            if key[0] != keep:
                step_path, text = self._held.pop(key)
                self._emit(key[0], step_path, key[1], {"text": text})

    def _emit(
        self, op: str, step_path: Sequence[str], stream_path: Sequence[str], fields: dict[str, Any]
    ) -> int:
        fd = self._fd
        if fd is None and self._sink is None:
            try:
                fd = self._open()  # reopening a file sets the seq to its last event's
            except OSError as exc:
                self._lost(exc)
                return self._seq
        seq = self._seq + 1
        if self.redactor.builtin:
            line = fields.get("line")
            if type(line) is str and (self._in_pem or "-----" in line):
                fields["line"] = self._pem_line(op, stream_path, line)
            text = fields.get("text")
            if op in _STREAMED and type(text) is str and (self._in_pem or "-----" in text):
                fields["text"] = "".join(
                    self._pem_line(op, stream_path, ln[: len(ln.rstrip("\r\n"))])
                    + ln[len(ln.rstrip("\r\n")) :]
                    for ln in text.splitlines(keepends=True)
                )
        body = {
            "ts": _now(),
            "seq": seq,
            "op": op,
            "step_path": list(step_path),
            "stream_path": list(stream_path),
            **fields,
        }
        body = self._redact(body)
        data = _encode_line({"event": body}, self._redact_json)
        if self._sink is not None:
            self._sink(data)
            self._seq = seq
            return seq
        assert fd is not None
        try:
            if self._events_here and self._size + len(data) >= self.max_bytes:
                fd = self._rotate(fd)
            _write_all(fd, data)
        except OSError as exc:
            # The transcript is advisory (the audit log is the record): a file that cannot be
            # written (its directory deleted, a full disk) must not fail the run. Warn once,
            # drop the event and try the file again on the next one.
            self._lost(exc)
            return self._seq
        self._size += len(data)
        self._events_here = True
        self._seq = seq
        return seq

    def _lost(self, exc: OSError) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass
        if not self._warned:
            self._warned = True
            print(
                f"[godel] warning: the transcript {self.path} cannot be written "
                f"({exc.strerror or exc}): the run goes on, its transcript events are lost until it can",
                file=sys.stderr,
            )

    def _rotate(self, fd: int) -> int:
        """Close the full file with a ``rotate`` event, archive it as ``.1``, start a new one."""
        archives = _archives(self.path)
        prev = f"{self.path.name}.2" if archives else None
        sentinel = {
            "event": {
                "ts": _now(),
                "last_seq": self._seq,
                "op": "rotate",
                "step_path": [],
                "stream_path": [],
                "prev": prev,
            }
        }
        with privileged():
            _write_all(fd, _encode_line(sentinel))
            os.fsync(fd)
            os.close(fd)
            self._fd = None
            # At most MAX_ARCHIVES are kept (the oldest goes): bounded on disk, and in the
            # renames each rotation makes (godel-py kept every one: REFERENCE §17.4).
            for old in archives[MAX_ARCHIVES - 1 :]:
                os.unlink(old)
            for k in range(min(len(archives), MAX_ARCHIVES - 1), 0, -1):
                os.rename(_archive(self.path, k), _archive(self.path, k + 1))
            os.rename(self.path, _archive(self.path, 1))
        seq = self._seq
        fd = self._open()
        self._seq = seq  # a new file goes on counting
        return fd

    def _pem_line(self, op: str, stream_path: Sequence[str], line: str) -> str:
        """The line as written: a line inside a PEM private key is replaced whole."""
        from godel.log.redact import PEM_BEGIN, PEM_END

        key = (op, tuple(stream_path))
        if key in self._in_pem:
            if PEM_END.search(line):
                self._in_pem.discard(key)
            return "[REDACTED:pem]"
        begin = PEM_BEGIN.search(line)
        if begin is not None and not PEM_END.search(line, begin.end()):
            self._in_pem.add(key)  # the BEGIN line itself: the built-in pattern redacts it
        return line

    def _redact(self, body: dict[str, Any]) -> dict[str, Any]:
        """The one place every event body passes through before it is encoded.

        Applies the redactor's callables to the event's own fields (the regexes act on the
        encoded line afterwards). A subclass may override it to rewrite bodies further.
        """
        red = self.redactor
        if not red.callables:
            return body
        failures: list[tuple[str, str]] = []
        out = {
            k: (v if k in _STRUCTURAL else red.apply_callables(v, failures))
            for k, v in body.items()
        }
        if failures:
            # Never the text: an event that says which redactor failed, and how.
            name, error_class = failures[0]
            out = {k: body[k] for k in _STRUCTURAL if k in body}
            out.update(op="redactor.error", redactor=name, error_class=error_class)
        return out

    def close(self) -> None:
        """Flush the file to disk and close it; later writes raise ``RuntimeError``."""
        with self._lock:
            if self._closed:
                return
            if self._held:
                self._flush_held(None)
            self._closed = True
            fd, self._fd = self._fd, None
            if fd is not None:
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)

    def __enter__(self) -> Transcript:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Transcript({str(self.path)!r}, run_id={self.run_id!r}, seq={self._seq})"

    # opening ---------------------------------------------------------------------------------
    def _open(self) -> int:
        with privileged():  # strict mode's audit hook lets godel's own file I/O through here
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(
                self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0), 0o644
            )
            try:
                size = os.fstat(fd).st_size
                valid_end, last_seq = _scan_tail(fd, size) if size else (0, 0)
                if valid_end < size:
                    # A crash tore the last line: cut it so that the next line starts cleanly.
                    os.ftruncate(fd, valid_end)
                if valid_end == 0:
                    header = {
                        "header": {
                            "v": TRANSCRIPT_FORMAT_VERSION,
                            "run_id": self.run_id,
                            "started_at": _now(),
                        }
                    }
                    line = _encode_line(header)
                    _write_all(fd, line)
                    valid_end = len(line)
            except BaseException:
                os.close(fd)
                raise
        self._fd = fd
        self._size = valid_end
        self._events_here = last_seq > 0
        self._seq = max(last_seq, self._seq)
        return fd


def _encode_line(obj: dict[str, Any], redact: Any = None) -> bytes:
    text = _dumps(obj)
    if redact is not None:
        text = redact(text, after=_FIELDS_AFTER)
    try:
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates cannot be UTF-8: fall back to \u escapes, which any JSON reader takes.
        text = _dumps_ascii(obj)
        if redact is not None:
            text = redact(text, after=_FIELDS_AFTER)
        return (text + "\n").encode("ascii")


def _write_all(fd: int, data: bytes) -> None:
    # One write normally takes the whole line; loop only for the rare short write (huge lines).
    n = os.write(fd, data)
    while n < len(data):
        data = data[n:]
        n = os.write(fd, data)


def _scan_tail(fd: int, size: int) -> tuple[int, int]:
    """``(valid_end, last_seq)``: where the last complete line ends, and the last event's seq.

    Reads backwards from the end and stops at the first line that is an event with a seq, so
    reopening a long transcript reads only its tail.
    """
    segments = _segments_backwards(fd, size)
    tail_start, tail = next(segments)
    # The file ends with "\n" when the last segment is empty; anything else is a torn line.
    valid_end = tail_start if tail else size
    for _start, line in segments:
        seq = _event_seq(line)
        if seq is not None:
            return valid_end, seq
    return valid_end, 0


def _event_seq(line: bytes) -> int | None:
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    event = obj.get("event") if isinstance(obj, dict) else None
    seq = event.get("seq") if isinstance(event, dict) else None
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else None


def _segments_backwards(fd: int, end: int) -> Iterator[tuple[int, bytes]]:
    """Yield ``(offset, bytes)`` of the ``\\n``-separated segments of ``file[:end]``, last first."""
    buf = b""
    buf_start = end  # file offset of buf[0]
    hi = 0  # buf[:hi] is still unyielded
    block = _TAIL_BLOCK
    while True:
        k = buf.rfind(b"\n", 0, hi)
        if k >= 0:
            yield buf_start + k + 1, buf[k + 1 : hi]
            hi = k
            continue
        if buf_start == 0:
            yield 0, buf[:hi]
            return
        start = max(0, buf_start - block)
        chunk = os.pread(fd, buf_start - start, start)
        buf = chunk + buf[:hi]
        hi = len(buf)
        buf_start = start
        block *= 2


def _archive(path: Path, k: int) -> Path:
    return path.with_name(f"{path.name}.{k}")


MAX_ARCHIVES = 10
"""Rotated files kept beside the live transcript (``.1`` newest to ``.10``)."""


def _archives(path: Path) -> list[Path]:
    """The archives of ``path`` that exist, ``.1``, ``.2``, ... (newest first)."""
    found = []
    k = 1
    while _archive(path, k).exists():
        found.append(_archive(path, k))
        k += 1
    return found


def transcript_files(path: str | os.PathLike[str]) -> list[Path]:
    """A transcript's files in the order they were written: its archives, oldest first, then the
    live file (those that exist)."""
    live = Path(path)
    return [*reversed(_archives(live)), *([live] if live.exists() else [])]
