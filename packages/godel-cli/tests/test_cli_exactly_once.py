"""Exactly once through the real CLI: an effect cut short is never silently run again.

A failing ``parallel`` branch lets the commands already running in its siblings finish (so a
resume replays them), ``cancel_running=True`` kills them and a resume refuses to run them
again blindly, and an effect cut by a signal says which signal, and is refused the same way.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path


def events(tmp_path: Path) -> list[dict]:
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    folded: dict[str, dict] = {}
    for line in log.read_text().splitlines()[1:]:
        event = json.loads(line)
        folded[event["event_id"]] = event
    return list(folded.values())


def run_id(tmp_path: Path) -> str:
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    return log.stem


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


# The scenario: `right` appends to its log, then works on; `middle` fails meanwhile
# (the first time only, so that a resume can finish).
SIBLINGS = """
from godel import parallel, run, step, workflow


@step
async def good(name, work):
    await run(f"echo {{name}} >> {{name}}.log; sleep {{work}}")


@step
async def flaky(name):
    await run(f"sleep 0.3; test -e {{name}}.ok || {{{{ touch {{name}}.ok; exit 3; }}}}")


@workflow
async def wf():
    await parallel(good("left", 0), flaky("middle"), good("right", 1.5){extra})
    return "done"
"""


def test_a_failing_branch_lets_running_siblings_finish_and_resume_runs_nothing_twice(
    godel_run, tmp_path
):
    (tmp_path / "wf.py").write_text(SIBLINGS.format(extra=""))
    first = godel_run("run", "wf.py")
    assert first.returncode == 1, first.stderr
    assert "command failed (exit 3)" in first.stderr and "parallel branch 1" in first.stderr
    # `right` was running when `middle` failed: it finished, and its end is recorded.
    assert lines(tmp_path / "right.log") == ["right"]
    right = next(e for e in events(tmp_path) if e["op"] == "run" and "right" in e["request"]["cmd"])
    assert right["status"] == "FINISHED"

    again = godel_run("resume", run_id(tmp_path))
    assert again.returncode == 0, again.stderr
    assert "completed" in again.stderr
    assert lines(tmp_path / "right.log") == ["right"]
    assert lines(tmp_path / "left.log") == ["left"]


def test_cancel_running_records_the_killed_command_interrupted_and_resume_refuses_it(
    godel_run, tmp_path
):
    (tmp_path / "wf.py").write_text(SIBLINGS.format(extra=", cancel_running=True"))
    first = godel_run("run", "wf.py")
    assert first.returncode == 1, first.stderr
    assert lines(tmp_path / "right.log") == ["right"]  # it had appended before it was killed
    right = next(e for e in events(tmp_path) if e["op"] == "run" and "right" in e["request"]["cmd"])
    assert right["status"] == "FAILED"
    assert right["response"]["error_type"] == "Interrupted"
    assert right["response"]["interrupted"] is True
    assert right["response"]["error"] == "cancelled: parallel branch 1 failed"

    refused = godel_run("resume", run_id(tmp_path))
    assert refused.returncode == 2, refused.stderr
    assert (
        "run was interrupted before it finished (cancelled: parallel branch 1 failed); "
        "its outcome is unknown" in refused.stderr
    )
    assert "  Command: echo right >> right.log; sleep 1.5\n" in refused.stderr
    assert f"  Event: {right['event_id']}\n" in refused.stderr
    assert lines(tmp_path / "right.log") == ["right"]  # not run again

    forced = godel_run("resume", run_id(tmp_path), "--assume-idempotent")
    assert forced.returncode == 0, forced.stderr
    assert lines(tmp_path / "right.log") == ["right", "right"]  # as the user allowed
    assert lines(tmp_path / "left.log") == ["left"]


WORKER = """
from godel import run, step, workflow


@step
async def work():
    await run("echo started >> started.log; sleep 30")


@workflow
async def wf():
    await work()
"""


def test_an_effect_cut_by_sigterm_says_so_and_resume_refuses_to_run_it_blindly(
    start_run, godel_run, tmp_path
):
    (tmp_path / "wf.py").write_text(WORKER)
    proc = start_run(tmp_path)
    deadline = time.monotonic() + 30
    while not (tmp_path / "started.log").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 143, err
    by_op = {e["op"]: e for e in events(tmp_path)}
    for op in ("run", "step.enter", "WORKFLOW_STARTED"):
        response = by_op[op]["response"]
        assert by_op[op]["status"] == "FAILED", op
        assert response["error"] == "interrupted by SIGTERM", op
        assert response["error_type"] == "Interrupted" and response["interrupted"] is True, op

    refused = godel_run("resume", run_id(tmp_path))
    assert refused.returncode == 2, refused.stderr
    assert (
        "run was interrupted before it finished (interrupted by SIGTERM); its outcome is unknown"
        in refused.stderr
    )
    assert "  Command: echo started >> started.log; sleep 30\n" in refused.stderr
    assert lines(tmp_path / "started.log") == ["started"]


FAN_OUT = """
import os

from godel import parallel, run, step, workflow


@step
async def work(name):
    await run(f"echo $$ > {name}.pid; sleep 30")


@workflow
async def wf():
    await parallel([work(name) for name in ("a", "b", "c")])
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_signal_during_a_fan_out_kills_every_branch_command_and_says_so(
    start_run, godel_run, tmp_path
):
    (tmp_path / "wf.py").write_text(FAN_OUT)
    proc = start_run(tmp_path)
    pid_files = [tmp_path / f"{name}.pid" for name in "abc"]
    deadline = time.monotonic() + 30
    while not all(p.exists() and p.read_text().strip() for p in pid_files):
        assert time.monotonic() < deadline, "the branches' commands did not start"
        time.sleep(0.02)
    pids = [int(p.read_text()) for p in pid_files]
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 143, err
    assert not [pid for pid in pids if _alive(pid)]  # every group was killed and reaped
    folded = events(tmp_path)
    commands = [e for e in folded if e["op"] == "run"]
    assert len(commands) == 3
    assert {e["op"] for e in folded} >= {"FORK", "WORKFLOW_STARTED"}
    for event in commands + [e for e in folded if e["op"] in ("FORK", "WORKFLOW_STARTED")]:
        assert event["status"] == "FAILED", event["op"]
        assert event["response"]["error"] == "interrupted by SIGTERM", event["op"]
