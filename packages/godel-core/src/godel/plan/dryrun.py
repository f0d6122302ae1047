"""One dry run of a workflow against its recording: what replayed, where it stopped, how it ended.

The workflow body runs for real (its own Python code), with a ``SandboxLog`` and its stdout
kept aside; every recorded effect is answered from the log, and the first one that would run
live ends the run with ``Stop`` (``godel.plan.sandbox``).
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field
from typing import Any

from godel.log.events import Event, EventStatus
from godel.plan.sandbox import LIVE_OPS, SandboxLog, Stop, find_stop

__all__ = ["DryRun", "Watched", "dry_run", "live_effects"]


class Watched(dict):  # type: ignore[type-arg]
    """The replay cache, noting every recorded event the run looked up (it replayed them)."""

    def __init__(self, cache: dict[int, Event]) -> None:
        super().__init__(cache)
        self.seen: dict[str, Event] = {}

    def get(self, key: Any, default: Any = None) -> Any:
        ev = super().get(key, default)
        if ev is not None:
            self.seen[ev.event_id] = ev
        return ev


@dataclass
class DryRun:
    """How a dry run ended: ``stop`` (a live effect), else ``error`` or ``result``."""

    stop: Stop | None = None
    error: BaseException | None = None
    result: Any = None
    stdout: str = ""
    replayed: dict[str, Event] = field(default_factory=dict)


async def dry_run(spec: Any, state: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> DryRun:
    """Run ``spec`` in ``state`` (whose log is a ``SandboxLog``) until it ends or must go live."""
    from godel.engine.workflow import run_body

    assert isinstance(state.log, SandboxLog)
    # A pause request for the run is not the dry run's: it neither stops it nor is consumed.
    state.pause_check = _never_pause
    out = DryRun()
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            out.result = await run_body(spec, state, args, kwargs)
    except BaseException as exc:
        out.stop = find_stop(exc)
        if out.stop is None:
            if isinstance(exc, KeyboardInterrupt):
                raise  # Ctrl+C: not the workflow's outcome
            out.error = exc
    out.stdout = buffer.getvalue()
    return out


def _never_pause() -> None:
    pass


def live_effects(events: Any) -> list[Event]:
    """The recorded effects that ran live (in log order), not invalidated."""
    return [
        ev
        for ev in events
        if ev.op in LIVE_OPS and ev.status not in (EventStatus.INVALIDATED, EventStatus.SUSPENDED)
    ]
