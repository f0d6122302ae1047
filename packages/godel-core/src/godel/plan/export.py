"""A recorded run copied out of the runs directory (``godel runs export``), e.g. into a test
folder, so ``godel test`` / ``replay_run`` can check later edits of the workflow against it.

What is copied: the log ``<run_id>.jsonl`` and its blobs (``<run_id>/blobs/``, the large values
the log points to). Not the transcript: it is a view of the run, not part of the recording.
"""

from __future__ import annotations

import shutil
from pathlib import Path

__all__ = ["export_run"]


def export_run(run_id: str, runs_dir: str | Path, dest: str | Path, *, force: bool = False) -> Path:
    """Copy run ``run_id`` of ``runs_dir`` into folder ``dest`` (created); the copied log's path.

    ``FileExistsError`` if ``dest`` already holds that run (``force`` replaces it).
    """
    from godel.log.files import check_run_id, log_path

    source_dir = Path(runs_dir)
    source = log_path(source_dir, check_run_id(run_id))
    if not source.is_file():
        raise FileNotFoundError(f"no audit log for run {run_id}: {source} does not exist")
    target_dir = Path(dest)
    target = target_dir / source.name
    blobs = source_dir / run_id / "blobs"
    target_blobs = target_dir / run_id / "blobs"
    if target.resolve() == source.resolve():
        raise FileExistsError(f"{target} is the run's own log")
    if (target.exists() or target_blobs.exists()) and not force:
        raise FileExistsError(f"{target} already exists (--force replaces it)")
    target_dir.mkdir(parents=True, exist_ok=True)
    if target_blobs.exists():
        shutil.rmtree(target_blobs)
    if blobs.is_dir():
        shutil.copytree(blobs, target_blobs)
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(source, tmp)  # a complete copy or none: the log is the last thing in place
    tmp.replace(target)
    return target
