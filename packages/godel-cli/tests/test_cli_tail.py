"""``godel tail``: one line per transition, the real end of a run, missing runs, Ctrl+C."""

from __future__ import annotations

import json
import signal
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from godel import print, step, workflow
from godel.engine.workflow import RunOptions, execute
from godel.log.eventlog import EventLog
from godel.log.events import Event, Op
from godel.log.ids import new_id


@step
async def greet(n: int) -> int:
    await print("x" * 5000 if n == 0 else f"hello {n}")
    return n


@workflow
async def greetings() -> None:
    for i in range(3):
        await greet(i)


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    return tmp_path / "runs"


@pytest.fixture
def finished_run(runs: Path) -> str:
    ids: list[str] = []
    options = RunOptions(
        runs_dir=runs, transcript=False, on_start=lambda run_id, _p: ids.append(run_id)
    )
    anyio.run(execute, greetings.__godel_workflow__, (), {}, options)
    return ids[0]


def test_pretty_no_follow(godel_run: Callable[..., Any], finished_run: str, runs: Path) -> None:
    result = godel_run("tail", finished_run, "--no-follow", "--runs-dir", str(runs))
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    log_lines = (runs / f"{finished_run}.jsonl").read_text().splitlines()
    assert len(lines) == len(log_lines) - 1  # every transition; the header is not one
    assert "WORKFLOW_STARTED" in lines[0] and "STARTED" in lines[0]
    assert "WORKFLOW_STARTED" in lines[-1] and "FINISHED" in lines[-1]
    assert any("print" in line and "greet" in line and "hello 2" in line for line in lines)


def test_json_lines_carry_the_log_lines_keys(
    godel_run: Callable[..., Any], finished_run: str, runs: Path
) -> None:
    result = godel_run(
        "tail", finished_run, "--format", "json", "--no-follow", "--runs-dir", str(runs)
    )
    assert result.returncode == 0
    printed = [json.loads(line) for line in result.stdout.splitlines()]
    logged = [
        json.loads(line) for line in (runs / f"{finished_run}.jsonl").read_text().splitlines()[1:]
    ]
    assert len(printed) == len(logged)
    for out, line in zip(printed, logged, strict=True):
        line.pop("blobs", None)  # a moved value shows as its preview, as in the line itself
        assert out == line
        assert list(out) == list(Event.from_dict(out).to_dict())


def test_follow_stops_at_the_end_of_a_finished_run(
    godel_run: Callable[..., Any], finished_run: str, runs: Path
) -> None:
    result = godel_run("tail", finished_run, "--runs-dir", str(runs), "--poll", "0.02")
    assert result.returncode == 0
    assert "FINISHED" in result.stdout.splitlines()[-1]


def test_a_poll_that_is_not_a_number_of_seconds_is_a_usage_error(
    godel_run: Callable[..., Any], finished_run: str, runs: Path
) -> None:
    # nan passed click's range (a traceback from the sleep); inf never polled again (a hang).
    for poll in ("nan", "inf"):
        result = godel_run("tail", finished_run, "--runs-dir", str(runs), "--poll", poll)
        assert result.returncode == 2 and "Invalid value for '--poll'" in result.stderr
        assert "Traceback" not in result.stderr


def test_missing_run_with_no_wait_or_no_follow_exits_1_at_once(
    godel_run: Callable[..., Any], runs: Path
) -> None:
    for flag in ("--no-wait", "--no-follow"):
        result = godel_run("tail", "01M8ZZZZZZZZZZZZZZZZZZZZZZ", flag, "--runs-dir", str(runs))
        assert result.returncode == 1 and "No runs/ directory found at" in result.stderr
        runs.mkdir(exist_ok=True)
        result = godel_run("tail", "01M8ZZZZZZZZZZZZZZZZZZZZZZ", flag, "--runs-dir", str(runs))
        assert result.returncode == 1 and 'No run matching "01M8ZZZZ' in result.stderr
        runs.rmdir()
    assert not runs.exists()


