"""Fixtures for godel-watch's tests: recorded runs (``data/runs``, real runs of the workflows in
``data/workflows`` and ``examples/``, agents included) and the real ``godel`` command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
RUNS = DATA / "runs"
GODEL = Path(sys.executable).parent / "godel"

# The recorded runs, by what they show.
RECORDED = {
    # examples/pair.py: claude writes a file (a Write tool call), copilot reviews it
    "pair": "01M8TGNZAWGE41H4K7YST6CF5A",
    # examples/parallel_review.py: two agents in parallel, then an input
    "review": "01M8TH8KEZ1A2FY9GN22VZ5Y97",
    # data/workflows/steps.py: parallel commands, retries, nested steps, an input
    "steps": "01M8TH8TZVARYSWWAT4K4HPHY5",
    # data/workflows/resumed.py: failed, then resumed to the end
    "resumed": "01M8TH92CPNBTGQE72JAMNXD6F",
}


@pytest.fixture
def recorded() -> dict[str, str]:
    """Run ids of the recorded runs, by name."""
    return RECORDED


@pytest.fixture
def data() -> Path:
    return DATA


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_") and k != "PYTHONPATH"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("NO_COLOR", None)
    env.update(extra or {})
    return env


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    """A copy of the recorded runs (a test may write a pause request next to them)."""
    target = tmp_path / "runs"
    shutil.copytree(RUNS, target)
    return target


@pytest.fixture
def godel(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``godel ARGS...`` in ``tmp_path`` (stdout is a pipe, so watch is plain)."""

    def run(
        *args: str, env: Mapping[str, str] | None = None, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(GODEL), *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=clean_env(env),
            input=input,
            timeout=120,
        )

    return run
