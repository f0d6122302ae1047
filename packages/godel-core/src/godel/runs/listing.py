"""The summaries of many runs (``godel runs list``, ``godel mcp``'s list_runs).

A store that reads many runs at once (the optional ``read_runs``: PostgreSQL's answers each
batch of runs in one query, their lock states included) is asked once per batch instead of a
few round trips per run; the lines are then parsed and summarised exactly as ``summarize``
does one run's. The file store is read run by run, as before.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

from godel.log.files import resolve_runs_dir
from godel.runs.status import RunSummary, summarize

__all__ = ["summarize_many"]

BATCH = 100  # runs per read_runs call: a long list with --limit reads little more than it shows


def summarize_many(
    run_ids: Sequence[str], runs_dir: str | os.PathLike[str] | Any = None, *, batch: int = BATCH
) -> Iterator[RunSummary]:
    """The summary of each run of ``run_ids``, in order, read lazily (stop early at a limit).

    A log that cannot be read gives an ``UNKNOWN`` summary naming the error, as ``runs list``
    shows it, rather than an exception."""
    directory = resolve_runs_dir(runs_dir)
    read_runs = getattr(directory, "read_runs", None) if hasattr(directory, "run_store") else None
    for start in range(0, len(run_ids), batch):
        chunk = run_ids[start : start + batch]
        source = directory if read_runs is None else _Read(directory, read_runs(chunk))
        for run_id in chunk:
            try:
                yield summarize(run_id, source)
            except Exception as exc:  # one unreadable log must not hide the others
                yield RunSummary.unknown(run_id, f"{type(exc).__name__}: {exc}")


class _Read:
    """A store's runs as ``read_runs`` gave them: what ``summarize`` asks of a store, answered
    from memory (the rest goes to the store)."""

    def __init__(self, store: Any, runs: dict[str, tuple[list[bytes], bool]]) -> None:
        self.store = store
        self.runs = runs

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def exists(self, run_id: str) -> bool:
        return run_id in self.runs

    def read_lines(self, run_id: str, offset: int = 0) -> tuple[list[bytes], int]:
        lines = self.runs.get(run_id, ([], False))[0]
        return lines[offset:], len(lines)

    def lock_held(self, run_id: str) -> bool:
        return self.runs.get(run_id, ([], False))[1]
