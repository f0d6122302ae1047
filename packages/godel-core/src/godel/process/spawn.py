"""Starting a child and watching it on the event loop: the two ways ``run_group`` can do it.

``DirectChild`` (Linux 5.3+): ``subprocess.Popen``, then the child's exit is watched through a
pidfd and its pipes through ``loop.add_reader``, all on the loop's own selector. asyncio's
subprocess transports (the fallback, ``AsyncioChild``) wait for each child on a new thread
(Python < 3.12) and wrap every pipe in a transport; measured here, that costs a few hundred
microseconds per command, more than everything godel records about it.

Both feed the same protocol object (``pipe_data_received`` / ``pipe_connection_lost`` /
``process_exited``, as ``asyncio.SubprocessProtocol``) and expose ``pid``, ``returncode``,
``feed_stdin`` and ``close``.
"""

from __future__ import annotations

import asyncio
import functools
import os
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

_READ_SIZE = 1 << 16
_SPOOL_POLL = 0.02  # seconds between reads of a spooled stdout (the live stream's latency)
# Off switch (tests of the fallback, or a kernel that misbehaves): GODEL_SPAWN=asyncio.
_FORCE_ASYNCIO = os.environ.get("GODEL_SPAWN", "").strip().lower() == "asyncio"


class ChildProtocol(Protocol):
    def pipe_data_received(self, fd: int, data: bytes) -> None: ...
    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None: ...
    def process_exited(self) -> None: ...


@functools.cache
def pidfd_supported() -> bool:
    """True where ``os.pidfd_open`` works (Linux 5.3+, and not refused by a sandbox)."""
    if _FORCE_ASYNCIO or not hasattr(os, "pidfd_open"):
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:
        return False
    return True


