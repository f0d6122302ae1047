"""Following an audit log as it is written: ``godel.tail``.

``tail`` yields one ``Event`` per log line, that is one per state transition, in file order,
reading with ``godel.log.reader.LogReader`` (memory independent of the log's length).

It stops at the run's real end: the root ``WORKFLOW_STARTED`` reached FINISHED, FAILED or
PAUSED (with no ``RESUME`` after it), no process holds the run lock, and one more poll
brought no new bytes. A resume that takes the lock while ``tail`` waits is followed too.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from typing import TYPE_CHECKING

from godel.log.events import Event
from godel.log.files import resolve_runs_dir
from godel.log.lock import lock_held
from godel.log.reader import LogReader, Warn, find_log, read_batches
from godel.runs.status import RunTracker

if TYPE_CHECKING:
    from typing_extensions import ParamSpec

    P = ParamSpec("P")

__all__ = ["tail", "tail_batches"]

_logger = logging.getLogger("godel.tail")


async def tail_batches(
    run_id: str,
    *,
    runs_dir: str | os.PathLike[str] | None = None,
    follow: bool = True,
    poll_interval: float = 0.1,
    stop_on_terminal: bool = True,
    wait: bool = True,
    on_warning: Warn | None = None,
) -> AsyncIterator[list[Event]]:
    """Every state transition of run ``run_id``, one list per chunk read (never empty).

    For consumers that write in batches; ``tail`` (below) yields the same events one by one.
    """
    import anyio  # here: reading a log to its end (read_batches, summarize) needs no event loop

    if poll_interval <= 0:
        raise ValueError(f"poll_interval must be positive, got {poll_interval!r}")
    directory = resolve_runs_dir(runs_dir)
    warn = on_warning or _logger.warning
    if hasattr(directory, "run_store"):  # a godel.store.Store: read and follow its rows
        from godel.runs.follow import follow_store

        async with aclosing(
            follow_store(directory, run_id, follow, poll_interval, stop_on_terminal, wait, warn)
        ) as batches:
            async for batch in batches:
                yield batch
        return
    path = find_log(run_id, directory)
    while path is None:
        if not (wait and follow):
            raise FileNotFoundError(f"no run {run_id!r} in {directory}")
        await anyio.sleep(poll_interval)
        path = find_log(run_id, directory)
    if not follow:
        for batch in read_batches(path, on_warning=warn):
            yield batch
        return
    full_id = path.name[: -len(".jsonl")]
    reader = LogReader(path, on_warning=warn)
    tracker = RunTracker()
    quiet_polls = 0  # polls without new bytes since the run looked ended and unlocked
    idle_polls = 0  # polls without new bytes at all
    warned_idle = False
    try:
        while True:
            events = reader.read_chunk()
            if events is not None:
                quiet_polls = idle_polls = 0
                warned_idle = False
                if events:
                    for ev in events:
                        tracker.feed(ev)
                    yield events
                continue
            idle_polls += 1
            if tracker.ended_in_line_order and not reader.has_partial:
                if stop_on_terminal:
                    if lock_held(full_id, directory):
                        quiet_polls = 0  # the writer is still closing, or a resume took over
                    elif quiet_polls >= 1:
                        return
                    else:
                        quiet_polls += 1
            elif idle_polls >= 2 and not warned_idle and not lock_held(full_id, directory):
                # Nobody is writing and the run recorded no end: say so once rather than hang
                # silently (also when the writer dies after holding the run through idle polls).
                warned_idle = True
                warn(
                    f"run {full_id} is not running (no process holds it) and recorded no end; "
                    "still following in case it is resumed"
                )
            await anyio.sleep(poll_interval)
            why = reader.replaced()
            if why is not None:
                warn(f"{path}: {why}; reading it again from the start")
                reader.reopen()
                tracker = RunTracker()
                quiet_polls = idle_polls = 0
                while not reader.open():
                    await anyio.sleep(poll_interval)
    finally:
        reader.close()


def _one_by_one(
    batched: Callable[P, AsyncIterator[list[Event]]],
) -> Callable[P, AsyncIterator[Event]]:
    """The event-by-event form of a batched follower, with its signature (written once)."""

    @functools.wraps(batched)
    async def one_by_one(*args: P.args, **kwargs: P.kwargs) -> AsyncIterator[Event]:
        async with aclosing(batched(*args, **kwargs)) as batches:
            async for batch in batches:
                for ev in batch:
                    yield ev

    # wraps() makes inspect.signature follow __wrapped__ to the batched return type: say ours.
    one_by_one.__signature__ = inspect.signature(batched).replace(  # type: ignore[attr-defined]
        return_annotation="AsyncIterator[Event]"
    )
    return one_by_one


tail = _one_by_one(tail_batches)
tail.__name__ = tail.__qualname__ = "tail"
tail.__doc__ = """Yield every state transition of run ``run_id`` (full id, unique prefix or suffix).

``follow=False`` reads what is there and stops. Otherwise it polls every
``poll_interval`` seconds and, with ``stop_on_terminal``, stops at the run's real end
(see the module docstring). A missing run is waited for (the runs dir is not created)
unless ``wait=False`` or ``follow=False``, which raise ``FileNotFoundError`` at once; an
ambiguous prefix raises ``IdLookupError``. Warnings (unreadable lines, a torn end, a run
that stopped without an end) go to ``on_warning``, by default the ``godel.tail`` logger.

It takes ``tail_batches``'s arguments; ``tail_batches`` yields the same events a chunk at a time.
"""
