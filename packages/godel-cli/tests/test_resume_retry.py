"""Resume after a retry that failed twice then succeeded: the failed attempts are not run again.

REFERENCE §17.1: the reference re-runs every recorded failure on resume, so a retried step's
failed attempts ran again (repeating their side effects) and the step could return another value.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

WORKFLOW = """
from godel import workflow, step, retry, run, print

{decorators}
async def flaky():
    # Fails until side.txt has 3 lines: attempts 1 and 2 fail, attempt 3 succeeds.
    r = await run("echo try >> side.txt; n=$(wc -l < side.txt); [ $n -ge 3 ] && echo attempt-$n")
    return r.stdout.strip()

@step
async def later():
    await run("test -f go")

@workflow
async def wf():
    value = await flaky()
    await later()
    await print(f"value={{value}}")
    return value
"""


def events(log: Path) -> list[dict]:
    folded: dict[str, dict] = {}
    for line in log.read_text().splitlines()[1:]:
        event = json.loads(line)
        folded[event["event_id"]] = event
    return list(folded.values())


@pytest.mark.parametrize(
    "decorators",
    ["@step\n@retry(3)", "@retry(3)\n@step"],
    ids=["step-over-retry", "retry-over-step"],
)
def test_resume_serves_the_retried_step_without_running_its_failed_attempts(
    godel_run, tmp_path, decorators
):
    (tmp_path / "wf.py").write_text(WORKFLOW.format(decorators=decorators))
    first = godel_run("run", "wf.py")
    assert first.returncode == 1, first.stderr  # `later` fails: no ./go yet
    assert (tmp_path / "side.txt").read_text() == "try\n" * 3
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    attempts = [e for e in events(log) if e["op"] == "run" and "side.txt" in e["request"]["cmd"]]
    assert [a["status"] for a in attempts] == ["FAILED", "FAILED", "FINISHED"]

    (tmp_path / "go").touch()
    resumed = godel_run("resume", log.stem)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout == "value=attempt-3\n"  # the value the run returned
    assert (tmp_path / "side.txt").read_text() == "try\n" * 3  # no attempt ran again
    final = events(log)
    again = [e for e in final if e["op"] == "run" and "side.txt" in e["request"]["cmd"]]
    assert [a["event_id"] for a in again] == [a["event_id"] for a in attempts]
    assert final[0]["status"] == "FINISHED" and final[0]["response"]["result"] == "attempt-3"


ALWAYS_FAILS = """
from godel import workflow, step, retry, run

@retry({times})
@step
async def flaky():
    await run("echo try >> side.txt; exit 3")

@workflow
async def wf():
    await flaky()
"""


def test_a_failure_replayed_from_the_log_says_so_and_how_to_run_it_again(godel_run, tmp_path):
    # @retry(3) -> @retry(1): the resume replays the recorded failure of attempt 1, so resuming
    # again would replay it again; the printed rewind runs it.
    (tmp_path / "wf.py").write_text(ALWAYS_FAILS.format(times=3))
    assert godel_run("run", "wf.py").returncode == 1
    assert (tmp_path / "side.txt").read_text() == "try\n" * 3
    (tmp_path / "wf.py").write_text(ALWAYS_FAILS.format(times=1))
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    resumed = godel_run("resume", log.stem)
    assert resumed.returncode == 1
    assert (tmp_path / "side.txt").read_text() == "try\n" * 3  # nothing ran
    (note,) = [ln for ln in resumed.stderr.splitlines() if "replayed: nothing ran again" in ln]
    rewind = note.split("To run it again: ", 1)[1].removesuffix(", then resume").split()
    assert rewind[:3] == ["godel", "rewind", log.stem] and rewind[3] == "--to"
    assert godel_run(*rewind[1:]).returncode == 0
    again = godel_run("resume", log.stem)
    assert again.returncode == 1 and "nothing ran again" not in again.stderr  # it ran, live
    assert (tmp_path / "side.txt").read_text() == "try\n" * 4
