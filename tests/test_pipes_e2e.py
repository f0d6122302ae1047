"""A reader that goes away (``godel show RUN | head -1``): the command stops quietly, exit 0.
A full device (``> /dev/full``): one line, exit 1."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GODEL, clean_env

MANY_STEPS = """
from godel import step, workflow


@step
async def s(i):
    return i


@workflow
async def main():
    for i in range(2000):
        await s(i)
"""


@pytest.fixture(scope="module")
def long_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A run whose `show` and `tail` print far more than a pipe holds (64 KiB)."""
    cwd = tmp_path_factory.mktemp("pipes")
    (cwd / "wf.py").write_text(MANY_STEPS)
    done = subprocess.run(
        [str(GODEL), "run", "wf.py"], cwd=cwd, env=clean_env(), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    (log,) = (cwd / "runs").glob("*.jsonl")
    return cwd, log.stem


@pytest.mark.parametrize(
    "command",
    [
        ["show"],
        ["tail", "--no-follow"],
        ["tail", "--no-follow", "--format", "json"],
        ["tail", "--no-follow", "-v"],
    ],
)
def test_a_reader_that_stops_early_ends_the_command_quietly(long_run, command):
    cwd, run_id = long_run
    writer = subprocess.Popen(
        [str(GODEL), *command, run_id],
        cwd=cwd,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert writer.stdout is not None and writer.stderr is not None
    first = writer.stdout.readline()
    writer.stdout.close()  # as `head -1` does once it has its line
    err = writer.stderr.read().decode()
    writer.stderr.close()
    assert writer.wait(timeout=60) == 0, err
    assert first and err == ""


@pytest.mark.parametrize(
    "command",
    [
        ["plugins"],
        ["config", "show"],
        ["lint", "--list-rules"],
        ["runs", "list"],
        ["workflows", "list"],
        ["--version"],
        ["--help"],
        ["show", "--help"],
    ],
)
@pytest.mark.parametrize("help_cache", ["0", "1"])
def test_every_command_whose_reader_is_gone_ends_quietly(long_run, command, help_cache):
    """The reader is gone before the first byte (`| true`): every write fails at once."""
    cwd, _run_id = long_run
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = _godel(cwd, command, write_end, help_cache)
    finally:
        os.close(write_end)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


@pytest.mark.parametrize(
    "command", [["show"], ["config", "show", "--json"], ["runs", "list"], ["--version"]]
)
@pytest.mark.parametrize("help_cache", ["0", "1"])
def test_output_to_a_full_device_is_one_line_not_a_traceback(long_run, command, help_cache):
    cwd, run_id = long_run
    args = [*command, run_id] if command == ["show"] else command
    with open("/dev/full", "w") as full:  # every write fails with ENOSPC
        done = _godel(cwd, args, full, help_cache)
    assert done.returncode == 1, done.stderr
    assert done.stderr == "[godel] a write failed: No space left on device\n"


def _godel(cwd: Path, args: list[str], stdout: Any, help_cache: str) -> Any:
    return subprocess.run(
        [str(GODEL), *args],
        cwd=cwd,
        env=clean_env({"GODEL_HELP_CACHE": help_cache}),
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
    )
