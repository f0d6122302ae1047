"""The run lock: one writer per run, an exclusive ``flock`` on ``<runs_dir>/<run_id>.lock``.

``flock`` belongs to the open file, so the operating system drops it the moment the holder
dies, however it dies: a stale lock cannot outlive its process. The file holds the holder's
pid so that the error can say who has it. The file itself is left in place: deleting a lock
file that another process may be about to lock would let two writers in.
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

from godel.log.files import check_run_id, resolve_runs_dir
from godel.strict.privilege import privileged

__all__ = ["RunLock", "RunLockedError", "lock_held", "lock_path", "lock_unwritable"]


def lock_path(runs_dir: str | Path, run_id: str) -> Path:
    """Where the lock file of a run lives."""
    return Path(runs_dir) / f"{run_id}.lock"


class RunLockedError(Exception):
    """Another live process holds the run (it is running, resuming or rewinding it)."""

    def __init__(self, run_id: str, pid: int | None = None, path: Path | None = None) -> None:
        self.run_id = run_id
        self.pid = pid
        self.path = path
        if pid is None:
            holder = "another godel process"
        elif pid == os.getpid():
            holder = f"this process (pid {pid}), which already has it open"
        else:
            holder = f"another godel process (pid {pid})"
        super().__init__(
            f"run {run_id} is in use by {holder}; "
            f"wait for it to finish or `godel pause {run_id}` it, then try again"
        )


class RunLock:
    """An exclusive, non-blocking lock on one run."""

    def __init__(self, path: Path, run_id: str) -> None:
        self.path = path
        self.run_id = run_id
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise ``RunLockedError`` at once (never waits)."""
        if self._fd is not None:
            return
        with privileged():
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            pid = _read_pid(fd)
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise RunLockedError(self.run_id, pid, self.path) from None
            raise
        try:
            with privileged():
                os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError:
            # The pid is only informative; holding the lock is what matters.
            pass
        self._fd = fd

    def release(self) -> None:
        """Give the lock back (idempotent)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            # Clear the pid while still holding the lock, so the file never names a dead holder.
            with privileged():
                os.ftruncate(fd, 0)
        except OSError:
            pass
        finally:
            os.close(fd)


def lock_unwritable(exc: BaseException) -> bool:
    """Whether ``exc``, raised opening a run to write to it, is its lock file that could not
    be opened (a read-only runs dir, something in its place), not its log that could not be
    read: the one is said "cannot write to run", the other "cannot read run"."""
    return isinstance(exc, OSError) and str(exc.filename or "").endswith(".lock")


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def lock_held(run_id: str, runs_dir: str | os.PathLike[str] | None = None) -> bool:
    """True if a live process holds the run lock of ``run_id``. Never takes the lock for long
    and never creates the lock file.

    The holder writes its pid into the lock file and clears it before releasing, so an empty
    file means free. A pid is checked with ``kill(pid, 0)``; only when that process exists is
    the lock itself probed (a non-blocking shared ``flock``, dropped at once), which rules out
    a recycled pid without ever getting in the way of a writer that could take the lock.
    """
    if hasattr(runs_dir, "run_store"):  # a godel.store.Store: its own lock
        return bool(runs_dir.lock_held(check_run_id(run_id)))  # type: ignore[union-attr]
    path = lock_path(resolve_runs_dir(runs_dir), check_run_id(run_id))
    try:
        # O_NONBLOCK: a FIFO in its place must not block the reader (watch, tail) for ever.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        try:
            text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        except OSError:  # not a file (a directory, a FIFO): no process holds it
            return False
        if not text.isdigit():
            return False
        pid = int(text)
        if pid <= 0 or not _alive(pid):
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError as exc:
            return exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    except OSError:
        return False
    return True
