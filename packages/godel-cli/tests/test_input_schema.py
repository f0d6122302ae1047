"""`await godel.input(prompt, schema=Model)`: the answer is parsed and validated into a model
instance, recorded as JSON, and rebuilt from the log on resume."""

from __future__ import annotations

import json
import os
import pty
import subprocess
from pathlib import Path

WORKFLOW = """
from pydantic import BaseModel
from godel import workflow, input, run, print

class Plan(BaseModel):
    name: str
    steps: int

class Count(BaseModel):
    n: int

@workflow
async def wf():
    plan = await input("plan? ", schema=Plan)
    count = await input("count? ", schema=Count)
    await run("test -f go")
    await print(type(plan).__name__, plan.name, plan.steps, type(count).__name__, count.n)
"""


def godel(godel_bin: Path, cwd: Path, env: dict, *args: str, stdin: str = ""):
    return subprocess.run(
        [str(godel_bin), *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def events(log: Path) -> list[dict]:
    folded: dict[str, dict] = {}
    for line in log.read_text().splitlines()[1:]:
        event = json.loads(line)
        folded[event["event_id"]] = event
    return list(folded.values())


def test_answers_are_validated_recorded_as_json_and_rebuilt_on_resume(tmp_path, godel_bin, cli_env):
    (tmp_path / "wf.py").write_text(WORKFLOW)
    first = godel(
        godel_bin, tmp_path, cli_env, "run", "wf.py", stdin='{"name": "ship", "steps": 3}\n7\n'
    )
    assert first.returncode == 1, first.stderr  # no ./go yet
    assert first.stdout == "plan? count? "
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    inputs = [e for e in events(log) if e["op"] == "input"]
    assert [e["response"]["parsed"] for e in inputs] == [{"name": "ship", "steps": 3}, {"n": 7}]
    assert [e["request"]["schema_name"] for e in inputs] == ["Plan", "Count"]

    (tmp_path / "go").touch()
    resumed = godel(godel_bin, tmp_path, cli_env, "resume", log.stem)  # nothing on stdin
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout == "Plan ship 3 Count 7\n"


def test_an_invalid_answer_without_a_terminal_fails_with_one_clear_line(
    tmp_path, godel_bin, cli_env
):
    (tmp_path / "wf.py").write_text(WORKFLOW)
    proc = godel(godel_bin, tmp_path, cli_env, "run", "wf.py", stdin='{"name": "ship"}\n')
    assert proc.returncode == 1
    (line,) = [x for x in proc.stderr.splitlines() if "failed after" in x]
    assert (
        'SchemaValidationFailure: godel.input: the answer \'{"name": "ship"}\' does not match Plan: steps: Field required'
        in line
    )
    assert "Traceback" not in proc.stderr


def test_an_invalid_answer_on_a_terminal_is_explained_and_asked_again(tmp_path, godel_bin, cli_env):
    (tmp_path / "wf.py").write_text(WORKFLOW)
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            [str(godel_bin), "run", "wf.py"],
            cwd=tmp_path,
            env=cli_env,
            stdin=slave,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.write(
            master, b'{"name": "ship", "steps": "three"}\n{"name": "ship", "steps": 3}\nlots\n7\n'
        )
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(master)
        os.close(slave)
    assert proc.returncode == 1, err  # it got past both questions, to ./go
    assert out == "plan? plan? count? count? "
    assert "[godel] that answer does not match Plan: steps: Input should be a valid integer" in err
    assert "[godel] that answer does not match Count: n: Input should be a valid integer" in err
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    inputs = [e for e in events(log) if e["op"] == "input"]
    assert [e["response"]["parsed"] for e in inputs] == [{"name": "ship", "steps": 3}, {"n": 7}]
