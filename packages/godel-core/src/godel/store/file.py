"""The file store, the default: ``<runs_dir>/<run_id>.jsonl`` and its sidecar, as ``godel.log``
writes them. Every method delegates to the code that worked on the runs dir before there was a
store protocol, so choosing it costs nothing per event.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from godel.log.redact import Redactor
    from godel.log.store import EventStore

__all__ = ["FileStore"]


class FileStore:
    """Runs as JSONL files in one directory (``file:///abs/path`` or a plain path)."""

    def __init__(self, runs_dir: str | os.PathLike[str]) -> None:
        self.runs_dir = Path(runs_dir)
        self.url = self.runs_dir.as_uri() if self.runs_dir.is_absolute() else str(self.runs_dir)

    @classmethod
    def from_url(cls, url: str, *, init: bool = False) -> FileStore:
        """``file:///abs/dir`` or ``file:rel/dir``; ``init`` creates the directory."""
        from urllib.parse import unquote, urlparse

        from godel.store.protocol import StoreError

        parsed = urlparse(url)
        host = "" if parsed.netloc.lower() == "localhost" else parsed.netloc  # RFC 8089
        if host and os.name != "nt":  # a share (UNC path) on Windows; elsewhere a typo
            raise StoreError(
                f"cannot use the store URL {url}: it names the host {host!r}; "
                "write file:///abs/path (three slashes)"
            )
        path = unquote(parsed.path if not host else f"//{host}{parsed.path}")
        if not path:  # `file:` or `file://`: not the working directory, as `godel store init ""`
            raise StoreError(f"cannot use the store URL {url}: it names no folder")
        return cls.from_path(path, init=init)

    @classmethod
    def from_path(cls, path: str | os.PathLike[str], *, init: bool = False) -> FileStore:
        """The file store of the folder ``path``; ``init`` creates it."""
        if "\x00" in os.fspath(path):  # %00 in a URL: no folder can be named so
            from godel.store.protocol import StoreError

            raise StoreError(f"cannot use the runs folder {path!r}: it holds a NUL character")
        store = cls(Path(path).expanduser().resolve())
        if init:
            try:
                store.runs_dir.mkdir(parents=True, exist_ok=True)
            except OSError as exc:  # a file in the way, a read-only disk: one line, not a traceback
                from godel.store.protocol import StoreError

                # (not .exists(): that fails again on a name too long)
                in_the_way = isinstance(exc, (FileExistsError, NotADirectoryError))
                reason = "a file is in the way" if in_the_way else exc.strerror
                raise StoreError(
                    f"cannot make the runs folder {store.runs_dir}: {reason}"
                ) from None
        return store

    def __repr__(self) -> str:
        return f"FileStore({str(self.runs_dir)!r})"

    @property
    def location(self) -> Path:
        return self.runs_dir

    def run_store(self, run_id: str, *, durability: str) -> EventStore:
        from godel.log.store import JsonlStore

        return JsonlStore(self.runs_dir, run_id, durability=durability)

    def exists(self, run_id: str) -> bool:
        from godel.log.files import log_path

        return log_path(self.runs_dir, run_id).is_file()

    def list_run_ids(self) -> list[str]:
        from godel.log.files import list_run_ids

        return list_run_ids(self.runs_dir)

    def read_lines(self, run_id: str, offset: int = 0) -> tuple[list[bytes], int]:
        from godel.log.files import log_path

        try:
            with open(log_path(self.runs_dir, run_id), "rb") as f:
                f.seek(offset)
                data = f.read()
        except FileNotFoundError:
            return [], offset
        end = data.rfind(b"\n") + 1
        return data[:end].splitlines(keepends=True), offset + end

    def wait(self, run_id: str, offset: int, timeout: float) -> None:
        time.sleep(timeout)

    def lock_held(self, run_id: str) -> bool:
        from godel.log.lock import lock_held

        return lock_held(run_id, self.runs_dir)

    def request_pause(self, run_id: str, reason: str) -> None:
        from godel.engine.pause import write_pause_request

        write_pause_request(run_id, reason, self.runs_dir)

    def clear_pause(self, run_id: str) -> None:
        from godel.engine.pause import clear_pause_request

        clear_pause_request(run_id, self.runs_dir)

    def pause_checker(self, run_id: str) -> Callable[[], None]:
        from godel.engine.pause import checker, sentinel_path

        return checker(sentinel_path(run_id, self.runs_dir))

    def transcript(self, run_id: str, redactor: Redactor | None) -> Any:
        from godel.log.transcript import Transcript

        return Transcript(self.runs_dir / run_id / "transcript.jsonl", run_id, redactor=redactor)

    def transcript_lines(self, run_id: str) -> Iterator[bytes]:
        from godel.log.transcript import transcript_files

        for path in transcript_files(self.runs_dir / run_id / "transcript.jsonl"):
            with open(path, "rb") as f:
                yield from f

    def put_transcript_lines(self, run_id: str, lines: list[bytes]) -> None:
        path = self.runs_dir / run_id / "transcript.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "ab") as f:
            f.writelines(line if line.endswith(b"\n") else line + b"\n" for line in lines)
            f.flush()
            os.fsync(f.fileno())

    def get_blob(self, run_id: str, digest: str) -> str:
        from godel.log.blobs import BlobStore

        return BlobStore(self.runs_dir / run_id).get(digest)

    def discard_copy(self, run_id: str) -> None:
        """Remove what a copy that failed part-way (``copy_run``) wrote of run ``run_id``: a
        cut-short log would pass for a crashed run, and block the next try as "already there"."""
        import shutil

        from godel.log.files import log_path

        path = log_path(self.runs_dir, run_id)
        path.unlink(missing_ok=True)
        path.with_name(f".{path.name}.new").unlink(missing_ok=True)  # not published yet
        shutil.rmtree(self.runs_dir / run_id, ignore_errors=True)

    def close(self) -> None:
        pass
