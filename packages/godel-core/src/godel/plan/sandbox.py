"""Running a workflow against its recording without touching the world or the log.

A ``SandboxLog`` holds the recorded events in memory; what the run appends goes nowhere (the
file on disk is never opened for writing, no lock is taken). The first effect that would run
live (an agent call, a command, a file write, an input, a sleep) is not started: the log raises
``Stop`` with what it would have been, and the plan or the replay test reports it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from godel.log.eventlog import EventLog
from godel.log.events import Event, Op

__all__ = ["LIVE_OPS", "SandboxLog", "Stop", "find_stop", "open_sandbox"]

# What "runs live": effects on the world, or ones that wait. Prints, clock and random values
# and file reads are harmless, and run as the code asks.
LIVE_OPS = frozenset({Op.AGENT_CALL, Op.RUN, Op.WRITE_TEXT, Op.INPUT, Op.SLEEP, Op.DET_SLEEP})


class Stop(BaseException):
    """The dry run reached something it may not do: ``kind`` says what.

    ``new``: an effect the recording does not have; ``changed``: a recorded effect asked for
    differently (``recorded`` is the event); ``in flight``: a recorded effect that never ended
    (``repeats`` when it is declared safe to run again);
    ``again``: a recorded effect that failed and would run again; ``rewound`` (the plan's
    name for a ``new`` one): a recorded effect a rewind invalidated; ``edited``: a recorded step
    whose source changed, where ``--on-source-edit abort`` stops. A BaseException, so that no
    ``except Exception`` in the workflow swallows it.
    """

    # ``parallel`` lets the other branches go on: the resume would replay them all the same.
    lets_siblings_finish = True

    def __init__(
        self,
        kind: str,
        op: str,
        step_path: tuple[str, ...],
        request: dict[str, Any],
        recorded: Event | None = None,
    ) -> None:
        super().__init__(f"{kind}: {op} at {'/'.join(step_path) or '(root)'}")
        self.kind = kind
        self.op = op
        self.step_path = tuple(step_path)
        self.request = request
        self.recorded = recorded


def find_stop(exc: BaseException | None) -> Stop | None:
    """The ``Stop`` in ``exc``, its causes or its exception groups (a ``parallel`` branch)."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, Stop):
            return current
        todo.extend(getattr(current, "exceptions", ()) or ())
        todo += [current.__cause__, current.__context__]
    return None


class _Discard:
    """The recording's store for reading (blobs); every write is dropped."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.path = store.path
        self.run_dir = store.run_dir
        self.durability = "none"

    def append(self, line: bytes, *, sync: bool = False) -> None:
        pass

    def put_blob(self, text: str) -> str:
        return ""

    def get_blob(self, digest: str) -> str:
        return str(self._store.get_blob(digest))

    def sync(self) -> None:
        pass

    def close(self) -> None:
        pass

    def release(self) -> None:
        pass

    def iter_lines(self) -> Iterator[bytes]:
        return iter(())


class SandboxLog(EventLog):
    """A run's events in memory: appends are kept here only; a live effect raises ``Stop``."""

    def start(self, op: str, **kwargs: Any) -> Event:
        if op in LIVE_OPS:
            raise Stop("new", op, tuple(kwargs.get("step_path") or ()), kwargs.get("request") or {})
        return super().start(op, **kwargs)

    def record(self, op: str, **kwargs: Any) -> Event:
        if op in LIVE_OPS:
            raise Stop("new", op, tuple(kwargs.get("step_path") or ()), kwargs.get("request") or {})
        return super().record(op, **kwargs)

    def sync_soon(self) -> None:
        pass


def open_sandbox(run_id: str, runs_dir: Path | Any) -> SandboxLog:
    """The recorded run ``run_id`` of a runs dir or a store as a ``SandboxLog``
    (``FileNotFoundError`` if none)."""
    from godel.log.files import check_run_id
    from godel.log.format import read_log
    from godel.log.redact import build_redactor
    from godel.log.store import JsonlStore

    if hasattr(runs_dir, "run_store"):  # a godel.store.Store in the runs dir's place: its rows
        store: Any = runs_dir.run_store(check_run_id(run_id), durability="none")
        if not runs_dir.exists(run_id):
            raise FileNotFoundError(f"no audit log for run {run_id}: {store.path} does not exist")
    else:
        store = JsonlStore(runs_dir, check_run_id(run_id))
    loaded = read_log(store, run_id)
    log = SandboxLog(_Discard(store), run_id, runs_dir, writable=True, redactor=build_redactor([]))
    log._adopt(loaded)
    return log
