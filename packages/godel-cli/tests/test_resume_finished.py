"""`godel resume` of a run that already finished: nothing runs again, nothing is appended."""

from __future__ import annotations

import subprocess
import sys

WORKFLOW = """
from godel import workflow, step, run, print, det

@step
async def work(n):
    await run("echo ran >> side.txt")
    return {"n": int(n), "pick": det.randint(1, 10**9) > 0}

@workflow
async def wf(n):
    result = await work(n)
    await print("printed", result["n"])
    return result
"""


def test_resuming_a_finished_run_prints_its_result_and_leaves_the_log_byte_identical(
    godel_run, tmp_path, cli_env
):
    (tmp_path / "wf.py").write_text(WORKFLOW)
    first = godel_run("run", "wf.py", "--", "7")
    assert first.returncode == 0, first.stderr
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    run_id = log.stem
    before = log.read_bytes()
    transcript = (tmp_path / "runs" / run_id / "transcript.jsonl").read_bytes()

    resumed = godel_run("resume", run_id[:10])
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout == ""  # the workflow did not run: nothing printed again
    lines = resumed.stderr.splitlines()
    assert lines[0].startswith(f"[godel] run {run_id} already finished at ")
    assert lines[0].endswith("; nothing to resume")
    assert lines[1] == '[godel] result: {"n": 7, "pick": true}'
    assert log.read_bytes() == before
    assert (tmp_path / "runs" / run_id / "transcript.jsonl").read_bytes() == transcript
    assert (tmp_path / "side.txt").read_text() == "ran\n"

    # The Python API agrees: the recorded result, nothing written.
    script = (
        "import anyio, sys, godel\n"
        "from godel import workflow\n"
        "@workflow\nasync def wf(n):\n    raise AssertionError('must not run')\n"
        "print(anyio.run(lambda: godel.resume(wf, sys.argv[1])))\n"
    )
    api = subprocess.run(
        [sys.executable, "-c", script, run_id],
        cwd=tmp_path,
        env=cli_env,
        capture_output=True,
        text=True,
    )
    assert api.returncode == 0, api.stderr
    assert api.stdout == "{'n': 7, 'pick': True}\n"
    assert log.read_bytes() == before