class DirectChild:
    """A child started with ``Popen`` and watched through its pidfd on the running loop."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        proto: ChildProtocol,
        argv: str | Sequence[str],
        *,
        shell: bool,
        cwd: str | None,
        env: Mapping[str, str] | None,
        stdin: int | None,
        preexec: Callable[[], None] | None,
        spool_stdout: bool = False,
    ) -> None:
        self._loop = loop
        self._proto = proto
        # A spooled stdout is an in-memory file (memfd: never on disk) that the child writes
        # and we read as it grows. Node programs (the agent CLIs) write to a pipe
        # asynchronously and drop what is still queued when they exit: behind a reader that
        # falls behind by more than the pipe's 64 KiB, claude lost its final result line.
        # Writes to a file are synchronous, so nothing is lost however slowly we read.
        self._spool = os.memfd_create("godel-stdout", os.MFD_CLOEXEC) if spool_stdout else -1
        self._spool_at = 0
        self._spool_timer: asyncio.TimerHandle | None = None
        # Synchronous, like asyncio's own spawn: nothing can cancel us half-way through it.
        self._popen = subprocess.Popen(
            argv,
            shell=shell,
            stdin=stdin,
            stdout=self._spool if spool_stdout else subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=env,
            start_new_session=True,
            preexec_fn=preexec,
            bufsize=0,
        )
        self.pid = self._popen.pid
        self.returncode: int | None = None
        self._fds: dict[int, int] = {}  # fd -> protocol fd number (1 stdout, 2 stderr)
        try:
            self._pidfd = os.pidfd_open(self.pid)
            for stream, number in ((self._popen.stdout, 1), (self._popen.stderr, 2)):
                if stream is None:  # the spooled stdout
                    self._spool_timer = loop.call_later(_SPOOL_POLL, self._read_spool)
                    continue
                fd = stream.fileno()
                os.set_blocking(fd, False)
                self._fds[fd] = number
                loop.add_reader(fd, self._readable, fd)
            loop.add_reader(self._pidfd, self._exited)
        except BaseException:
            self._popen.kill()
            self.close()
            raise
        self._stdin_data = memoryview(b"")

    # watching ----------------------------------------------------------------------------------
    def _readable(self, fd: int) -> None:
        try:
            data = os.read(fd, _READ_SIZE)
        except BlockingIOError:
            return
        except OSError:
            data = b""  # a broken pipe ends the stream like EOF does
        if data:
            self._proto.pipe_data_received(self._fds[fd], data)
            return
        number = self._fds.pop(fd)
        self._loop.remove_reader(fd)
        self._close_stream(number)
        self._proto.pipe_connection_lost(number, None)

    def _read_spool(self, *, last: bool = False) -> None:
        """Hand what the child appended to its spooled stdout to the protocol; at the end
        (``last``), close it as a pipe's EOF would."""
        self._spool_timer = None
        while True:
            data = os.pread(self._spool, _READ_SIZE, self._spool_at)
            if not data:
                break
            self._spool_at += len(data)
            self._proto.pipe_data_received(1, data)
        if last:
            os.close(self._spool)
            self._spool = -1
            self._proto.pipe_connection_lost(1, None)
        else:
            self._spool_timer = self._loop.call_later(_SPOOL_POLL, self._read_spool)

    def _exited(self) -> None:
        self._loop.remove_reader(self._pidfd)
        os.close(self._pidfd)
        self._pidfd = -1
        self._reap(0)
        if self._spool >= 0:
            if self._spool_timer is not None:
                self._spool_timer.cancel()
            self._read_spool(last=True)  # what the child wrote is all there: it has exited
        self._proto.process_exited()

    def _reap(self, flags: int) -> bool:
        try:
            pid, status = os.waitpid(self.pid, flags)
        except ChildProcessError:  # reaped by someone else (a SIGCHLD handler): exit code unknown
            pid, status = self.pid, 255 << 8
        if pid == 0:
            return False
        self.returncode = self._popen.returncode = os.waitstatus_to_exitcode(status)
        return True

    # stdin -------------------------------------------------------------------------------------
    def feed_stdin(self, data: bytes) -> None:
        """Write ``data`` to the child's stdin without blocking the loop, then close it."""
        self._stdin_data = memoryview(data)
        stdin = self._popen.stdin
        assert stdin is not None
        os.set_blocking(stdin.fileno(), False)
        if self._write_stdin():
            self._loop.add_writer(stdin.fileno(), self._stdin_writable)

    def _write_stdin(self) -> bool:
        """Write what the pipe takes; True if some is left for later."""
        stdin = self._popen.stdin
        assert stdin is not None
        try:
            while self._stdin_data:
                written = os.write(stdin.fileno(), self._stdin_data)
                self._stdin_data = self._stdin_data[written:]
        except BlockingIOError:
            return True
        except OSError:
            pass  # the child stopped reading (it exited, or closed stdin): the rest is not wanted
        self._stdin_data = memoryview(b"")
        stdin.close()
        return False

    def _stdin_writable(self) -> None:
        stdin = self._popen.stdin
        assert stdin is not None
        fd = stdin.fileno()
        if not self._write_stdin():
            self._loop.remove_writer(fd)

    # ending ------------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop watching and close every descriptor; reap the child later if it still runs."""
        loop = self._loop
        for fd, number in list(self._fds.items()):
            loop.remove_reader(fd)
            self._close_stream(number)
        self._fds.clear()
        stdin = self._popen.stdin
        if stdin is not None and not stdin.closed:
            loop.remove_writer(stdin.fileno())
            stdin.close()
        if getattr(self, "_pidfd", -1) >= 0:
            loop.remove_reader(self._pidfd)
            os.close(self._pidfd)
            self._pidfd = -1
        if getattr(self, "_spool", -1) >= 0:
            if self._spool_timer is not None:
                self._spool_timer.cancel()
            os.close(self._spool)
            self._spool = -1
        if self.returncode is None and not self._reap(os.WNOHANG):
            # Still running (run_group gave up waiting after SIGKILL): never leave a zombie.
            threading.Thread(target=self._reap, args=(0,), daemon=True, name="godel-reap").start()

    def _close_stream(self, number: int) -> None:
        stream = self._popen.stdout if number == 1 else self._popen.stderr
        if stream is not None:
            stream.close()


class AsyncioChild:
    """The same through ``loop.subprocess_exec`` / ``subprocess_shell`` (anywhere else)."""

    def __init__(self, transport: asyncio.SubprocessTransport) -> None:
        self._transport = transport
        self.pid = transport.get_pid()

    @classmethod
    async def spawn(
        cls,
        loop: asyncio.AbstractEventLoop,
        proto: Any,
        argv: str | Sequence[str],
        *,
        shell: bool,
        cwd: str | None,
        env: Mapping[str, str] | None,
        stdin: int | None,
        preexec: Callable[[], None] | None,
    ) -> AsyncioChild:
        extra = {"preexec_fn": preexec} if preexec is not None else {}
        if shell:
            transport, _ = await loop.subprocess_shell(
                lambda: proto,
                argv,
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=cwd,
                env=env,
                start_new_session=True,
                **extra,
            )
        else:
            transport, _ = await loop.subprocess_exec(
                lambda: proto,
                *argv,
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=cwd,
                env=env,
                start_new_session=True,
                **extra,
            )
        return cls(transport)

    @property
    def returncode(self) -> int | None:
        return self._transport.get_returncode()

    def feed_stdin(self, data: bytes) -> None:
        pipe = self._transport.get_pipe_transport(0)
        assert isinstance(pipe, asyncio.WriteTransport)
        pipe.write(data)
        pipe.close()  # flushes what is buffered, then closes: the child sees EOF

    def close(self) -> None:
        self._transport.close()
