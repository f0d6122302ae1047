"""A step that neither waits nor records anything is one log line; one that does is in flight
from then on, its start written before anything inside it (the speed issue's log-size row)."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

STEPS = """
from godel import det, run, step, workflow

@step
async def trivial(i):
    return i

@step
async def shell():
    return (await run(["true"])).returncode

@workflow
async def main():
    for i in range(200):
        await trivial(i)
    return await shell()
"""

# A step waiting on something outside godel (an HTTP client, say): strict mode would refuse it.
WAITS = """
import anyio
from godel import step, workflow

@step
async def slow():
    await anyio.sleep(30)

@workflow
async def main():
    await slow()
"""


def lines(tmp_path: Path) -> list[dict]:
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    return [json.loads(line) for line in log.read_text().splitlines()[1:]]


def test_a_trivial_step_is_one_finished_line_of_at_most_600_bytes(godel_run, tmp_path):
    (tmp_path / "steps.py").write_text(STEPS)
    proc = godel_run("run", "steps.py", "--no-lint")
    assert proc.returncode == 0, proc.stderr
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    raw = log.read_bytes().splitlines(keepends=True)[1:]
    events = [json.loads(line) for line in raw]
    trivial = [
        (line, e) for line, e in zip(raw, events, strict=True) if e["step_path"] == ["trivial"]
    ]
    assert len(trivial) == 200
    assert all(e["status"] == "FINISHED" and e["op"] == "step.enter" for _, e in trivial)
    assert [e["invocation_seq"] for _, e in trivial] == list(range(200))
    assert all(e["ts_start"] <= e["ts_end"] for _, e in trivial)
    assert all(e["request"]["args"] == [i] for i, (_, e) in enumerate(trivial))
    assert max(len(line) for line, _ in trivial) <= 600
    # A step with a side effect inside: its start is on disk before the effect's.
    shell = [e for e in events if e["step_path"] == ["shell"]]
    assert [(e["op"], e["status"]) for e in shell] == [
        ("step.enter", "STARTED"),
        ("run", "STARTED"),
        ("run", "FINISHED"),
        ("step.enter", "FINISHED"),
    ]
    assert shell[1]["parent_id"] == shell[0]["event_id"] == shell[3]["event_id"]
    # show reads it as before
    run_id = log.name[: -len(".jsonl")]
    shown = godel_run("show", run_id)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.count("trivial") >= 200


def test_a_step_that_waits_is_in_flight_for_readers(tmp_path, godel_bin, cli_env, godel_run):
    (tmp_path / "waits.py").write_text(WAITS)
    proc = subprocess.Popen(
        [str(godel_bin), "run", "waits.py", "--no-lint", "--no-strict"],
        cwd=tmp_path,
        env=cli_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        started: list[dict] = []
        while time.monotonic() < deadline and not started:
            time.sleep(0.1)
            if list((tmp_path / "runs").glob("*.jsonl")):
                started = [e for e in lines(tmp_path) if e["step_path"] == ["slow"]]
        assert [(e["op"], e["status"]) for e in started] == [("step.enter", "STARTED")]
        run_id = next((tmp_path / "runs").glob("*.jsonl")).name[: -len(".jsonl")]
        tail = godel_run("tail", run_id, "--no-follow", "--format", "json")
        assert any(
            json.loads(line)["step_path"] == ["slow"] and json.loads(line)["status"] == "STARTED"
            for line in tail.stdout.splitlines()
        ), tail.stdout
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143, err  # SIGTERM's exit status
