"""A run started from Python (``asyncio.run(wf())``, no CLI) resumed with the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import clean_env

WORKFLOW = """
import asyncio
from pathlib import Path

from godel import WorkflowFail, run, step, workflow


@step
async def gate():
    if Path("closed").exists():
        raise WorkflowFail("closed")
    return (await run(["echo", "open"])).stdout.strip()


@workflow
async def main():
    return [(await run(["echo", "first"])).stdout.strip(), await gate()]


if __name__ == "__main__":
    print(asyncio.run(main()))
"""


def test_a_run_started_from_python_records_its_file_and_resumes_from_the_cli(
    tmp_path: Path, godel_run: Callable[..., Any]
) -> None:
    """It used to record ``"source_file": ""``: ``godel resume RUN`` asked for FILE."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "wf.py").write_text(WORKFLOW)
    (tmp_path / "closed").touch()
    started = subprocess.run(
        [sys.executable, "sub/wf.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(),
        timeout=60,
    )
    assert "WorkflowFail: closed" in started.stderr
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    lines = log.read_text().splitlines()
    header, root = json.loads(lines[0])["godel_log"], json.loads(lines[1])
    file = str((tmp_path / "sub" / "wf.py").resolve())  # absolute, as `godel run` records it
    assert header["source_file"] == file and root["request"]["source_file"] == file

    (tmp_path / "closed").unlink()
    plan = godel_run("resume", log.stem, "--plan", "--json")
    assert plan.returncode == 0, plan.stderr
    assert json.loads(plan.stdout)["file"] == file
    resumed = godel_run("resume", log.stem)
    assert resumed.returncode == 0, resumed.stderr
    assert "completed" in resumed.stderr
