"""`godel rewind RUN --to <WORKFLOW_STARTED>`: go back to the very start; resume runs it all again."""

from __future__ import annotations

import json
from pathlib import Path

WORKFLOW = """
from godel import workflow, step, run, det

@step
async def mark():
    await run("echo ran >> marks.txt")
    return det.randint(1, 10**9)

@workflow
async def wf(label):
    return [label, await mark()]
"""


def events(log: Path) -> list[dict]:
    folded: dict[str, dict] = {}
    for line in log.read_text().splitlines()[1:]:
        event = json.loads(line)
        folded[event["event_id"]] = event
    return list(folded.values())


def test_rewind_to_the_workflow_start_reruns_everything_once_allowed(godel_run, tmp_path):
    (tmp_path / "wf.py").write_text(WORKFLOW)
    assert godel_run("run", "wf.py", "--", "x").returncode == 0
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    run_id = log.stem
    root = events(log)[0]
    assert root["op"] == "WORKFLOW_STARTED"
    first_value = root["response"]["result"][1]

    # Running the command again is a side effect: refused unless declared safe.
    refused = godel_run("rewind", run_id, "--to", root["event_id"][-8:])
    assert refused.returncode == 2, refused.stderr
    assert "rewind refused" in refused.stderr and "echo ran >> marks.txt" in refused.stderr

    allowed = godel_run("rewind", run_id, "--to", root["event_id"], "--assume-idempotent")
    assert allowed.returncode == 0, allowed.stderr
    assert "invalidated 3 event(s)" in allowed.stderr  # the step, its command and its draw
    after_rewind = {e["event_id"]: e["status"] for e in events(log)}
    assert after_rewind[root["event_id"]] == "FINISHED"  # the root keeps the arguments

    resumed = godel_run("resume", run_id)
    assert resumed.returncode == 0, resumed.stderr
    assert "[godel] completed in" in resumed.stderr
    assert (tmp_path / "marks.txt").read_text() == "ran\nran\n"
    final = events(log)
    draws = [e for e in final if e["op"] == "det.randint"]
    assert [d["status"] for d in draws] == ["INVALIDATED", "FINISHED"]
    assert final[0]["status"] == "FINISHED"
    assert final[0]["response"]["result"] == ["x", draws[1]["response"]["value"]]
    assert draws[0]["response"]["value"] == first_value
