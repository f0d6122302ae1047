"""Third-party lint rules: godel-echo's ECH001 (installed in the test venv) and a rival package
that claims the same prefix (installed only into a temporary directory)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GODEL = Path(sys.executable).parent / "godel"

SHOUTING = """\
from godel import step, workflow
from godel.agents import echo

agent = echo()


@step
async def ask():
    return await agent("REVIEW THIS PLEASE")


@step
async def ask_quietly():
    return await agent("review this please")


@workflow
async def main():
    await ask()
"""


def godel(
    cwd: Path, *args: str, pythonpath: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_") and k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [str(GODEL), "lint", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "flow.py").write_text(SHOUTING)
    return tmp_path


def test_the_plugin_rule_is_listed_with_its_distribution(project: Path) -> None:
    result = godel(project, "--list-rules")
    row = next(
        line.split(None, 4) for line in result.stdout.splitlines() if line.startswith("ECH001")
    )
    assert row == ["ECH001", "error", "on", "godel-echo", "prompts must not be all capitals"]


def test_the_plugin_rule_runs(project: Path) -> None:
    result = godel(project, "flow.py")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "flow.py:9:23: ECH001 error: prompt is all capitals",
        "    hint: write the prompt in normal case",
    ]


def test_the_plugin_rule_can_be_skipped(project: Path) -> None:
    for skip in ("ECH001", "ECH"):
        result = godel(project, "flow.py", "--skip", skip)
        assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_the_plugin_rule_can_be_suppressed_inline(project: Path) -> None:
    text = SHOUTING.replace(
        '("REVIEW THIS PLEASE")', '("REVIEW THIS PLEASE")  # godel: noqa: ECH001'
    )
    (project / "flow.py").write_text(text)
    result = godel(project, "flow.py")
    assert (result.returncode, result.stdout) == (0, "")


def test_a_second_distribution_claiming_the_prefix_is_refused(
    project: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(site),
            str(REPO / "tests" / "plugins" / "godel-echo-rival"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr
    for args in (("--list-rules",), ("flow.py",)):
        result = godel(project, *args, pythonpath=site)
        assert result.returncode == 2
        assert result.stdout == ""
        assert "prefix 'ECH'" in result.stderr
        assert "godel-echo 0.1.0" in result.stderr and "godel-echo-rival 0.2.0" in result.stderr
    # Without the rival on the path, the same command works again.
    assert godel(project, "--list-rules").returncode == 0
