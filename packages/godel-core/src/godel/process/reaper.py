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
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from godel.strict.privilege import privileged

__all__ = [
    "DOUBLE_SIGINT_WINDOW",
    "KILL_GRACE",
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
            callback = self._on_sigint if sig == signal.SIGINT else self._on_signal
            self._loop.add_signal_handler(sig, callback, sig)

    def _on_sigint(self, sig: int) -> None:
        now = time.monotonic()
        last, self._last_sigint = self._last_sigint, now
        if last is not None and now - last <= DOUBLE_SIGINT_WINDOW:
            # Panic exit: the user does not want to wait for cleanup, but must not be left
            # with orphans either; kill_all is bounded by its grace period.
            kill_all()
            os._exit(128 + signal.SIGINT)
        self._on_signal(sig)

    def _on_signal(self, sig: int) -> None:
        from godel.engine.interrupt import note_signal

        self.signum = sig
        note_signal(sig)  # what the cancellation cuts short is recorded "interrupted by SIG..."
        self._cancel()

    def __call__(self) -> None:
        """Remove the handlers and restore what was there before."""
        from godel.engine.interrupt import note_signal

        note_signal(None)
        previous, self._previous = self._previous, {}
        for sig, handler in previous.items():
            self._loop.remove_signal_handler(sig)
            if handler is not None:
                signal.signal(sig, handler)


def install_signal_handlers(cancel: Callable[[], None]) -> SignalHandlers:
    """Route SIGINT, SIGTERM and SIGHUP to ``cancel()``; a second SIGINT within 1 s exits 130.

    Must be called inside the running asyncio event loop, from the main thread. Returns a
    ``SignalHandlers`` object: call it to uninstall; its ``exit_code`` tells the CLI which
    signal stopped the run.
    """
    handlers = SignalHandlers(asyncio.get_running_loop(), cancel)
    handlers._install()
    return handlers
