"""`make demo` end to end: examples/pair.py drives claude, codex and copilot against the fake model."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from godel.log.eventlog import EventLog

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

pytestmark = [pytest.mark.agents, pytest.mark.slow]


def test_the_demo_uses_all_three_backends(require_cli, tmp_path: Path) -> None:
    for cli in ("claude", "codex", "copilot"):
        require_cli(cli)
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_")}
    out = subprocess.run(
        [
            str(BIN / "python"),
            "-m",
            "godel.testing.fake_model",
            "--script",
            "examples/pair.fake-model.json",
            "--",
            str(BIN / "godel"),
            "run",
            "examples/pair.py",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout == (
        "claude: Created program.py: it prints hello, world.\n"
        "codex: It printed: hello, world\n"
        "program output: hello, world\n"
        "copilot: approved: Does what the task asks, nothing more.\n"
    )
    (log_path,) = (tmp_path / "runs").glob("*.jsonl")
    log = EventLog.load(log_path.stem, tmp_path / "runs")
    calls = [e for e in log.events if e.op == "agent.call"]
    assert [c.request["backend"] for c in calls] == ["claude", "codex", "copilot"]
