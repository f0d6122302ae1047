"""Where runs live: the runs dir (the one resolver every writer and reader uses), a run's files,
and which runs a runs dir holds.

``<runs_dir>/<run_id>.jsonl`` is the audit log; ``<runs_dir>/<run_id>/`` holds the blobs and the
transcript; ``<runs_dir>/<run_id>.lock`` is the run lock (``godel.log.lock``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from godel.log.ids import ulid_ms
from godel.strict.privilege import privileged

__all__ = ["RUN_ID", "check_run_id", "list_run_ids", "log_path", "resolve_runs_dir"]


def resolve_runs_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The runs dir, absolute: ``explicit`` (``--runs-dir``) if given, else the configured one
    (``godel.config``: ``$GODEL_RUNS_DIR``, the settings files, ``./runs`` or the project's
    data dir). The one resolver every command and the runtime use."""
    if explicit not in (None, ""):
        if hasattr(explicit, "run_store"):  # a godel.store.Store stands where a runs dir would
            return explicit  # type: ignore[return-value]
        return Path(explicit).expanduser().resolve()  # type: ignore[arg-type]
    from godel.config.load import load_config

    return load_config().runs_dir


def log_path(runs_dir: str | Path, run_id: str) -> Path:
    """``<runs_dir>/<run_id>.jsonl``."""
    return Path(runs_dir) / f"{run_id}.jsonl"


# What a run id may look like (godel-py's path-traversal guard): letters, digits, "-" and "_".
RUN_ID = re.compile(r"[A-Za-z0-9_\-]{1,128}")


def check_run_id(run_id: str) -> str:
    """``run_id`` if it is a valid run id (1 to 128 letters, digits, "-" or "_"), else
    ``ValueError``: nothing else ever names files in the runs dir."""
    if not isinstance(run_id, str) or not RUN_ID.fullmatch(run_id):
        raise ValueError(f"{run_id!r} is not a valid run id")
    return run_id


def list_run_ids(runs_dir: str | Path) -> list[str]:
    """Run ids in ``runs_dir`` (stems of ``*.jsonl``), newest first.

    ULID run ids sort by the time they encode; others (legacy UUIDs) by the log's mtime.
    """
    if hasattr(runs_dir, "run_store"):  # a godel.store.Store
        return list(runs_dir.list_run_ids())  # type: ignore[attr-defined]
    root = Path(runs_dir)
    keyed: list[tuple[int, str]] = []
    with privileged():
        try:
            entries = list(os.scandir(root))
        except (FileNotFoundError, NotADirectoryError):
            return []
        for entry in entries:
            if not entry.name.endswith(".jsonl") or not entry.is_file():
                continue
            run_id = entry.name[: -len(".jsonl")]
            if not RUN_ID.fullmatch(run_id):
                continue  # not a run's log (a stray file, a name with control characters)
            ms = ulid_ms(run_id)
            if ms is None:
                ms = int(entry.stat().st_mtime * 1000)
            keyed.append((ms, run_id))
    keyed.sort(reverse=True)
    return [run_id for _, run_id in keyed]
