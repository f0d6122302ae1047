"""Stdout capture: ``@step(capture_stdout=True)`` and ``@workflow(capture_stdout=True)``.

While a capturing step or workflow body runs, file descriptor 1 is a pipe. A reader thread
copies every byte read from it to the original stdout at once (the terminal still shows
everything, partial lines and prompts included) and writes each complete line to the run's
transcript as a ``stdout`` event::

    {"op": "stdout", "step_path": [...], "stream_path": ["<capture id>"], "line": "..."}

(the same shape and ``line`` key as the lines of a ``run`` command). Being fd-level, it sees
Python's ``print``/``sys.stdout``, C extensions and child processes that inherit fd 1 alike.
``sys.stdout`` is flushed before fd 1 is swapped and before it is restored, and is line-buffered
meanwhile so that lines show up as they are printed; a ``sys.stdout`` that does not write to
fd 1 (a test runner's capture, a wrapper) is replaced, while capturing, by one that does.

Nesting: fd 1 belongs to the whole process, so there is one pipe at a time and a stack of
owners. A capture inside a capture (a ``capture_stdout`` step in a ``capture_stdout`` workflow, or
in another such step) takes the lines over until it ends, then hands them back; at each hand-over
the pipe is drained first, so every line is attributed to the owner that was current when it was
written. What cannot be attributed is two captures that run *concurrently* (two
``capture_stdout`` steps in different ``parallel`` branches): the second one raises
``ConfigError`` when it starts while the first is still capturing. Output of other concurrent
branches while a capture is on is attributed to the capturing step.

``GODEL_NO_CAPTURE=1`` turns capture off (output goes straight to stdout). Without a transcript
(``godel run --no-stream``, ``RunOptions(transcript=False)``) there is nothing to capture into,
and capture is off too. Text written to the transcript passes through the run's redactor like
any other event; the copy shown on the terminal is not redacted.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from godel.exceptions import ConfigError

if TYPE_CHECKING:
    from godel.engine.context import Frame, RunState

__all__ = ["NO_CAPTURE_ENV", "capture_disabled", "capturing"]

NO_CAPTURE_ENV = "GODEL_NO_CAPTURE"
_READ_SIZE = 65536
_SYNC_TIMEOUT = 1.0  # seconds to wait for the pipe to drain at a hand-over


def capture_disabled() -> bool:
    """True when ``GODEL_NO_CAPTURE`` is set to anything but ``""``/``0``."""
    return os.environ.get(NO_CAPTURE_ENV, "").strip() not in ("", "0")


class _Owner:
    """One capture scope: where its lines go and who may nest inside it."""

    __slots__ = ("frame", "partial", "run", "step_path", "stream_path", "write")

    def __init__(
        self,
        run: RunState,
        frame: Frame | None,
        step_path: tuple[str, ...],
        write: Callable[..., Any],
    ) -> None:
        from godel.log.ids import new_id

        self.run = run
        self.frame = frame  # None: the workflow body (every frame of the run is inside it)
        self.step_path = step_path
        self.stream_path = [new_id()]
        self.write = write
        self.partial = b""

    def contains(self, run: RunState, frame: Frame | None) -> bool:
        """True if a capture for ``frame`` of ``run`` runs inside this one (may nest in it)."""
        if run is not self.run:
            return False
        if self.frame is None:
            return True
        f = frame
        while f is not None:
            if f is self.frame:
                return True
            f = f.parent
        return False

    def emit(self, data: bytes) -> None:
        """Take bytes read from the pipe; write every complete line as an event."""
        data = self.partial + data
        *lines, self.partial = data.split(b"\n")
        for line in lines:
            self._event(line)

    def finish(self) -> None:
        """Write what is left of an unterminated last line."""
        if self.partial:
            line, self.partial = self.partial, b""
            self._event(line)

    def _event(self, line: bytes) -> None:
        text = line.decode("utf-8", "replace")
        if text.endswith("\r"):
            text = text[:-1]
        try:
            self.write("stdout", step_path=self.step_path, stream_path=self.stream_path, line=text)
        except (RuntimeError, OSError):
            pass  # the transcript is closed, or the disk refused: the terminal copy still went out


class _Tee:
    """fd 1 redirected into a pipe, read by a thread that copies to the old fd 1 and a sink."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sink: _Owner | None = None
        self._busy = False
        _flush_stdout()
        self._restore = os.dup(1)  # to give fd 1 back; the reader's copy below is its own
        self._saved = os.dup(1)
        read_fd, write_fd = os.pipe()
        try:
            os.dup2(write_fd, 1)
        except BaseException:
            for fd in (read_fd, write_fd, self._saved, self._restore):
                os.close(fd)
            raise
        os.close(write_fd)  # fd 1 is now the only write end this process holds
        self._read_fd = read_fd
        self._line_buffering = _set_line_buffering(True)
        # A sys.stdout that does not write to fd 1 (pytest's capture, a wrapper) would bypass the
        # pipe: print goes to fd 1 itself while capturing.
        self._replaced: tuple[Any, Any] | None = None
        if not _writes_fd1(sys.stdout):
            original = sys.stdout
            encoding = getattr(original, "encoding", None) or "utf-8"
            sys.stdout = open(
                1,
                "w",
                buffering=1,
                closefd=False,
                encoding=encoding,
                errors="backslashreplace",
            )
            self._replaced = (original, sys.stdout)
        self._thread = threading.Thread(
            target=self._reader, name="godel-capture-stdout", daemon=True
        )
        self._thread.start()

    def set_sink(self, owner: _Owner | None) -> None:
        self.drain()
        with self._lock:
            previous, self._sink = self._sink, owner
        if previous is not None and previous is not owner:
            previous.finish()

    def drain(self) -> None:
        """Wait until everything written to fd 1 so far has been read and dispatched."""
        _flush_stdout()
        deadline = time.monotonic() + _SYNC_TIMEOUT
        while True:
            with self._lock:
                if not self._busy and _pending(self._read_fd) == 0:
                    return
            if time.monotonic() > deadline or not self._thread.is_alive():
                return
            time.sleep(0.0005)

    def close(self) -> None:
        """Give fd 1 back. The reader records nothing more but keeps copying to the terminal
        until no writer is left (a background child may still hold the pipe), then exits."""
        self.set_sink(None)
        if self._replaced is not None:
            original, ours = self._replaced
            if sys.stdout is ours:
                sys.stdout = original
            ours.close()  # closefd=False: flushes, leaves fd 1 open
        else:
            _set_line_buffering(self._line_buffering)
        try:
            os.dup2(self._restore, 1)  # drops this process's write end: EOF once children let go
        finally:
            os.close(self._restore)

    def _reader(self) -> None:
        fd = self._read_fd
        wait = _waiter(fd)
        try:
            while True:
                wait()  # readable (data or EOF); only then busy, so that drain() can trust it
                with self._lock:
                    self._busy = True
                    sink = self._sink
                try:
                    data = os.read(fd, _READ_SIZE)
                except OSError:
                    data = b""
                if not data:
                    break
                _write_all(self._saved, data)
                if sink is not None:
                    try:
                        sink.emit(data)
                    except Exception:
                        pass
                with self._lock:
                    self._busy = False
        finally:
            with self._lock:
                self._busy = False
            os.close(fd)
            os.close(self._saved)


