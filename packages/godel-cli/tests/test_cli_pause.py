"""`godel pause` end to end: its three status lines, the runs dir the run really uses, exit codes."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

TICKER = """
from godel import sleep, step, workflow


@step
async def tick(i):
    await sleep(0.05)
    return i


@workflow
async def main():
    for i in range(2000):
        await tick(i)
"""


def wait_for_run_id(proc: subprocess.Popen[str]) -> str:
    """The id the background ``godel run`` prints once its run has started."""
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if line.startswith("[godel] run "):
            return line.split()[-1]
        assert line, "godel run ended before it started a run"
    proc.kill()
    raise AssertionError("no run id")


def test_pause_a_live_run_in_a_runs_dir_from_the_environment(
    start_run, cli_env: dict[str, str], godel_run, tmp_path: Path
) -> None:
    (tmp_path / "wf.py").write_text(TICKER)
    elsewhere = tmp_path / "elsewhere"
    env = {**cli_env, "GODEL_RUNS_DIR": str(elsewhere)}
    proc = start_run(tmp_path, env)
    run_id = wait_for_run_id(proc)
    try:
        paused = godel_run("pause", run_id[-8:], env={"GODEL_RUNS_DIR": str(elsewhere)})
    finally:
        _out, err = proc.communicate(timeout=60)
    assert paused.returncode == 0 and paused.stdout == ""
    sentinel = paused.stderr.splitlines()[1].removeprefix("[godel] sentinel: ")
    assert Path(sentinel).is_relative_to(elsewhere) and run_id in sentinel
    assert paused.stderr == (
        f"[godel] pause requested for run {run_id}\n"
        f"[godel] sentinel: {sentinel}\n"
        f"[godel] resume with: godel resume {run_id}\n"
    )
    assert proc.returncode == 0 and "[godel] paused after" in err
    assert f"[godel] resume with: godel resume {run_id}" in err
    lines = [json.loads(x) for x in (elsewhere / f"{run_id}.jsonl").read_text().splitlines()[1:]]
    root = [e for e in lines if e["op"] == "WORKFLOW_STARTED"][-1]
    assert root["status"] == "PAUSED" and root["response"]["reason"] == "CLI pause"
    assert not (tmp_path / "runs").exists()


def test_pause_errors(godel_run, tmp_path: Path) -> None:
    missing = godel_run("pause", "01M8ZZZZ")
    assert missing.returncode == 1
    assert missing.stderr == (
        f"[godel] No runs/ directory found at {tmp_path / 'runs'} "
        "(use --runs-dir or GODEL_RUNS_DIR)\n"
    )
    runs = tmp_path / "runs"
    runs.mkdir()
    for suffix in ("AAAAAAAA", "BBBBBBBB"):
        (runs / f"01M8ZZZZZZZZZZZZZZ{suffix}.jsonl").write_text("")
    nothing = godel_run("pause", "01M9ZZZZ")
    assert (nothing.returncode, nothing.stderr) == (
        1,
        f'[godel] No run matching "01M9ZZZZ" in {runs}\n',
    )
    ambiguous = godel_run("pause", "01M8ZZZZ")
    assert (ambiguous.returncode, ambiguous.stderr) == (
        3,
        '[godel] Ambiguous prefix "01M8ZZZZ" — matches: '
        "['01M8ZZZZZZZZZZZZZZAAAAAAAA', '01M8ZZZZZZZZZZZZZZBBBBBBBB']\n",
    )
    invalid = godel_run("pause", "../01M8ZZZZ")
    assert invalid.returncode == 3 and invalid.stderr.startswith('[godel] invalid run id "../')
    assert not list(runs.glob("*.pause")) and not list(runs.glob("*/pause.json"))


def test_the_pause_reason_reaches_disk_redacted(godel_run, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    run_id = "01M8ZZZZZZZZZZZZZZAAAAAAAA"
    (runs / f"{run_id}.jsonl").write_text("")
    token = "ghp_Zx9Cv8Bn7Mm6Ll5Kk4Jj3Hh2Gg1Ff0DdSsAaQq"
    env = {"DEPLOY_TOKEN": "envsecret-4f8a9b2c7d1e"}
    paused = godel_run(
        "pause", run_id, "--reason", f"rotate {token} envsecret-4f8a9b2c7d1e", env=env
    )
    assert paused.returncode == 0, paused.stderr
    sentinel = json.loads((runs / f"{run_id}.pause").read_text())
    assert sentinel["reason"] == "rotate [REDACTED:github_token] [REDACTED:env:DEPLOY_TOKEN]"


ASKS = """
import godel
from godel import step, workflow


@step
async def ask():
    return await godel.input("Ship it? ")


@workflow
async def main():
    return {"approved": await ask()}
"""


def test_a_run_paused_at_a_prompt_exits_while_stdin_stays_open(
    godel_bin: Path, cli_env: dict[str, str], tmp_path: Path
) -> None:
    # A terminal user who pauses a run waiting at input() gets the prompt back at once, without
    # pressing Enter: the line is not read by a thread the interpreter waits for at exit.
    (tmp_path / "wf.py").write_text(ASKS)
    proc = subprocess.Popen(
        [str(godel_bin), "run", "wf.py"],
        cwd=tmp_path,
        env=cli_env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.read(len("Ship it? ")) == "Ship it? "
        run_id = next((tmp_path / "runs").glob("*.jsonl")).stem
        paused = subprocess.run(
            [str(godel_bin), "pause", run_id],
            cwd=tmp_path,
            env=cli_env,
            capture_output=True,
            text=True,
        )
        assert paused.returncode == 0, paused.stderr
        assert proc.wait(timeout=30) == 0  # stdin is still open
    finally:
        proc.kill()
        proc.communicate()
    text = (tmp_path / "runs" / f"{run_id}.jsonl").read_text()
    lines = [json.loads(line) for line in text.splitlines()]
    asked = [e for e in lines if e.get("op") == "input"]
    assert asked and asked[-1]["status"] == "PAUSED"
