"""Where an audit log lives: the ``EventStore`` protocol and its JSONL file implementation.

``JsonlStore`` owns the bytes: the append-only ``<runs_dir>/<run_id>.jsonl`` (written with
``os.write`` on an ``O_APPEND`` descriptor, so each line reaches the operating system the moment
it is appended), the blob sidecar, the run lock and the fsync policy. Parsing and folding lines
into events is ``godel.log.format``'s job; ``godel.log.eventlog.EventLog`` ties the two together.

Durability (``durability=`` or ``GODEL_DURABILITY``):

``default``  every line handed to the OS at once; fsync when a call asks (``sync=True``, or soon
             after ``EventLog.sync_soon``) and on close
``always``   fsync every line (and every blob before the line that names it)
``none``     never fsync
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from godel.config.keys import DURABILITY_MODES
from godel.exceptions import ConfigError
from godel.log.blobs import BlobStore, fsync_dir
from godel.log.files import log_path
from godel.log.lock import RunLock, lock_path
from godel.strict.privilege import privileged

__all__ = [
    "DURABILITY_MODES",
    "EventStore",
    "JsonlStore",
    "resolve_durability",
]


def resolve_durability(value: str | None = None) -> str:
    """The durability mode: the argument, else the configured one (``$GODEL_DURABILITY``, the
    settings files' ``durability``), else ``"default"``."""
    if value is None:
        from godel.config.load import load_config

        return load_config().config.durability  # type: ignore[no-any-return]
    mode = value.strip().lower() or "default"
    if mode not in DURABILITY_MODES:
        raise ConfigError(f"durability= {value!r} is not one of: {', '.join(DURABILITY_MODES)}")
    return mode


class EventStore(Protocol):
    """The storage an ``EventLog`` writes through: lines, blobs, lock and fsync policy."""

    path: Path
    run_dir: Path
    durability: str

    def iter_lines(self) -> Iterator[bytes]:
        """Every line as stored, with its newline (a torn last line has none)."""
        ...

    def lock(self) -> None:
        """Take the run's writer lock or raise ``RunLockedError``."""
        ...

    def create(self, first_line: bytes) -> None:
        """Create the log (``FileExistsError`` if it exists) and append ``first_line``."""
        ...

    def open_append(self, valid_end: int) -> tuple[int, Path | None]:
        """Open the existing log for appending, cutting anything after ``valid_end``.

        Returns how many bytes were cut, and where they were kept (None when nothing was cut).
        """
        ...

    def append(self, line: bytes, *, sync: bool = False) -> None:
        """Append one complete line (ending in a newline)."""
        ...

    def put_blob(self, text: str) -> str:
        """Store a large string once; return its sha256 hex digest."""
        ...

    def get_blob(self, digest: str) -> str:
        """The string stored under ``digest`` (``OSError``/``ValueError`` if unreadable)."""
        ...

    def sync(self) -> None:
        """Make everything appended so far durable (per the durability policy)."""
        ...

    def close(self) -> None:
        """Sync (per policy), close and release the lock. Idempotent."""
        ...

    def release(self) -> None:
        """Close and release the lock without syncing (for cleanup paths). Idempotent."""
        ...


class JsonlStore:
    """A run stored as ``<runs_dir>/<run_id>.jsonl`` plus ``<runs_dir>/<run_id>/blobs/``."""

    def __init__(self, runs_dir: Path, run_id: str, *, durability: str = "default") -> None:
        self.runs_dir = runs_dir
        self.run_id = run_id
        self.path = log_path(runs_dir, run_id)
        self.run_dir = runs_dir / run_id
        self.durability = durability
        self._always = durability == "always"
        self._never = durability == "none"
        self.blobs = BlobStore(
            self.run_dir, fsync_each=self._always, track_unsynced=not self._never
        )
        self._lock = RunLock(lock_path(runs_dir, run_id), run_id)
        self._fd: int | None = None
        self._size = 0  # bytes known to be complete lines; a failed append is cut back to it
        self._dirty = False  # lines appended since the last fsync
        self._dirty_dirs: dict[Path, None] = {}
        self._unpublished = False  # created, but only its header written so far

    # reading ---------------------------------------------------------------------------------
    def iter_lines(self) -> Iterator[bytes]:
        with privileged():
            f = open(self.path, "rb")
        with f:
            yield from f

    # opening ---------------------------------------------------------------------------------
    def lock(self) -> None:
        with privileged():
            if not self.runs_dir.is_dir():
                self.runs_dir.mkdir(parents=True, exist_ok=True)
                self._dirty_dirs[self.runs_dir.parent] = None
            self._lock.acquire()

    def create(self, first_line: bytes) -> None:
        # The log is written under a hidden name and appears under its own name with its first
        # event (see append): a crash right after creation must not leave a log that has a
        # header but no run in it, which nothing could resume.
        if self.path.exists():
            raise FileExistsError(f"{self.path} already exists")
        with privileged():
            fd = os.open(
                self._unpublished_path(), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644
            )
        self._fd = fd
        self._size = 0
        self._dirty_dirs[self.runs_dir] = None
        try:
            self.append(first_line)
        except OSError as exc:
            # A full disk: leave no empty hidden log behind, and say which log it was (a failed
            # os.write names no file).
            self._fd = None
            os.close(fd)
            with privileged():
                self._unpublished_path().unlink(missing_ok=True)
            if exc.filename is None:
                raise OSError(exc.errno, exc.strerror, str(self.path)) from exc
            raise
        self._unpublished = True

    def _unpublished_path(self) -> Path:
        return self.path.with_name(f".{self.path.name}.new")

    def _publish(self) -> None:
        self._unpublished = False
        with privileged():
            os.rename(self._unpublished_path(), self.path)
            if not self._never:  # once per run: the log's entry under its own name is durable
                fsync_dir(self.runs_dir)
                self._dirty_dirs.pop(self.runs_dir, None)  # its creation needs no second flush

    def open_append(self, valid_end: int) -> tuple[int, Path | None]:
        """Open for appending after the last complete line. A torn line after it is cut off,
        its bytes kept first in ``<run_dir>/torn-<offset>.bin``: nothing that reached the disk
        is lost. Returns how many bytes were cut, and where they were kept."""
        with privileged():
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND)
        try:
            size = os.fstat(fd).st_size
            cut = max(0, size - valid_end)
            kept = self._keep_torn(fd, valid_end, cut) if cut else None
            if cut:
                with privileged():
                    os.ftruncate(fd, valid_end)
                if not self._never:
                    os.fsync(fd)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        self._size = size - cut
        return cut, kept

    def _keep_torn(self, fd: int, offset: int, length: int) -> Path:
        kept = self.run_dir / f"torn-{offset}.bin"
        with privileged():
            self.run_dir.mkdir(parents=True, exist_ok=True)
            with open(kept, "wb") as out:
                done = 0
                while done < length:
                    chunk = os.pread(fd, min(1 << 20, length - done), offset + done)
                    if not chunk:
                        break
                    out.write(chunk)
                    done += len(chunk)
                out.flush()
                if not self._never:
                    os.fsync(out.fileno())  # kept before the cut is made
            if not self._never:
                fsync_dir(self.run_dir)
        return kept

    # writing ---------------------------------------------------------------------------------
    def append_lines(self, lines: list[bytes], *, sync: bool = False) -> None:
        """Append several complete lines with one ``write``: all of them or none (see
        ``append``, which cuts a partial write back)."""
        self.append(b"".join(lines), sync=sync)

    def append(self, line: bytes, *, sync: bool = False) -> None:
        fd = self._fd
        if fd is None:
            raise ValueError(f"{self.path} is not open for appending")
        try:
            written = os.write(fd, line)
            while written < len(line):  # short writes happen on a nearly full disk
                written += os.write(fd, line[written:])
        except OSError:
            self._cut_back(fd)
            raise
        self._size += len(line)
        if self._always or (sync and not self._never):
            self._fsync(fd)
        else:
            self._dirty = True
        if self._unpublished:
            self._publish()

    def _cut_back(self, fd: int) -> None:
        # Remove a partial line so that the next append does not glue onto it and leave a
        # corrupt line in the middle of the log.
        try:
            with privileged():
                os.ftruncate(fd, self._size)
        except OSError:
            pass

    def put_blob(self, text: str) -> str:
        return self.blobs.put(text)

    def get_blob(self, digest: str) -> str:
        return self.blobs.get(digest)

    def check_blob(self, digest: str) -> None:
        """Raise what ``get_blob`` would, without holding the blob (``BlobStore.check``)."""
        self.blobs.check(digest)

    # durability ------------------------------------------------------------------------------
    def sync(self) -> None:
        fd = self._fd
        if fd is None or self._never or not self._unsynced():
            return
        self._fsync(fd)

    def _unsynced(self) -> bool:
        return self._dirty or bool(self._dirty_dirs) or self.blobs.pending

    def _fsync(self, fd: int) -> None:
        # Blobs and directory entries first: a durable line must never name a lost blob.
        self.blobs.sync()
        if self._dirty_dirs:
            with privileged():
                for directory in self._dirty_dirs:
                    fsync_dir(directory)
            self._dirty_dirs.clear()
        os.fsync(fd)
        self._dirty = False

    def close(self) -> None:
        fd = self._fd
        try:
            if fd is not None and not self._never and self._unsynced():
                self._fsync(fd)
            if self._unpublished:  # closed without a single event: show it anyway, it was asked for
                self._publish()
        finally:
            self.release()

    def release(self) -> None:
        fd, self._fd = self._fd, None
        try:
            if fd is not None:
                os.close(fd)
        finally:
            self._lock.release()
