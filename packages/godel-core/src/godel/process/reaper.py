"""No orphans: the registry of live child process groups, and the CLI's signal handling.

Every command ``godel.run`` starts leads its own process group (``start_new_session=True``),
so that one signal reaches the command and everything it spawned. The group is registered
here from spawn until ``run`` has seen it empty. Normally ``run`` cleans up itself (on exit,
timeout or cancellation); ``kill_all`` is the emergency path for when the process is going
away without that cleanup: the double-Ctrl+C panic exit and, as a last resort, ``atexit``.

``install_signal_handlers`` is for ``godel run``/``resume``: SIGINT, SIGTERM and SIGHUP cancel
the workflow (each ``run`` then kills its own group); a second SIGINT within a second kills
every group and exits 130 at once.
"""

from __future__ import annotations

import asyncio
import atexit
import inspect
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from godel.strict.privilege import is_privileged, privileged

__all__ = [
    "DOUBLE_SIGINT_WINDOW",
    "KILL_GRACE",
    "STUCK_AFTER",
    "SignalHandlers",
    "group_alive",
    "install_signal_handlers",
    "kill_all",
    "live_groups",
    "register",
    "signal_group",
    "unregister",
]

KILL_GRACE = 2.0  # seconds between SIGTERM and SIGKILL
DOUBLE_SIGINT_WINDOW = 1.0  # a second SIGINT this soon after the previous one is a panic exit
STUCK_AFTER = 0.5  # seconds a signal may wait for the loop before the step holding it is cut

_live: set[int] = set()
_lock = threading.Lock()
_atexit_registered = False


def register(pgid: int) -> None:
    """Record a live process group (its leader's pid) that godel started."""
    global _atexit_registered
    with _lock:
        _live.add(pgid)
        if not _atexit_registered:
            # Registered on first use so that merely importing godel adds no exit hook.
            atexit.register(kill_all)
            _atexit_registered = True


def unregister(pgid: int) -> None:
    """Forget a group once it is known to be empty (or has been SIGKILLed)."""
    with _lock:
        _live.discard(pgid)


def live_groups() -> frozenset[int]:
    """The process groups currently registered."""
    with _lock:
        return frozenset(_live)


def signal_group(pgid: int, sig: int) -> bool:
    """Send ``sig`` to the group; False if it no longer exists (or is not ours to signal)."""
    try:
        with privileged():  # strict mode audits os.killpg; this is godel's own signal
            os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def group_alive(pgid: int) -> bool:
    """True while a process that has not yet died is in the group (zombies do not count)."""
    try:
        with privileged():
            os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # Something is in the group, but it may only be zombies: orphans that an init which does
    # not reap (common as PID 1 in containers) leaves behind. They are dead; waiting for them
    # would only delay every cleanup by the full grace period.
    return _has_live_member(pgid)


def _has_live_member(pgid: int) -> bool:
    target = str(pgid).encode()
    with privileged():
        try:
            names = os.listdir("/proc")
        except OSError:
            return True  # no procfs: trust kill(0)
        for name in names:
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue  # exited meanwhile
            # "pid (comm) state ppid pgrp ..."; comm may contain spaces and parentheses.
            fields = stat[stat.rfind(b")") + 2 :].split(b" ", 4)
            if len(fields) >= 3 and fields[2] == target and fields[0] not in (b"Z", b"X"):
                return True
    return False


def kill_all(grace: float = KILL_GRACE) -> None:
    """SIGTERM every registered group, wait up to ``grace`` seconds, SIGKILL what is left.

    Synchronous (it blocks the event loop) and meant for a process that is about to exit.
    """
    groups = sorted(live_groups())
    if not groups:
        return
    pending = [g for g in groups if signal_group(g, signal.SIGTERM)]
    deadline = time.monotonic() + grace
    delay = 0.001
    while pending and time.monotonic() < deadline:
        pending = [g for g in pending if group_alive(g)]
        if pending:
            time.sleep(delay)
            delay = min(delay * 2, 0.02)
    for g in pending:
        signal_group(g, signal.SIGKILL)
    with _lock:
        _live.difference_update(groups)


