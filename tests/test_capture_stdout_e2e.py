"""capture_stdout through `godel run` in a subprocess: the transcript gets the lines, the
terminal (the process's stdout) still shows them."""

from __future__ import annotations

import json
from pathlib import Path

WORKFLOW = """
import os
import sys
from godel import step, workflow, print as gprint


@step(capture_stdout=True)
async def build(n):
    print("compiling", n)
    sys.stdout.write("half a ")
    sys.stdout.write("line\\n")
    os.write(1, b"from fd 1\\n")
    return n * 2


@workflow(capture_stdout=True)
async def main():
    print("workflow says hi")
    result = await build(21)
    await gprint("result", result)
    return result
"""


def stdout_events(tmp_path: Path) -> list[tuple[list[str], str]]:
    (run_dir,) = [p for p in (tmp_path / "runs").iterdir() if p.is_dir()]
    lines = (run_dir / "transcript.jsonl").read_text().splitlines()[1:]
    events = [json.loads(line)["event"] for line in lines]
    return [(e["step_path"], e["line"]) for e in events if e["op"] == "stdout"]


def test_captured_stdout_lands_in_the_transcript_and_on_the_terminal(godel_run, tmp_path):
    (tmp_path / "wf.py").write_text(WORKFLOW)
    proc = godel_run("run", "wf.py")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "workflow says hi",
        "compiling 21",
        "half a line",
        "from fd 1",
        "result 42",
    ]
    assert stdout_events(tmp_path) == [
        ([], "workflow says hi"),
        (["build"], "compiling 21"),
        (["build"], "half a line"),
        (["build"], "from fd 1"),
        ([], "result 42"),
    ]


def test_godel_no_capture_leaves_stdout_alone(godel_run, tmp_path):
    (tmp_path / "wf.py").write_text(WORKFLOW)
    proc = godel_run("run", "wf.py", env={"GODEL_NO_CAPTURE": "1"})
    assert proc.returncode == 0, proc.stderr
    assert "compiling 21" in proc.stdout
    assert stdout_events(tmp_path) == []
