"""Copying a run between stores (``godel runs export`` / ``import``): the log's lines byte for
byte, every blob they name (before the lines, as a writer stores them), and the transcript."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from godel.store.protocol import Store

__all__ = ["copy_run"]

_BLOB = re.compile(rb"blobs/([0-9a-f]{64})\]")


def copy_run(source: Store, dest: Store, run_id: str) -> int:
    """Copy run ``run_id`` from ``source`` to ``dest``; returns the number of log lines.

    ``FileExistsError`` if ``dest`` already has the run, ``RunLockedError`` if a writer holds
    it in ``dest``. A run still being written is copied as far as it got. A copy that fails
    part-way (a full disk, a lost server) is removed again where ``dest`` can
    (``discard_copy``: the file store and godel-postgres have it).
    """
    if dest.exists(run_id):
        raise FileExistsError(f"run {run_id} is already in {dest.url}")
    lines, offset = source.read_lines(run_id, 0)
    while True:
        more, offset = source.read_lines(run_id, offset)
        if not more:
            break
        lines += more
    if not lines:
        raise FileNotFoundError(f"no run {run_id} in {source.url}")
    target = dest.run_store(run_id, durability="default")
    target.lock()
    try:
        target.create(lines[0])
    except BaseException:
        target.release()
        raise
    try:
        for line in lines[1:]:
            for digest in _BLOB.findall(line):
                target.put_blob(source.get_blob(run_id, digest.decode()))
            target.append(line)
        transcript = list(source.transcript_lines(run_id))
        if transcript:
            dest.put_transcript_lines(run_id, transcript)
        target.close()  # the last fsync, which a full disk can fail too
    except BaseException:
        discard = getattr(dest, "discard_copy", None)
        try:
            if discard is not None:
                discard(run_id)  # still holding the lock: no writer can have taken the run up
        except Exception:
            pass  # the failure that stopped the copy (a lost server) is the one to report
        finally:
            target.release()
        raise
    return len(lines)