def _waiter(fd: int) -> Callable[[], object]:
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        return poller.poll
    return lambda: select.select([fd], [], [])


def _pending(fd: int) -> int:
    """Bytes waiting in the pipe (0 where the platform cannot tell)."""
    try:
        import fcntl
        import termios

        buf = bytearray(4)
        fcntl.ioctl(fd, termios.FIONREAD, buf)
        return int.from_bytes(buf, sys.byteorder)
    except (ImportError, OSError, AttributeError):
        return 0


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view) :]
    except OSError:
        pass  # the terminal went away: keep capturing into the transcript


def _flush_stdout() -> None:
    for stream in (sys.stdout, sys.__stdout__):
        if stream is not None:
            try:
                stream.flush()
            except (OSError, ValueError):
                pass


def _writes_fd1(stream: Any) -> bool:
    try:
        return stream is not None and stream.fileno() == 1
    except (AttributeError, OSError, ValueError):
        return False


def _set_line_buffering(on: bool) -> bool:
    """Make ``sys.stdout`` line-buffered (when it writes to fd 1); return the previous setting."""
    stream = sys.stdout
    try:
        if stream.fileno() != 1:
            return on
        previous = stream.line_buffering
        if previous != on:
            stream.reconfigure(line_buffering=on)
        return previous
    except (AttributeError, OSError, ValueError):
        return on


_lock = threading.Lock()
_stack: list[_Owner] = []
_tee: _Tee | None = None


@contextlib.contextmanager
def capturing(
    run: RunState, frame: Frame | None, step_path: tuple[str, ...] = ()
) -> Iterator[None]:
    """Capture fd 1 into ``run``'s transcript while the block runs (see the module docstring).

    ``frame`` is the capturing step's frame, or None for the whole workflow body. Raises
    ``ConfigError`` if another capture that this one is not nested in is active.
    """
    transcript = run.transcript
    if transcript is None or capture_disabled():
        yield
        return
    owner = _Owner(run, frame, step_path, transcript.write)
    _push(owner)
    try:
        yield
    finally:
        _pop(owner)


def _push(owner: _Owner) -> None:
    global _tee
    with _lock:
        if _stack:
            top = _stack[-1]
            if not top.contains(owner.run, owner.frame):
                where = "/".join(top.step_path) or "the workflow"
                raise ConfigError(
                    f"capture_stdout: step {'/'.join(owner.step_path)!r} would capture stdout while "
                    f"{where!r} is capturing it in a concurrent branch; fd 1 is shared by the whole process",
                    step_path=owner.step_path,
                    remediation_hint="don't run capture_stdout steps concurrently (parallel branches): "
                    "use capture_stdout on the enclosing step or @workflow instead, "
                    "or parallel(..., max_concurrency=1)",
                )
        if _tee is None:
            _tee = _Tee()
        _stack.append(owner)
        _tee.set_sink(owner)


def _pop(owner: _Owner) -> None:
    global _tee
    with _lock:
        tee = _tee
        if owner not in _stack or tee is None:
            return
        if _stack[-1] is owner:
            _stack.pop()
            if _stack:
                tee.set_sink(_stack[-1])
            else:
                _tee = None
                tee.close()
        else:  # ended out of order (a task outlived its parent): just forget it
            tee.drain()
            _stack.remove(owner)
            owner.finish()


def active() -> bool:
    """True while some capture is on (for tests)."""
    with _lock:
        return bool(_stack)