class SignalHandlers:
    """What ``install_signal_handlers`` returns: call it to uninstall the handlers.

    ``signum`` is the last signal received (None if none); ``exit_code`` is the conventional
    ``128 + signum`` for the CLI to exit with after the cancelled workflow has unwound.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, cancel: Callable[[], None]) -> None:
        self.signum: int | None = None
        self._loop = loop
        self._cancel = cancel
        self._last_sigint: float | None = None
        self._previous: dict[int, Any] = {}
        self._arrived: int | None = None  # the first signal, before the loop has seen it
        self._alarm: Any = None  # SIGALRM's handler before ours (while one is armed)

    @property
    def exit_code(self) -> int | None:
        """``128 + signum`` (130 SIGINT, 143 SIGTERM, 129 SIGHUP), or None if no signal came."""
        return None if self.signum is None else 128 + self.signum

    def _install(self) -> None:
        sigs = [signal.SIGINT, signal.SIGTERM]
        if hasattr(signal, "SIGHUP"):
            sigs.append(signal.SIGHUP)
        for sig in sigs:
            self._previous[sig] = signal.getsignal(sig)
            # The loop's handler cancels the workflow when the loop next gets control...
            self._loop.add_signal_handler(sig, self._on_signal, sig)
            # ...and this one, which Python calls between two bytecodes of whatever the main
            # thread runs, makes the panic exit and watches for a step that never gives the
            # loop control (a busy loop in plain Python). It replaces asyncio's no-op handler;
            # the wakeup fd that brings the loop's handler is set all the same.
            signal.signal(sig, self._on_arrival)

    def _on_arrival(self, sig: int, frame: Any) -> None:
        if sig == signal.SIGINT:
            now = time.monotonic()
            last, self._last_sigint = self._last_sigint, now
            if last is not None and now - last <= DOUBLE_SIGINT_WINDOW:
                # Panic exit: the user does not want to wait for cleanup, but must not be left
                # with orphans either; kill_all is bounded by its grace period.
                kill_all()
                os._exit(128 + signal.SIGINT)
        if self._arrived is None:
            self._arrived = sig
            # If the loop has not cancelled the workflow by then, a step holds it (a busy
            # loop in plain Python, which never awaits): SIGALRM comes to cut it short.
            self._alarm = signal.signal(signal.SIGALRM, self._on_alarm) or signal.SIG_DFL
            signal.setitimer(signal.ITIMER_REAL, STUCK_AFTER)

    def _on_alarm(self, _sig: int, frame: Any) -> None:
        if self.signum is not None or self._arrived is None:
            return  # the loop got there
        if not _busy(frame):  # godel's or the loop's own code: not to be cut; look again soon
            signal.setitimer(signal.ITIMER_REAL, STUCK_AFTER / 5)
            return
        # Interrupt the step where it is, as Python's own Ctrl+C would: what it cuts short is
        # recorded as interrupted by the signal, and the run unwinds.
        self._on_signal(self._arrived, cancel=False)
        raise KeyboardInterrupt

    def _on_signal(self, sig: int, *, cancel: bool = True) -> None:
        from godel.engine.interrupt import note_signal

        self.signum = sig
        note_signal(sig)  # what the cancellation cuts short is recorded "interrupted by SIG..."
        if cancel:
            self._cancel()

    def __call__(self) -> None:
        """Remove the handlers and restore what was there before."""
        from godel.engine.interrupt import note_signal

        note_signal(None)
        if self._alarm is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._alarm)
            self._alarm = None
        previous, self._previous = self._previous, {}
        for sig, handler in previous.items():
            self._loop.remove_signal_handler(sig)
            if handler is not None:
                signal.signal(sig, handler)


_LOOP_MODULES = frozenset({"asyncio", "selectors", "anyio", "sniffio", "godel"})


def _busy(frame: Any) -> bool:
    """Whether the main thread, interrupted in ``frame``, is running workflow code: a coroutine
    of the workflow's (or a function it called) that holds the loop. Not when it is in the
    event loop, anyio or godel (plugins included), which give the loop control soon and must not
    be cut in the middle of their bookkeeping, nor inside ``privileged()``."""
    if is_privileged():
        return False
    while frame is not None:
        top = (frame.f_globals.get("__name__") or "").partition(".")[0]
        if top in _LOOP_MODULES or top.startswith("godel_"):
            return False
        if frame.f_code.co_flags & inspect.CO_COROUTINE:
            return True
        frame = frame.f_back
    return False


def install_signal_handlers(cancel: Callable[[], None]) -> SignalHandlers:
    """Route SIGINT, SIGTERM and SIGHUP to ``cancel()``; a second SIGINT within 1 s exits 130.

    Must be called inside the running asyncio event loop, from the main thread. Returns a
    ``SignalHandlers`` object: call it to uninstall; its ``exit_code`` tells the CLI which
    signal stopped the run.
    """
    handlers = SignalHandlers(asyncio.get_running_loop(), cancel)
    handlers._install()
    return handlers
