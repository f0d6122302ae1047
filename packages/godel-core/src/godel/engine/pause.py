"""Pausing a live run: a sentinel file in the run's own directory, checked at step boundaries.

``godel pause RUN_ID`` (or ``godel.pause(run_id)``) writes ``<runs_dir>/<run_id>/pause.json``
atomically. The live run checks for it before each step it is about to run live; when it is
there, the run stops cleanly: it records PAUSED, and ``godel run`` exits 0. ``godel resume``
clears the sentinel and continues. Writer and reader find the file through the same runs-dir
resolver (``godel.log.files``), so a pause works wherever runs live.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from godel.exceptions import PauseSignal
from godel.log.events import utc_now
from godel.log.files import resolve_runs_dir
from godel.strict.privilege import privileged

SENTINEL = "pause.json"
# A run looks for the sentinel at most this often (seconds): a step boundary costs a clock read
# instead of a stat, and a pause still lands within a few milliseconds of the request.
CHECK_INTERVAL = 0.005
_requests = [0]  # pause requests written by this process: seen at the very next boundary


def sentinel_path(run_id: str, runs_dir: str | os.PathLike[str] | None = None) -> Path:
    """``<runs_dir>/<run_id>/pause.json``."""
    _check_id(run_id)
    return resolve_runs_dir(runs_dir) / run_id / SENTINEL


def _check_id(run_id: str) -> None:
    if not run_id or not all(c.isalnum() or c in "-_" for c in run_id) or len(run_id) > 128:
        raise ValueError(f"invalid run id {run_id!r}")


def write_pause_request(
    run_id: str, reason: str = "", runs_dir: str | os.PathLike[str] | None = None
) -> Path:
    """Ask run ``run_id`` to pause at its next step boundary; returns the sentinel path."""
    path = sentinel_path(run_id, runs_dir)
    with privileged():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".pause.", suffix=".tmp")
        with os.fdopen(fd, "w") as fh:
            json.dump({"reason": reason, "requested_ts": utc_now()}, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    _requests[0] += 1
    return path


def clear_pause_request(run_id: str, runs_dir: str | os.PathLike[str] | None = None) -> None:
    """Remove a pending pause request (no error if there is none)."""
    with privileged():
        try:
            sentinel_path(run_id, runs_dir).unlink()
        except FileNotFoundError:
            pass


def check_pause_request(run_id: str, runs_dir: str | os.PathLike[str] | None = None) -> None:
    """Raise ``PauseSignal`` if a pause was requested for ``run_id``."""
    checker(sentinel_path(run_id, runs_dir))()


def checker(path: Path) -> Callable[[], None]:
    """A cheap per-step check that raises ``PauseSignal`` when ``path`` exists.

    It stats ``path`` at most every ``CHECK_INTERVAL`` seconds, and at once after a pause
    request written by this process.
    """
    exists = os.path.exists
    clock = time.monotonic
    next_at = 0.0
    seen = _requests[0]

    def check() -> None:
        nonlocal next_at, seen
        now = clock()
        if now < next_at and _requests[0] == seen:
            return
        next_at = now + CHECK_INTERVAL
        seen = _requests[0]
        if not exists(path):
            return
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            data = {}
        raise PauseSignal(str(data.get("reason", "")), str(data.get("requested_ts", "")))

    return check


def is_live(run_id: str, runs_dir: str | os.PathLike[str] | None = None) -> bool:
    """True while some process holds the run's lock (it is running or being resumed)."""
    from godel.log.lock import lock_path

    path = lock_path(resolve_runs_dir(runs_dir), run_id)
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def pause(run_id: str, *, reason: str = "", runs_dir: str | os.PathLike[str] | None = None) -> str:
    """Request a pause of a live run (``run_id`` may be a unique prefix/suffix); returns the full id."""
    from godel.log.eventlog import list_run_ids
    from godel.log.ids import resolve_id

    directory = resolve_runs_dir(runs_dir)
    if not directory.is_dir():
        raise FileNotFoundError(f"no runs directory at {directory}")
    full = resolve_id(run_id, list_run_ids(directory), what="run id")
    if not is_live(full, directory):
        raise RuntimeError(f"run {full} is not running; only a live run can be paused")
    write_pause_request(full, reason, directory)
    return full
