"""One child process group, from spawn until nothing in it is left running (used by ``run``).

The child leads a new session and process group, registered with ``godel.process.reaper`` for as long
as it may have live members. ``run_group`` returns only when the group is empty: the command
exited and anything it left behind in its group was terminated, or -- on timeout,
cancellation or a failing line sink -- the whole group got SIGTERM, then SIGKILL after
``reaper.KILL_GRACE`` seconds.

Output arrives in protocol callbacks (``godel.process.spawn``: a pidfd and the loop's own selector on
Linux, asyncio's subprocess protocol API elsewhere) rather than through ``anyio.open_process``
or ``asyncio.create_subprocess_exec``: there is no StreamReader, no reader task and no per-chunk
task wake-up, and we split lines ourselves, without a line-length limit. godel runs on anyio's
asyncio backend; shielding uses anyio cancel scopes, so task groups, ``move_on_after`` and step
timeouts cancel a command.
"""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import anyio

from godel.process import reaper
from godel.process.spawn import AsyncioChild, DirectChild, pidfd_supported
from godel.strict.privilege import privileged

# After the main process exits, how long its pipes may stay open (data in flight) before we
# stop waiting for them: whatever still holds them was left behind, and gets killed.
DRAIN_GRACE = 1.0
# After a SIGKILL, how long to wait for the leader to be reaped and the pipes to close.
AFTER_KILL = 2.0

