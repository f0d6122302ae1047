"""``godel runs import`` / ``export``: a run with blobs and an agent call copied from the file
store into PostgreSQL and back, byte for byte, and the imported run resumed there."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

WORKFLOW = """
import godel
from godel import step, workflow


@step(name="ask")
async def ask(prompt: str) -> str:
    return await godel.agents.echo()(prompt)


@step(name="big")
async def big() -> str:
    return "z" * 30000


@step(name="work")
async def work(i: str) -> str:
    r = await godel.run(["sh", "-c", f"sleep 0.3; echo {i} >> marks.txt; echo item-{i}"])
    return r.stdout.strip()


@workflow
async def main(n="8"):
    answer = await ask("hello " + "q" * 5000)
    blob = await big()
    items = [await work(str(i)) for i in range(int(n))]
    return {"answer": len(answer), "big": len(blob), "items": items}
"""


def test_a_killed_file_run_imported_into_postgres_resumes_there(h, store_url, tmp_path):
    a, b = tmp_path / "A", tmp_path / "B"
    for d in (a, b):
        d.mkdir()
        (d / "wf.py").write_text(WORKFLOW)
    echo_home = tmp_path / "echo-home"
    file_env = h.clean_env({"ECHO_HOME": str(echo_home)})  # A: the file store, ./runs
    pg_env = h.clean_env({"ECHO_HOME": str(echo_home), "GODEL_STORE": store_url})

    def godel(cwd, env, *args):
        return subprocess.run(
            [str(h.GODEL), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
        )

    proc = subprocess.Popen(
        [str(h.GODEL), "run", "wf.py"],
        cwd=a,
        env=file_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    marks = a / "marks.txt"
    deadline = time.monotonic() + 60
    while not (marks.exists() and len(marks.read_text().split()) >= 2):
        assert time.monotonic() < deadline and proc.poll() is None, "the run did not get going"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    (log,) = (a / "runs").glob("*.jsonl")
    run_id = log.stem
    blobs = sorted(p.name for p in (a / "runs" / run_id / "blobs").iterdir())
    assert len(blobs) >= 2  # the agent's prompt and answer, the big result

    imported = godel(b, pg_env, "runs", "import", str(log))
    assert imported.returncode == 0, imported.stderr
    assert imported.stderr.startswith(f"[godel] copied run {run_id} to ")
    assert imported.stderr.rstrip().endswith(" lines)")
    again = godel(b, pg_env, "runs", "import", str(a / "runs"))
    assert again.returncode == 0
    assert f"run {run_id} is already in" in again.stderr

    # The same events, byte for byte, and the same blobs, whichever store they come from.
    back = godel(b, pg_env, "runs", "export", run_id, "back")
    assert back.returncode == 0, back.stderr
    assert (b / "back" / f"{run_id}.jsonl").read_bytes() == log.read_bytes()
    for name in blobs:
        copied = b / "back" / run_id / "blobs" / name
        assert copied.read_bytes() == (a / "runs" / run_id / "blobs" / name).read_bytes()
    shown_file = json.loads(godel(a, file_env, "show", run_id, "--json").stdout)["events"]
    shown_pg = json.loads(godel(b, pg_env, "show", run_id, "--json").stdout)["events"]
    assert shown_pg == shown_file

    asked = (echo_home / "invocations.jsonl").read_text().count("\n")
    resumed = godel(b, pg_env, "resume", run_id, "wf.py", "--assume-idempotent")
    assert resumed.returncode == 0, resumed.stderr
    shown = json.loads(godel(b, pg_env, "show", run_id, "--json").stdout)
    root = next(e for e in shown["events"] if e["op"] == "WORKFLOW_STARTED")
    assert shown["run"]["status"] == "FINISHED"
    assert root["response"]["result"] == {
        "answer": 5006,
        "big": 30000,
        "items": [f"item-{i}" for i in range(8)],
    }
    # The agent call finished before the kill: the resume replayed it, never asked again.
    assert (echo_home / "invocations.jsonl").read_text().count("\n") == asked
    # The file copy on A is untouched by the resume on B.
    assert json.loads(godel(a, file_env, "show", run_id, "--json").stdout)["events"] == shown_file
