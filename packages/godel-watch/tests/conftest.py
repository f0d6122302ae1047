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

from godel.log import EventLog, EventStatus, Op

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
        *args: str,
        env: Mapping[str, str] | None = None,
        input: str | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(GODEL), *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=clean_env(env),
            input=input,
            timeout=timeout,
        )

    return run


class RunWriter:
    """Runs of the shapes a test needs, written through godel's ``EventLog`` as a run writes
    them (no workflow, no agent CLI). Each method returns the run id."""

    def __init__(self, runs: Path) -> None:
        self.runs = runs

    def _start(self, log: EventLog, function: str = "main") -> object:
        return log.start(
            Op.WORKFLOW_STARTED, request={"function": function, "args": [], "kwargs": {}}
        )

    def _step(self, log: EventLog, root: object, name: str, seq: int = 0) -> object:
        return log.start(
            Op.STEP_ENTER,
            request={"name": name, "args": [], "kwargs": {}},
            step_path=(name,),
            parent_id=root.event_id,  # type: ignore[attr-defined]
            step_local_seq=seq,
        )

    def _resume(self, log: EventLog, root: object, attempt: int) -> None:
        log.record(
            Op.RESUME,
            request={"attempt": attempt},
            response={"cached_events": 1},
            status=EventStatus.FINISHED,
            parent_id=root.event_id,  # type: ignore[attr-defined]
            invocation_seq=-1,
            step_local_seq=-1,
        )

    def agent_run(self, prompt: str = "review this", *, estimated: bool = True) -> str:
        """A finished run with one agent call (copilot/gpt-5) in step ``review``, whose cost
        ($0.02) was estimated from a price table (``cost_estimated``) or reported."""
        log = EventLog.create(self.runs, None, header={"workflow": "main"})
        root = self._start(log)
        step = self._step(log, root, "review")
        call = log.start(
            Op.AGENT_CALL,
            request={"backend": "copilot", "model": "gpt-5", "prompt": prompt},
            step_path=("review",),
            parent_id=step.event_id,  # type: ignore[attr-defined]
        )
        usage = {"input_tokens": 1000, "output_tokens": 100}
        response = {"text": "fine", "usage": usage, "cost_usd": 0.02}
        if estimated:
            response.update(cost_estimated=True, priced_as="gpt-5")
        log.finish(call, response)
        log.finish(step, {"result": "ok"})
        log.finish(root, {"result": "ok"})
        log.close()
        return log.run_id

    def crashed_then_resumed(self) -> str:
        """Step ``slow`` was running when the process died (attempt 1); a resume ran it again
        and finished the run (attempt 2)."""
        log = EventLog.create(self.runs, None, header={"workflow": "main"})
        root = self._start(log)
        fast = self._step(log, root, "fast")
        log.finish(fast, {"result": 1})
        self._step(log, root, "slow", 1)
        log.close()  # killed: slow never ends, the root neither
        log = EventLog.open(log.run_id, self.runs)
        self._resume(log, root, 2)
        slow = self._step(log, root, "slow", 1)
        log.finish(slow, {"result": "done"})
        log.finish(root, {"result": "done"})
        log.close()
        return log.run_id

    def crashed(self) -> str:
        """Step ``slow`` was running when the process died; nothing resumed it."""
        log = EventLog.create(self.runs, None, header={"workflow": "main"})
        root = self._start(log)
        self._step(log, root, "slow")
        log.close()  # killed: slow never ends, the root neither
        return log.run_id

    def failed_then_finished(self) -> str:
        """The workflow failed (``WorkflowFail: gate closed``), then a resume finished it."""
        log = EventLog.create(self.runs, None, header={"workflow": "main"})
        root = self._start(log)
        check = self._step(log, root, "check")
        log.finish(check, {"result": 1})
        log.fail(root, "gate closed", error_type="WorkflowFail")
        log.close()
        log = EventLog.open(log.run_id, self.runs)
        self._resume(log, root, 2)
        log.finish(root, {"result": "ok"})
        log.close()
        return log.run_id


@pytest.fixture
def writer(tmp_path: Path) -> RunWriter:
    """Writes runs into ``tmp_path / "runs"``."""
    return RunWriter(tmp_path / "runs")
