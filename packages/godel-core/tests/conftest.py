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
        from godel.engine.workflow import RunOptions, execute

        ids: list[str] = []
        options = RunOptions(
            runs_dir=runs_dir, transcript=transcript, on_start=lambda run_id, _p: ids.append(run_id)
        )
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
        from godel.log.eventlog import EventLog

        return EventLog.load(run_id, runs_dir).events

    return load


# The real agent CLIs, for the end-to-end tests against the fake model server -------------------

AGENT_TOOLS_BIN = Path(__file__).resolve().parents[3] / ".tools" / "node_modules" / ".bin"


@pytest.fixture
def agent_cli(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], str]:
    """``agent_cli("claude")`` → the CLI's path, looked up on PATH with the repository's
    ``.tools/node_modules/.bin`` in front (also left on PATH for the test).

    A missing CLI skips the test, or fails it when ``GODEL_REQUIRE_AGENT_CLIS=1``.
    """
    import os
    import shutil

    monkeypatch.setenv("PATH", f"{AGENT_TOOLS_BIN}{os.pathsep}{os.environ.get('PATH', '')}")

    def find(name: str) -> str:
        path = shutil.which(name)
        if path is None:
            reason = f"the {name} CLI is not installed (not on PATH nor in {AGENT_TOOLS_BIN})"
            if os.environ.get("GODEL_REQUIRE_AGENT_CLIS") == "1":
                pytest.fail(reason + "; GODEL_REQUIRE_AGENT_CLIS=1 requires it")
            pytest.skip(reason)
        return path

    return find
