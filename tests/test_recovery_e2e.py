"""Recovery commands end to end (`godel resume`, `rewind`, `pause`, `runs export`): the
mistakes a user can make with them must not cost the run."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from godel.log import EventLog

Runner = Callable[..., subprocess.CompletedProcess[str]]

WORKFLOW = """
from godel import run, step, workflow


@step
async def build():
    return (await run(["echo", "built"])).stdout.strip()


@workflow
async def main():
    return await build()
"""


def recorded(tmp_path: Path, godel_run: Runner) -> str:
    (tmp_path / "wf.py").write_text(WORKFLOW)
    out = godel_run("run", "wf.py", "--runs-dir", "runs")
    assert out.returncode == 0, out.stderr
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    return log.stem


def test_export_onto_its_own_runs_dir_is_refused(tmp_path: Path, godel_run: Runner) -> None:
    run_id = recorded(tmp_path, godel_run)
    log = tmp_path / "runs" / f"{run_id}.jsonl"
    before = log.read_bytes()
    out = godel_run("runs", "export", run_id, "./runs/", "--force", "--runs-dir", "runs")
    assert out.returncode == 1
    assert out.stderr == "[godel] ./runs/ is the runs dir the runs are in: pick another DEST\n"
    assert log.read_bytes() == before  # --force did not delete the only copy


SLOW = """
import godel
from godel import step, workflow


@step
async def wait():
    await godel.sleep(60)


@workflow
async def main():
    await wait()
"""


def test_a_run_still_running_is_neither_tested_nor_planned(
    tmp_path: Path, godel_run: Runner, cli_env: dict[str, str]
) -> None:
    import sys
    import time

    from godel.log import lock_held

    (tmp_path / "wf.py").write_text(SLOW)
    godel = Path(sys.executable).parent / "godel"
    proc = subprocess.Popen(
        [str(godel), "run", "wf.py", "--runs-dir", "runs"],
        cwd=tmp_path,
        env=cli_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            logs = list((tmp_path / "runs").glob("*.jsonl"))
            if logs and lock_held(logs[0].stem, tmp_path / "runs"):
                break
            time.sleep(0.05)
        run_id = logs[0].stem
        tested = godel_run("test", run_id, "--runs-dir", "runs")
        assert tested.returncode == 1
        assert tested.stderr == f"[godel] run {run_id} is running: test it once it has ended\n"
        planned = godel_run("resume", run_id, "--plan", "--runs-dir", "runs")
        assert planned.returncode == 2
        assert f"run {run_id} is in use" in planned.stderr and planned.stdout == ""
    finally:
        proc.kill()
        proc.wait()


def test_godel_test_takes_a_named_workflow_as_file(tmp_path: Path, godel_run: Runner) -> None:
    run_id = recorded(tmp_path, godel_run)
    named = tmp_path / ".godel" / "workflows" / "build.py"
    named.parent.mkdir(parents=True)
    named.write_text(WORKFLOW)
    out = godel_run("test", run_id, "build", "--runs-dir", "runs")
    assert out.returncode == 0, out.stderr
    assert f"PASS run {run_id} with {named}" in out.stderr
    assert out.stdout == "matches   (1 command answered from the recording)\n"


def test_godel_test_without_a_runs_dir_says_so_once(tmp_path: Path, godel_run: Runner) -> None:
    out = godel_run("test", "01ABCDEF", "--runs-dir", "nope")
    assert out.returncode == 1
    assert out.stderr == f"[godel] no run '01ABCDEF': no runs directory at {tmp_path / 'nope'}\n"


def test_the_pause_hint_keeps_the_runs_dir(tmp_path: Path, godel_run: Runner) -> None:
    run_id = recorded(tmp_path, godel_run)
    paused = godel_run("pause", run_id, "--runs-dir", "runs")
    assert paused.returncode == 0
    assert f"[godel] resume with: godel resume {run_id} --runs-dir runs\n" in paused.stderr


def test_the_rewind_hint_keeps_the_runs_dir(tmp_path: Path, godel_run: Runner) -> None:
    run_id = recorded(tmp_path, godel_run)
    (step,) = [e for e in EventLog.load(run_id, tmp_path / "runs") if e.op == "step.enter"]
    out = godel_run(
        "rewind", run_id, "--to", step.event_id, "--assume-idempotent", "--runs-dir", "runs"
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr.endswith(f"[godel] resume with: godel resume {run_id} --runs-dir runs\n")
    assert godel_run("resume", run_id, "--runs-dir", "runs").returncode == 0  # as printed
