"""Shared fixtures for godel-core's unit tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest


@pytest.fixture
def runs_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private runs directory, also exported as GODEL_RUNS_DIR."""
    d = tmp_path / "runs"
    monkeypatch.setenv("GODEL_RUNS_DIR", str(d))
    return d


@pytest.fixture
def run_wf(runs_dir: Path) -> Callable[..., tuple[Any, str]]:
    """Run a @workflow to completion: ``result, run_id = run_wf(wf, *args, **kwargs)``."""

    def runner(wf: Any, *args: Any, transcript: bool = False, **kwargs: Any) -> tuple[Any, str]:
        from godel.workflows import RunOptions, execute

        ids: list[str] = []
        options = RunOptions(runs_dir=runs_dir, transcript=transcript,
                             on_start=lambda run_id, _p: ids.append(run_id))
        try:
            result = anyio.run(execute, wf.__godel_workflow__, args, kwargs, options)
        except BaseException as exc:
            exc.run_id = ids[0] if ids else None  # type: ignore[attr-defined]
            raise
        return result, ids[0]

    return runner


@pytest.fixture
def load_events(runs_dir: Path) -> Callable[[str], list[Any]]:
    """The folded events of a run."""

    def load(run_id: str) -> list[Any]:
        from godel.log import EventLog

        return EventLog.load(run_id, runs_dir).events

    return load
