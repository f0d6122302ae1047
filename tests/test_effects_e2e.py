"""Recorded effects end to end (`run`, `read_text`, ...): what a resume gets back must be what
the run saw, or an error; never a lossy stand-in."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from godel.log import EventLog
from tests.conftest import GODEL, clean_env

Runner = Callable[..., subprocess.CompletedProcess[str]]

BIG_OUTPUT = """
from godel import run, workflow


@workflow
async def main():
    big = await run(["python3", "-c", "print('x' * 20000)"])
    await run("test -f ok")  # fails on the first run: the resume goes past it
    return len(big.stdout)
"""


def test_a_resume_refuses_to_replay_output_whose_blob_is_lost(
    tmp_path: Path, godel_run: Runner
) -> None:
    (tmp_path / "wf.py").write_text(BIG_OUTPUT)
    first = godel_run("run", "wf.py", "--runs-dir", "runs")
    assert first.returncode == 1, first.stderr
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    (blob,) = (tmp_path / "runs" / log.stem / "blobs").iterdir()
    blob.unlink()
    (tmp_path / "ok").touch()
    out = godel_run("resume", log.stem, "--runs-dir", "runs")
    # Replaying the 200-character preview as the command's stdout would return 232, not 20001.
    assert out.returncode == 2, out.stderr  # a resume refusal, as for a changed request
    assert "completed" not in out.stderr
    assert "response.stdout" in out.stderr and "cannot be replayed" in out.stderr
    assert f"godel rewind {log.stem} --to " in out.stderr
    assert "Traceback" not in out.stderr


CAUGHT_OS_ERROR = """
import godel
from godel import run, workflow


@workflow
async def main():
    try:
        await godel.read_text("missing.txt")
    except FileNotFoundError as exc:
        caught = [exc.errno, exc.strerror, exc.filename, str(exc)]
    await run("test -f ok")  # fails on the first run: the resume goes past it
    return caught
"""


def test_a_replayed_os_error_keeps_its_errno_and_filename(
    tmp_path: Path, godel_run: Runner
) -> None:
    (tmp_path / "wf.py").write_text(CAUGHT_OS_ERROR)
    assert godel_run("run", "wf.py", "--runs-dir", "runs").returncode == 1
    (tmp_path / "ok").touch()
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    out = godel_run("resume", log.stem, "--runs-dir", "runs")
    assert out.returncode == 0, out.stderr
    root = next(
        ev for ev in EventLog.load(log.stem, tmp_path / "runs") if ev.op == "WORKFLOW_STARTED"
    )
    missing = str(tmp_path.resolve() / "missing.txt")
    # What the first run's code saw (the resume raised it again from the log, not read again).
    assert root.response["result"] == [
        2,
        "No such file or directory",
        missing,
        f"[Errno 2] No such file or directory: {missing!r}",
    ]


RELATIVE_READ = """
import godel
from godel import run, workflow


@workflow
async def main():
    text = await godel.read_text("data.txt")
    await run("test -f ok")  # fails on the first run
    return text
"""


def test_a_resume_from_another_directory_names_the_likely_cause(
    tmp_path: Path, godel_run: Runner
) -> None:
    # Relative paths resolve against the working directory: from elsewhere the recorded read
    # asked for another file. The error must not only blame edited code, and must say how
    # to see the difference.
    (tmp_path / "wf.py").write_text(RELATIVE_READ)
    (tmp_path / "data.txt").write_text("x")
    assert godel_run("run", "wf.py", "--runs-dir", "runs").returncode == 1
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = subprocess.run(
        [str(GODEL), "resume", log.stem, "--runs-dir", str(tmp_path / "runs")],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=clean_env(),
        timeout=60,
    )
    assert out.returncode == 2
    assert "the working directory" in out.stderr
    assert f"godel resume {log.stem} --plan shows" in out.stderr
