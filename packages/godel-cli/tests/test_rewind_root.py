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
    assert "[godel] resumed run completed in" in resumed.stderr
    assert (tmp_path / "marks.txt").read_text() == "ran\nran\n"
    final = events(log)
    draws = [e for e in final if e["op"] == "det.randint"]
    assert [d["status"] for d in draws] == ["INVALIDATED", "FINISHED"]
    assert final[0]["status"] == "FINISHED"
    assert final[0]["response"]["result"] == ["x", draws[1]["response"]["value"]]
    assert draws[0]["response"]["value"] == first_value


def test_rewind_of_a_corrupt_log_is_one_line(godel_run, tmp_path):
    """As show and resume say it: exit 1, no traceback, the log unchanged."""
    (tmp_path / "wf.py").write_text(WORKFLOW)
    assert godel_run("run", "wf.py", "--", "x").returncode == 0
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    lines = log.read_text().splitlines()
    lines[2] = "{not json"
    log.write_text("\n".join(lines) + "\n")
    before = log.read_bytes()
    refused = godel_run("rewind", log.stem, "--to", "abcd1234")
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"[godel] cannot read run {log.stem}: {log}:3: corrupt")
    assert "Traceback" not in refused.stderr and log.read_bytes() == before
    shown = godel_run("show", log.stem)
    assert shown.returncode == 1 and shown.stderr.splitlines()[-1] == refused.stderr.strip()