LineSink = Callable[[bytes], None]


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a command ended: its exit code (None if it timed out) and all it wrote."""

    returncode: int | None
    stdout: bytes
    stderr: bytes


async def run_group(
    argv: str | Sequence[str],
    *,
    shell: bool,
    cwd: str | None,
    env: Mapping[str, str] | None,
    stdin: bytes | None,
    inherit_stdin: bool,
    timeout: float | None,
    out_sink: LineSink | None,
    err_sink: LineSink | None,
    die_with_parent: bool = False,
    spool_stdout: bool = False,
) -> Outcome:
    """Run a command in its own process group and wait until the group is gone.

    ``argv`` is a shell command line when ``shell`` is true. Output lines go to the sinks as
    they arrive. Raises ``OSError`` if the command cannot start; re-raises cancellation and
    whatever a sink raised, after the group was killed.

    ``die_with_parent`` (Linux): the child gets SIGTERM if godel itself dies, even by SIGKILL,
    when no handler can run. Used for agent CLIs, which would otherwise go on working (and
    spending) unobserved; it costs a fork instead of a vfork, so plain commands do without.

    ``spool_stdout``: the child writes stdout to an in-memory file that is read as it grows
    instead of a pipe (``godel.process.spawn.DirectChild``): agent CLIs (Node) lose output
    queued for a pipe when they exit. Where pidfds are missing it is a pipe as before.
    """
    loop = asyncio.get_running_loop()
    proto = _Pipes(loop, out_sink, err_sink)
    stdin_arg = (
        subprocess.PIPE if stdin is not None else (None if inherit_stdin else subprocess.DEVNULL)
    )
    preexec = _parent_death_signal() if die_with_parent else None
    child: DirectChild | AsyncioChild
    if pidfd_supported():
        with privileged():  # synchronous: nothing can cancel it half-way
            child = DirectChild(
                loop,
                proto,
                argv,
                shell=shell,
                cwd=cwd,
                env=env,
                stdin=stdin_arg,
                preexec=preexec,
                spool_stdout=spool_stdout,
            )
    else:
        # Shielded: the child exists as soon as the spawn begins, but we learn its pid only once
        # the pipes are connected. Cancelled in between, asyncio would kill the leader alone and
        # leave whatever it already started; a pending cancellation instead reaches us at the
        # next await, when the group is registered and can be killed whole.
        with privileged(), anyio.CancelScope(shield=True):
            child = await AsyncioChild.spawn(
                loop, proto, argv, shell=shell, cwd=cwd, env=env, stdin=stdin_arg, preexec=preexec
            )
    pgid = child.pid
    reaper.register(pgid)
    timed_out = False
    try:
        if stdin is not None:
            child.feed_stdin(stdin)
        try:
            await proto.supervise(timeout)
        except _TimedOut:
            timed_out = True
    except BaseException:
        # Cancelled (a sibling failed, a step timeout, Ctrl+C) or a line sink raised: kill the
        # group and reap it although our own scope is being cancelled, then re-raise.
        try:
            with anyio.CancelScope(shield=True):
                await _stop(proto, pgid)
        finally:
            child.close()
        raise
    try:
        if timed_out or reaper.group_alive(pgid):
            # Timed out, or the main process exited and left something running in its group.
            with anyio.CancelScope(shield=True):
                await _stop(proto, pgid)
        else:
            reaper.unregister(pgid)
    finally:
        child.close()
    if proto.error is not None:
        raise proto.error  # a sink failed while the last output was collected
    return Outcome(
        None if timed_out else child.returncode, b"".join(proto.out), b"".join(proto.err)
    )


_PR_SET_PDEATHSIG = 1


@functools.cache
def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    # godel's own native call: strict mode refuses ctypes lookups to workflow code, and this
    # runs in the workflow's context (a refusal would be an OSError, silently losing the signal).
    with privileged():
        import ctypes

        try:
            return ctypes.CDLL(None, use_errno=True).prctl  # type: ignore[no-any-return]
        except (OSError, AttributeError):
            return None


def _parent_death_signal() -> Callable[[], None] | None:
    """A preexec function asking Linux to SIGTERM the child when godel dies (None elsewhere)."""
    prctl = _prctl()
    if prctl is None:
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # godel died before the request took effect
            os._exit(1)

    return preexec


class _TimedOut(Exception):
    pass


class _Pipes(asyncio.SubprocessProtocol):
    """Collects a child's output and exit; splits lines for the sinks as data arrives."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, out_sink: LineSink | None, err_sink: LineSink | None
    ) -> None:
        self.loop = loop
        self.out: list[bytes] = []
        self.err: list[bytes] = []
        self.open_pipes = 2  # stdout, stderr
        self.exited = False
        self.error: BaseException | None = None
        self._chunks: tuple[list[bytes], ...] = ([], self.out, self.err)  # by fd; fd 0 gets no data
        self._sinks: list[LineSink | None] = [None, out_sink, err_sink]
        self._partial = (bytearray(), bytearray(), bytearray())
        self._waiter: asyncio.Future[None] | None = None

    # protocol callbacks ------------------------------------------------------------------------
    def pipe_data_received(self, fd: int, data: bytes) -> None:
        self._chunks[fd].append(data)
        sink = self._sinks[fd]
        if sink is None:
            return
        partial = self._partial[fd]
        try:
            nl = data.find(b"\n")
            if nl < 0:
                partial += data  # bytearray: a long line grows in amortised O(1) per chunk
                return
            if partial:
                sink(bytes(partial) + data[:nl])
                partial.clear()
            else:
                sink(data[:nl])
            start = nl + 1
            nl = data.find(b"\n", start)
            while nl >= 0:
                sink(data[start:nl])
                start = nl + 1
                nl = data.find(b"\n", start)
            if start < len(data):
                partial += data[start:]
        except BaseException as exc:
            self._sink_failed(exc)

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        if fd == 0:
            return  # stdin closed, or the child stopped reading it: not the end of anything
        sink = self._sinks[fd]
        partial = self._partial[fd]
        if sink is not None and partial:
            try:
                sink(bytes(partial))  # a last line without a newline is still a line
            except BaseException as err:
                self._sink_failed(err)
        partial.clear()
        self.open_pipes -= 1
        self._wake()

    def process_exited(self) -> None:
        self.exited = True
        self._wake()

    # waiting -----------------------------------------------------------------------------------
    def _sink_failed(self, exc: BaseException) -> None:
        if self.error is None:
            self.error = exc
        self._sinks = [None, None, None]
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self, until: float | None) -> None:
        """Sleep until the next exit/pipe/error event, or until loop time ``until``."""
        waiter = self.loop.create_future()
        self._waiter = waiter
        timer = self.loop.call_at(until, _resolve, waiter) if until is not None else None
        try:
            await waiter
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()

    async def supervise(self, timeout: float | None) -> None:
        """Return once the process has exited and its output is drained; ``_TimedOut`` if it
        is still running after ``timeout`` seconds.

        Waits for the *process*: its pipes closing early does not end the command. After it
        exits, pipes still open after ``DRAIN_GRACE`` are held by something it left behind;
        we stop waiting for them (the caller then kills the group).
        """
        loop = self.loop
        deadline = None if timeout is None else loop.time() + timeout
        drain_deadline = None
        while True:
            if self.error is not None:
                raise self.error
            if self.exited:
                if self.open_pipes == 0:
                    return
                now = loop.time()
                if drain_deadline is None:
                    drain_deadline = now + DRAIN_GRACE
                elif now >= drain_deadline:
                    return
                await self.wait(drain_deadline)
            else:
                if deadline is not None and loop.time() >= deadline:
                    raise _TimedOut
                await self.wait(deadline)


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


async def _stop(proto: _Pipes, pgid: int) -> None:
    """SIGTERM the group, SIGKILL it after the grace period, then collect what is left."""
    loop = proto.loop

    def finished() -> bool:
        return proto.exited and not reaper.group_alive(pgid)

    try:
        if reaper.signal_group(pgid, signal.SIGTERM):
            end = loop.time() + reaper.KILL_GRACE
            delay = 0.002
            while not finished():
                now = loop.time()
                if now >= end:
                    break
                # Wakes early when the leader exits; the rest of the group is polled.
                await proto.wait(min(now + delay, end))
                delay = min(delay * 2, 0.05)
    finally:
        # Also reached when a second, unshielded cancellation interrupts the grace period.
        if not finished():
            reaper.signal_group(pgid, signal.SIGKILL)
        reaper.unregister(pgid)
    # The leader must be reaped, and output written before the kill may still be in the pipes.
    end = loop.time() + AFTER_KILL
    while not (proto.exited and proto.open_pipes == 0) and loop.time() < end:
        await proto.wait(end)
