"""Pausing a live run: a sentinel file beside the run's log, checked at step boundaries.

``godel pause RUN_ID`` (or ``godel.pause(run_id)``) writes ``<runs_dir>/<run_id>.pause``
(``{"reason": ..., "requested_ts": ...}``) atomically. The live run checks for it before each
step it is about to run live; when it is there, the run stops cleanly: it records PAUSED, removes
the sentinel, and ``godel run`` exits 0. ``godel resume`` removes any sentinel before it replays
(so a request left for a run that was not live does not stop the resume at its first step) and
continues. Writer and reader find the file through the same runs-dir resolver
(``godel.log.files``), and a run checks the runs dir its log is in, so a pause works wherever runs
live.

A run kept in another store (``godel.store``) keeps its pause requests there: every function
here takes the store in the runs dir's place.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from godel.exceptions import PauseSignal
from godel.log.events import utc_now
from godel.log.files import resolve_runs_dir
from godel.strict.privilege import privileged

SUFFIX = ".pause"
# A run looks for the sentinel at most this often (seconds): a step boundary costs a clock read
# instead of a stat, and a pause still lands within a few milliseconds of the request.
CHECK_INTERVAL = 0.005
_requests = [0]  # pause requests written by this process: seen at the very next boundary
# A temp file younger than this may belong to a writer that is still at work (a `godel pause`
# racing the run that consumes an earlier request): clear_pause_request leaves it alone.
ORPHAN_AGE = 60.0


def _is_store(runs_dir: object) -> bool:
    return hasattr(runs_dir, "run_store")  # a godel.store.Store in the runs dir's place


def sentinel_path(run_id: str, runs_dir: str | os.PathLike[str] | None = None) -> Path:
    """``<runs_dir>/<run_id>.pause`` (``runs_dir`` defaults to the resolved runs dir)."""
    _check_id(run_id)
    return resolve_runs_dir(runs_dir) / f"{run_id}{SUFFIX}"


def _check_id(run_id: str) -> None:
    if not run_id or not all(c.isalnum() or c in "-_" for c in run_id) or len(run_id) > 128:
        raise ValueError(f"invalid run id {run_id!r}")


def write_pause_request(
    run_id: str, reason: str = "", runs_dir: str | os.PathLike[str] | None = None
) -> Path:
    """Ask run ``run_id`` to pause at its next step boundary; returns the sentinel path.

    The reason reaches disk redacted, as everything a run writes does (``godel.log.redact``)."""
    from godel.log.redact import default_redactor

    reason = default_redactor().redact_text(reason) if reason else reason
    if _is_store(runs_dir):  # a godel.store.Store keeps its own pause requests
        runs_dir.request_pause(run_id, reason)  # type: ignore[union-attr]
        _requests[0] += 1
        return Path(f"{run_id}{SUFFIX}")
    path = sentinel_path(run_id, runs_dir)
    with privileged():
        path.parent.mkdir(parents=True, exist_ok=True)
        # The temp file's name ends in ".<run_id>.pause.tmp", so clear_pause_request can find
        # one a crash left behind.
        import tempfile  # here: every run imports this module, few write a pause request

        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=f".{run_id}{SUFFIX}.tmp")
        try:
            with os.fdopen(fd, "w") as fh:
                json.dump({"reason": reason, "requested_ts": utc_now()}, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            _unlink(Path(tmp))
            raise
    _requests[0] += 1
    return path


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError:
        # A read-only mount says EROFS even for a file that is not there: nothing to remove.
        if os.path.lexists(path):
            raise


def clear_pause_request(run_id: str, runs_dir: str | os.PathLike[str] | None = None) -> None:
    """Remove a pending pause request and any temp file a crashed writer left (no error if
    there is none); a temp file under ``ORPHAN_AGE`` seconds old may be a live writer's."""
    if _is_store(runs_dir):
        runs_dir.clear_pause(run_id)  # type: ignore[union-attr]
        return
    path = sentinel_path(run_id, runs_dir)
    with privileged():
        _unlink(path)
        try:
            orphans = list(path.parent.glob(f"*.{run_id}{SUFFIX}.tmp"))
        except OSError:
            orphans = []
        now = time.time()
        for orphan in orphans:
            try:
                if now - orphan.stat().st_mtime < ORPHAN_AGE:
                    continue
            except OSError:
                continue
            _unlink(orphan)


def check_pause_request(run_id: str, runs_dir: str | os.PathLike[str] | None = None) -> None:
    """Raise ``PauseSignal`` if a pause was requested for ``run_id``."""
    if _is_store(runs_dir):
        runs_dir.pause_checker(run_id)()  # type: ignore[union-attr]
        return
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

    if _is_store(runs_dir):
        return bool(runs_dir.lock_held(run_id))  # type: ignore[union-attr]
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


def request_pause(
    run_id: str, runs_dir: str | os.PathLike[str] | None = None, reason: str = ""
) -> tuple[Path, str | None]:
    """Write a pause request for the full id ``run_id``; return where it went and, when no
    process holds the run, the warning to show (nothing will pause; a resume drops it).

    Whether the run is live is asked before the request is written: a live run may take the
    request, pause and let go of its lock within milliseconds, and would then look as if it
    had never been running (``godel pause`` and the web view's button both go through here).
    """
    live = is_live(run_id, runs_dir)
    where = write_pause_request(run_id, reason, runs_dir)
    if live:
        return where, None
    return where, (
        f"run {run_id} is not running (no process holds it), so nothing will pause; "
        "`godel resume` drops the request"
    )


def pause(run_id: str, *, reason: str = "", runs_dir: str | os.PathLike[str] | None = None) -> str:
    """Request a pause of run ``run_id`` (a full id, or a unique prefix/suffix); returns the full id.

    A live run stops at its next step boundary. A run that is not live keeps the request only
    until it is resumed: ``godel resume`` clears the sentinel before it replays (see the module
    docstring), so the request does not stop it. Raises ``FileNotFoundError`` when the runs dir
    does not exist, ``IdLookupError`` (a ``LookupError``) when no run or several runs match.
    """
    from godel.log.eventlog import list_run_ids
    from godel.log.ids import resolve_id

    directory = resolve_runs_dir(runs_dir)
    if not _is_store(directory) and not directory.is_dir():
        raise FileNotFoundError(f"no runs directory at {directory}")
    full = resolve_id(run_id, list_run_ids(directory), what="run id")
    write_pause_request(full, reason, directory)
    return full
