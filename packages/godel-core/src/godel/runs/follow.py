"""``tail`` over a run kept in a store other than files: the same stop rules as the file
follower (``godel.runs.tail``), with ``Store.wait`` (LISTEN/NOTIFY for PostgreSQL) between
reads instead of a plain sleep."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from godel.log.ids import IdLookupError, resolve_id
from godel.runs.status import RunTracker

if TYPE_CHECKING:
    from godel.log.events import Event
    from godel.log.reader import Warn
    from godel.store.protocol import Store


def find_run(store: Store, run_id: str) -> str | None:
    """The run ``run_id`` names in ``store`` (exact, unique prefix or suffix), or None yet."""
    if store.exists(run_id):
        return run_id
    try:
        return resolve_id(run_id, store.list_run_ids(), what="run id")
    except IdLookupError as exc:
        if exc.candidates:
            raise
        return None


async def follow_store(
    store: Store,
    run_id: str,
    follow: bool,
    poll_interval: float,
    stop_on_terminal: bool,
    wait: bool,
    warn: Warn,
) -> AsyncIterator[list[Event]]:
    """What ``tail_batches`` yields, for a run in ``store``."""
    import anyio

    from godel.store.reader import StoreReader

    full_id = find_run(store, run_id)
    while full_id is None:
        if not (wait and follow):
            raise FileNotFoundError(f"no run {run_id!r} in {store.url}")
        await anyio.sleep(poll_interval)
        full_id = find_run(store, run_id)
    reader = StoreReader(store, full_id, on_warning=warn)
    tracker = RunTracker()
    quiet_polls = idle_polls = 0
    warned_idle = False
    while True:
        events = reader.read_chunk()
        if events is not None:
            quiet_polls = idle_polls = 0
            warned_idle = False
            for ev in events:
                tracker.feed(ev)
            if events:
                yield events
            continue
        if not follow:
            reader.finish()
            return
        idle_polls += 1
        if tracker.ended_in_line_order:
            if stop_on_terminal:
                if store.lock_held(full_id):
                    quiet_polls = 0
                elif quiet_polls >= 1:
                    return
                else:
                    quiet_polls += 1
        elif idle_polls == 2 and not warned_idle and not store.lock_held(full_id):
            warned_idle = True
            warn(
                f"run {full_id} is not running (no process holds it) and recorded no end; "
                "still following in case it is resumed"
            )
        await anyio.to_thread.run_sync(store.wait, full_id, reader.offset, poll_interval)
