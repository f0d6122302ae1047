"""A long log reads the same through both of its paths.

From ``BULK_LINES`` lines on, readers decode with msgspec and take plain event lines straight
into records (``godel.log.format.plain_line_decoder``); before, and for every other line, they
take the general path. A run of 2,500 lines with prints, values kept as blobs, a fan-out, a
failed step, a resume and a command must print exactly the same ``show`` and ``tail`` either
way, in every format.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import godel.log.format as logformat
import godel.log.reader as logreader
from godel_cli.main import cli

from .conftest import clean_env

WORKFLOW = """
import os

from godel import det, parallel, print, run, step, workflow


@step
async def noisy(i):
    await print(f"line {i} é ✓")
    if i % 97 == 0:
        await print("big " * 1500)  # over 4 KiB: kept as a blob
    return {"i": i, "r": det.random(), "big": 2**70 + i}


@step
async def branch(i):
    return i * 2


@step
async def flaky(i):
    if os.environ.get("FAIL_AT") == str(i):
        raise ValueError(f"boom at {i}")
    return i


@workflow
async def main():
    for i in range(400):
        await noisy(i)
    await parallel(*[branch(i) for i in range(200)])
    for i in range(300):
        await flaky(i)
    await run(["echo", "done"])
"""

VARIANTS = [
    [],
    ["--all"],
    ["--json"],
    ["--all", "--json"],
    ["--graph"],
    ["--graph", "--json"],
]


@pytest.fixture(scope="module")
def long_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    here = tmp_path_factory.mktemp("long")
    (here / "wf.py").write_text(WORKFLOW)
    godel = str(Path(__import__("sys").executable).parent / "godel")
    flags = ["--no-lint", "--no-strict", "--runs-dir", "runs"]
    failed = subprocess.run(
        [godel, "run", "wf.py", *flags],
        cwd=here,
        env=clean_env({"FAIL_AT": "250"}),
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 2, failed.stderr  # the workflow raised
    (log,) = (here / "runs").glob("*.jsonl")
    resumed = subprocess.run(
        [godel, "resume", log.stem, "wf.py", *flags],
        cwd=here,
        env=clean_env(),
        capture_output=True,
        text=True,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert len(log.read_bytes().splitlines()) > 2 * logformat.BULK_LINES
    return log.stem, here / "runs"


def outputs(run_id: str, runs: Path) -> list[Any]:
    runner = CliRunner()
    out = []
    for args in VARIANTS:
        result = runner.invoke(cli, ["show", run_id, *args, "--runs-dir", str(runs)])
        out.append((result.exit_code, result.stdout, result.stderr))
    for args in ([], ["--format", "json"], ["-v"]):
        result = runner.invoke(cli, ["tail", run_id, "--no-follow", *args, "--runs-dir", str(runs)])
        out.append((result.exit_code, result.stdout, result.stderr))
    return out


def test_show_and_tail_print_the_same_through_both_paths(
    long_run: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id, runs = long_run
    bulk = outputs(run_id, runs)
    monkeypatch.setattr(logformat, "BULK_LINES", 10**9)
    monkeypatch.setattr(logreader, "BULK_LINES", 10**9)
    general = outputs(run_id, runs)
    assert [code for code, _, _ in bulk] == [0] * len(bulk), [err for _, _, err in bulk]
    for fast, slow, name in zip(bulk, general, [*VARIANTS, "tail", "json", "-v"], strict=True):
        assert fast == slow, name
    shown = bulk[0][1]
    assert "boom at 250" not in shown and "flaky" in shown  # the resumed attempt is shown
    assert "boom at 250" in bulk[1][1]  # --all: the failed attempt too
