"""Interrupted effects: why an effect was cut short, and the stop flag of a ``parallel`` fork.

An effect that started and was cut short (a signal, a step timeout, a cancelled ``parallel``
sibling) has an unknown outcome: the command may have done its work just before it was killed.
So it is recorded as *interrupted*, with what interrupted it, never as an ordinary failure, and
a resume treats it as in flight at a crash (``godel.replay.policy``).

A failing ``parallel`` branch does not cut its siblings short by default: it *stops* its fork
(``StopToken``). Every frame below the fork sees the flag; from then on no new effect or step
starts there (``Stopped`` is raised instead), a ``godel.sleep`` wakes up, and the effects already
running finish and are recorded.
"""

from __future__ import annotations

import signal
from typing import Any

__all__ = ["StopToken", "Stopped", "interruption", "note_signal"]

_signal: int | None = None  # the signal that is cancelling the run (see note_signal)


def note_signal(signum: int | None) -> None:
    """Say which signal is cancelling the run (None once it is handled); ``godel.process``'s
    signal handlers call this before they cancel, so what is cut short can say why."""
    global _signal
    _signal = signum


class Stopped(BaseException):
    """Raised instead of starting an effect or a step in a stopped ``parallel`` fork.

    A ``BaseException``: ``except Exception`` and ``@retry`` let it through, and it is recorded
    as an interruption, not as a failure of the code that raised it.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class StopToken:
    """The stop flag of one ``parallel`` fork, shared by every frame created under it.

    Nested forks get a child token: stopping a fork stops every fork inside it, so a frame
    checks only its own token (``reason is not None``).
    """

    __slots__ = ("_children", "_event", "cancelling", "parent", "reason")

    def __init__(self, parent: StopToken | None) -> None:
        self.parent = parent
        self.reason: str | None = None
        self.cancelling = False  # True when the fork also cancels what is running (cancel_running)
        self._children: list[StopToken] = []
        self._event: Any = None
        if parent is not None:
            parent._children.append(self)
            if parent.reason is not None:
                self.stop(parent.reason, cancelling=parent.cancelling)

    def stop(self, reason: str, *, cancelling: bool = False) -> None:
        """Start nothing new below this fork from now on (the first reason is kept)."""
        if self.reason is None:
            self.reason = reason
        self.cancelling = self.cancelling or cancelling
        if self._event is not None:
            self._event.set()
        for child in self._children:
            child.stop(reason, cancelling=cancelling)

    async def wait(self) -> None:
        """Return when the fork is stopped."""
        if self.reason is not None:
            return
        if self._event is None:
            import anyio

            self._event = anyio.Event()
        await self._event.wait()

    def detach(self) -> None:
        """The fork ended: its parent no longer needs to reach it."""
        if self.parent is not None:
            try:
                self.parent._children.remove(self)
            except ValueError:
                pass


def interruption(exc: BaseException, frame: Any = None) -> str | None:
    """What cut an effect short, when ``exc`` is an interruption rather than a failure.

    ``frame`` is where the effect ran (``godel.engine.context.Frame``): a step timeout or a
    ``parallel(..., cancel_running=True)`` above it explains a cancellation.
    """
    if isinstance(exc, Stopped):
        return exc.reason
    if isinstance(exc, KeyboardInterrupt):  # also how a signal stops a step that holds the loop
        return f"interrupted by {_signal_name(_signal or signal.SIGINT)}"
    if isinstance(exc, GeneratorExit):
        return "cancelled: its coroutine was closed"
    if not _is_cancel(exc):
        return None
    if _signal is not None:
        return f"interrupted by {_signal_name(_signal)}"
    while frame is not None:
        timeout = getattr(frame, "timeout", None)
        if timeout is not None and timeout[0].cancel_called:
            return f"cancelled: step timeout ({frame.step_path[-1]!r} after {timeout[1]:g}s)"
        token = getattr(frame, "stop", None)
        if frame.kind == "fork" and token is not None and token.cancelling:
            return token.reason  # type: ignore[no-any-return]
        frame = frame.parent
    return "cancelled"


def _is_cancel(exc: BaseException) -> bool:
    import anyio

    try:
        return isinstance(exc, anyio.get_cancelled_exc_class())
    except Exception:  # no async library running
        return False


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"
