"""SIGKILL at random points, then resume: the result equals an uninterrupted run's and no
completed side effect runs twice. A loop over many random kill points, bounded in time."""

from __future__ import annotations

import json
import random
import subprocess
import time
from pathlib import Path

import pytest

WORKFLOW = """
from godel import workflow, step, run, det, write_text, sleep

@step
async def stage(i):
    value = det.randint(1, 10**9)
    await run(["sh", "-c", f"echo {i} >> marks/{i}"])
    await write_text(f"out/{i}.txt", str(value))
    await sleep(0.1)  # the run outlasts most kill points, however fast godel gets
    return value

@workflow
async def wf(n):
    return [await stage(i) for i in range(int(n))]
"""

STAGES = 6
BUDGET_SECONDS = 25


def fold(log: Path) -> list[dict]:
    events: dict[str, dict] = {}
    for line in log.read_text().splitlines()[1:]:
        try:
            e = json.loads(line)
        except ValueError:
            continue  # a torn last line
        events[e["event_id"]] = e
    return list(events.values())


def resume_until_done(
    godel: Path, cwd: Path, env: dict, run_id: str
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(godel), "resume", run_id], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )
    if proc.returncode == 2 and "UnsafeResumeError" in proc.stderr:
        # The kill hit while a command or a write was in flight: say it is safe to redo.
        proc = subprocess.run(
            [str(godel), "resume", run_id, "--assume-idempotent"],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    return proc


@pytest.mark.slow
def test_random_sigkill_then_resume(tmp_path, godel_bin, cli_env):
    rng = random.Random(20261124)
    deadline = time.monotonic() + BUDGET_SECONDS
    iterations = killed_mid_run = 0
    while (time.monotonic() < deadline or killed_mid_run < 3) and iterations < 60:
        iterations += 1
        work = tmp_path / f"it{iterations}"
        (work / "marks").mkdir(parents=True)
        (work / "out").mkdir()
        (work / "wf.py").write_text(WORKFLOW)
        proc = subprocess.Popen(
            [str(godel_bin), "run", "wf.py", "--", str(STAGES)],
            cwd=work,
            env=cli_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.25, 0.9))
        proc.kill()
        proc.wait()
        logs = list((work / "runs").glob("*.jsonl")) if (work / "runs").exists() else []
        if not logs:
            continue  # killed before the run started: nothing to resume
        killed_mid_run += proc.returncode != 0
        run_id = logs[0].stem
        done = resume_until_done(godel_bin, work, cli_env, run_id)
        assert done.returncode == 0, done.stderr
        events = fold(logs[0])
        root = next(e for e in events if e["op"] == "WORKFLOW_STARTED")
        assert root["status"] == "FINISHED"
        result = root["response"]["result"]
        by_id = {e["event_id"]: e for e in events}
        recorded = {}
        for e in events:
            if e["op"] == "det.randint" and e["status"] == "FINISHED":
                stage = by_id[e["parent_id"]]["request"]["args"][0]
                recorded.setdefault(stage, set()).add(e["response"]["value"])
        # every stage drew exactly one value, and the result is made of those values
        assert all(len(v) == 1 for v in recorded.values())
        assert result == [next(iter(recorded[i])) for i in range(STAGES)]
        for i in range(STAGES):
            assert (work / "out" / f"{i}.txt").read_text() == str(result[i])
        in_flight = {
            by_id[e["parent_id"]]["request"]["args"][0]
            for e in events
            if e["op"] == "run" and e["status"] == "STARTED"
        }
        for i in range(STAGES):
            times = len((work / "marks" / str(i)).read_text().split())
            assert times == 1 or (times == 2 and i in in_flight), (i, times, in_flight)
    assert killed_mid_run >= 3