def test_a_runs_dir_variable_naming_a_file_exits_1_instead_of_waiting(
    godel_run: Callable[..., Any], tmp_path: Path
) -> None:
    # --runs-dir FILE is a usage error; GODEL_RUNS_DIR=FILE waited for ever for a run.
    (tmp_path / "afile").write_text("")
    result = godel_run("tail", "01M8ZZZZZZZZZZZZZZZZZZZZZZ", env={"GODEL_RUNS_DIR": "afile"})
    assert result.returncode == 1 and "No runs/ directory found at" in result.stderr


def test_ambiguous_prefix_exits_1(godel_run: Callable[..., Any], runs: Path) -> None:
    runs.mkdir()
    for suffix in ("AAAAAAAA", "BBBBBBBB"):
        (runs / f"01M8ZZZZZZZZZZZZZZ{suffix}.jsonl").write_text("")
    result = godel_run("tail", "01M8ZZZZ", "--no-follow", "--runs-dir", str(runs))
    assert result.returncode == 1 and 'Ambiguous prefix "01M8ZZZZ"' in result.stderr


def test_waits_for_a_run_that_has_not_started(
    godel_bin: Path, cli_env: dict[str, str], runs: Path, tmp_path: Path
) -> None:
    run_id = new_id()
    proc = subprocess.Popen(
        [str(godel_bin), "tail", run_id, "--runs-dir", str(runs), "--poll", "0.02"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env,
        cwd=tmp_path,
    )
    try:
        assert proc.stderr is not None
        assert "waiting for run" in proc.stderr.readline()
        assert not runs.exists()  # waiting creates nothing
        with EventLog.create(runs, run_id) as log:
            root = log.start(Op.WORKFLOW_STARTED, request={"function": "late"})
            log.finish(root, {"result": None})
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert [line.split()[4] for line in out.splitlines()] == ["STARTED", "FINISHED"]


LIVE = textwrap.dedent("""
    from godel import workflow, input, print

    @workflow
    async def live():
        name = await input("name? ")
        await print(f"hi {name}")
""")


def test_follows_a_live_run_until_it_ends(
    godel_bin: Path, cli_env: dict[str, str], tmp_path: Path
) -> None:
    wf = tmp_path / "live.py"
    wf.write_text(LIVE)
    env = {**cli_env, "GODEL_RUNS_DIR": str(tmp_path / "runs")}
    run = subprocess.Popen(
        [str(godel_bin), "run", str(wf), "--auto-checkpoint", "pipe"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    tail = None
    try:
        assert run.stderr is not None and run.stdin is not None
        run_id = next(line.split()[-1] for line in run.stderr if line.startswith("[godel] run "))
        tail = subprocess.Popen(
            [str(godel_bin), "tail", run_id, "--format", "json", "--poll", "0.02"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        assert tail.stdout is not None
        # The checkpoint is visible while the run waits for its answer.
        while True:
            event = json.loads(tail.stdout.readline())
            if event["op"] == "input":
                break
        assert event["status"] == "STARTED"
        run.stdin.write("ada\n")
        run.stdin.flush()
        run.communicate(timeout=60)
        rest, err = tail.communicate(timeout=60)
    finally:
        for proc in (run, tail):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert tail.returncode == 0, err
    last = json.loads(rest.splitlines()[-1])
    assert last["op"] == "WORKFLOW_STARTED" and last["status"] == "FINISHED"


def test_ctrl_c_exits_130_quietly(
    godel_bin: Path, cli_env: dict[str, str], runs: Path, tmp_path: Path
) -> None:
    with EventLog.create(runs) as log:  # a run that died without an end: tail follows it
        log.start(Op.WORKFLOW_STARTED, request={"function": "w"})
    proc = subprocess.Popen(
        [str(godel_bin), "tail", log.run_id, "--runs-dir", str(runs), "--poll", "0.02"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env,
        cwd=tmp_path,
    )
    try:
        assert proc.stderr is not None
        assert "is not running" in proc.stderr.readline()  # it is polling now
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130
    assert "Traceback" not in err and "Aborted" not in err
    assert "WORKFLOW_STARTED" in out
