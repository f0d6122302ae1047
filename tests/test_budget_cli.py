"""``--max-cost`` on the command line: what it refuses, as a usage error (exit 2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

GODEL = Path(sys.executable).parent / "godel"

WORKFLOW = """
from godel import workflow


@workflow
async def main():
    return "ran"
"""


@pytest.mark.parametrize("command", ["run", "resume"])
@pytest.mark.parametrize("usd", ["nan", "NaN", "0", "-1", "inf", "abc"])
def test_a_budget_that_is_not_an_amount_above_zero_is_a_usage_error(tmp_path, command, usd):
    (tmp_path / "wf.py").write_text(WORKFLOW)
    target = "wf.py" if command == "run" else "01M8X1HQ3KV6YTNXVK8T88ACVH"
    out = subprocess.run(
        [str(GODEL), command, target, "--max-cost", usd],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2, out.stderr
    assert "Invalid value for '--max-cost'" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "runs").exists()  # refused before a run started
