"""The pause sentinel (REFERENCE §9): ``<runs_dir>/<run_id>.pause``, in the runs dir the run
really uses, written by ``godel pause`` / ``godel.pause`` and consumed by the run or a resume."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

PAUSE_FROM_INSIDE = """
from godel import workflow, step, run, get_event_log

GODEL = {godel!r}
RUNS = {runs!r}

@step
async def ask():
    rid = get_event_log().run_id
    await run([GODEL, "pause", rid, "--reason", "lunch"])
    # The sentinel is beside the log, in the configured runs dir.
    found = await run(["cat", f"{{RUNS}}/{{rid}}.pause"])
    return found.stdout

@step
async def after():
    return "after"

@workflow
async def wf():
    seen = await ask()
    await after()
    return seen
"""


def fold(log: Path) -> list[dict]:
    events: dict[str, dict] = {}
    for line in log.read_text().splitlines()[1:]:
        event = json.loads(line)
        events[event["event_id"]] = event
    return list(events.values())


def test_a_live_run_pauses_on_the_sentinel_beside_its_log_in_the_configured_runs_dir(
    tmp_path, godel_bin, cli_env
):
    runs = tmp_path / "elsewhere" / "runs"
    (tmp_path / "wf.py").write_text(PAUSE_FROM_INSIDE.format(godel=str(godel_bin), runs=str(runs)))
    env = {**cli_env, "GODEL_RUNS_DIR": str(runs)}
    proc = subprocess.run(
        [str(godel_bin), "run", "wf.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "[godel] paused after" in proc.stderr
    (log,) = runs.glob("*.jsonl")
    run_id = log.stem
    events = fold(log)
    cat = [e for e in events if e["op"] == "run" and e["request"]["cmd"][0] == "cat"]
    sentinel = json.loads(cat[0]["response"]["stdout"])
    assert sentinel["reason"] == "lunch" and set(sentinel) == {"reason", "requested_ts"}
    assert events[0]["status"] == "PAUSED" and events[0]["response"]["reason"] == "lunch"
    assert [e["request"]["name"] for e in events if e["op"] == "step.enter"] == ["ask"]
    assert not (runs / f"{run_id}.pause").exists()  # consumed by the pause
    assert not (tmp_path / "runs").exists()

    resumed = subprocess.run(
        [str(godel_bin), "resume", run_id[-8:]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "[godel] resumed run completed in" in resumed.stderr
    assert [e["request"]["name"] for e in fold(log) if e["op"] == "step.enter"] == ["ask", "after"]


DONE_IN_TWO_STEPS = """
from godel import workflow, step, run

@step
async def first():
    await run("echo first >> marks.txt")

@step
async def second():
    await run("test -f go")
    await run("echo second >> marks.txt")

@workflow
async def wf():
    await first()
    await second()
    return "done"
"""


def test_pausing_a_run_that_is_not_live_writes_the_sentinel_and_resume_clears_it(
    tmp_path, godel_bin, cli_env
):
    (tmp_path / "wf.py").write_text(DONE_IN_TWO_STEPS)
    runs = tmp_path / "runs"
    env = cli_env

    def godel(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(godel_bin), *args], cwd=tmp_path, env=env, capture_output=True, text=True
        )

    assert godel("run", "wf.py").returncode == 1  # `second` fails: no ./go yet
    (log,) = runs.glob("*.jsonl")
    run_id = log.stem
    # The public API, as a user's script calls it: a unique suffix, the default runs dir.
    script = (
        "import godel, sys\n"
        "full = godel.pause(sys.argv[1], reason='not now')\n"
        "print(full)\n"
        "print(godel.write_pause_request(full, 'again'))\n"
    )
    api = subprocess.run(
        [sys.executable, "-c", script, run_id[-8:]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert api.returncode == 0, api.stderr
    full, path = api.stdout.splitlines()
    assert full == run_id
    assert Path(path) == runs / f"{run_id}.pause"
    assert json.loads(Path(path).read_text())["reason"] == "again"
    # A temp file a crashed writer left behind (a minute ago: a younger one may be a live
    # writer's, and is left alone).
    orphan = runs / f"tmpabc123.{run_id}.pause.tmp"
    orphan.write_text("{")
    old = time.time() - 120
    os.utime(orphan, (old, old))

    (tmp_path / "go").touch()
    resumed = godel("resume", run_id)
    # Resume clears the request before it replays, so the first live step does not pause.
    assert resumed.returncode == 0, resumed.stderr
    assert "[godel] resumed run completed in" in resumed.stderr
    assert (tmp_path / "marks.txt").read_text() == "first\nsecond\n"
    assert not (runs / f"{run_id}.pause").exists()
    assert not orphan.exists()
    assert fold(log)[0]["status"] == "FINISHED"


def test_a_run_that_pauses_at_once_is_not_called_not_running(tmp_path, monkeypatch):
    # A live run may take the request, pause and let go of its lock before `godel pause` has
    # finished: whether it was running is asked before the request is written.
    import anyio
    from click.testing import CliRunner

    import godel
    from godel.log.lock import RunLock, lock_path
    from godel_cli.main import cli

    runs = tmp_path / "runs"
    monkeypatch.setenv("GODEL_RUNS_DIR", str(runs))

    @godel.workflow
    async def wf():
        return 1

    anyio.run(wf)
    run_id = wf.last_run_id
    lock = RunLock(lock_path(runs, run_id), run_id)
    lock.acquire()  # as the live run holds it
    written = godel.write_pause_request

    def write_then_pause(*args, **kwargs):
        path = written(*args, **kwargs)
        lock.release()  # the run saw the request at its next step and stopped
        return path

    monkeypatch.setattr(godel, "write_pause_request", write_then_pause)
    result = CliRunner().invoke(cli, ["pause", run_id, "--runs-dir", str(runs)])
    assert result.exit_code == 0, result.output
    assert f"pause requested for run {run_id}" in result.output
    assert "not running" not in result.output
