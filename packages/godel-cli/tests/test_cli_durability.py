"""Resume, rewind and pause through the real CLI: what replays, what re-runs, what is refused."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest


def events(tmp_path: Path, run_id: str) -> list[dict]:
    lines = (tmp_path / "runs" / f"{run_id}.jsonl").read_text().splitlines()[1:]
    folded: dict[str, dict] = {}
    for line in lines:
        e = json.loads(line)
        folded[e["event_id"]] = e
    return list(folded.values())


def only_run(tmp_path: Path) -> str:
    (run_id,) = [p.stem for p in (tmp_path / "runs").glob("*.jsonl")]
    return run_id


def count(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


PIPELINE = """
from pathlib import Path
from godel import workflow, step, run, det, write_text, WorkflowFail

@step
async def build():
    await run(["sh", "-c", "echo built >> marks_build"])
    return det.randint(1, 10**9)

@step
async def check(token):
    if Path("broken").exists():
        raise WorkflowFail("check failed: remove ./broken and resume")
    await write_text("report.txt", f"token={token}")
    return token

@step
async def publish(token):
    await run(["sh", "-c", "echo published >> marks_publish"])
    return token

@workflow
async def pipeline():
    token = await build()
    await check(token)
    return await publish(token)
"""


def test_resume_after_failure_replays_and_never_repeats_completed_effects(godel_run, tmp_path):
    (tmp_path / "wf.py").write_text(PIPELINE)
    (tmp_path / "broken").touch()
    first = godel_run("run", "wf.py")
    assert first.returncode == 1 and "check failed" in first.stderr
    run_id = only_run(tmp_path)
    token = next(e for e in events(tmp_path, run_id) if e["op"] == "det.randint")["response"][
        "value"
    ]
    (tmp_path / "broken").unlink()
    resumed = godel_run("resume", run_id[-8:])  # the short form that `show` prints
    assert resumed.returncode == 0, resumed.stderr
    assert count(tmp_path / "marks_build") == 1
    assert count(tmp_path / "marks_publish") == 1
    assert (tmp_path / "report.txt").read_text() == f"token={token}"
    final = events(tmp_path, run_id)
    root = next(e for e in final if e["op"] == "WORKFLOW_STARTED")
    assert root["status"] == "FINISHED" and root["response"]["result"] == token
    assert [e["request"]["attempt"] for e in final if e["op"] == "RESUME"] == [2]


def test_resume_of_a_finished_run_records_status_and_runs_nothing(godel_run, tmp_path):
    (tmp_path / "wf.py").write_text(PIPELINE)
    assert godel_run("run", "wf.py").returncode == 0
    run_id = only_run(tmp_path)
    again = godel_run("resume", run_id)
    assert again.returncode == 0, again.stderr
    assert count(tmp_path / "marks_build") == 1 and count(tmp_path / "marks_publish") == 1


def test_unknown_and_ambiguous_run_ids(godel_run, tmp_path):
    (tmp_path / "wf.py").write_text(PIPELINE)
    godel_run("run", "wf.py")
    godel_run("run", "wf.py")
    missing = godel_run("resume", "ZZZZZZZZ")
    assert missing.returncode == 1 and 'No run matching "ZZZZZZZZ"' in missing.stderr
    a, b = sorted(p.stem for p in (tmp_path / "runs").glob("*.jsonl"))
    common = next(i for i in range(26) if a[i] != b[i])
    assert common >= 4  # two runs made a moment apart share their timestamp prefix
    ambiguous = godel_run("resume", a[:common])
    assert ambiguous.returncode == 1 and "Ambiguous prefix" in ambiguous.stderr


HOTPATCH = """
from godel import workflow, step, det

@step
async def compute(x):
    value = det.randint(1, 100)
    return BUG(value)

@workflow
async def wf():
    return await compute(1)
"""


def test_hot_patch_a_failed_step_and_resume(godel_run, tmp_path):
    wf = tmp_path / "wf.py"
    wf.write_text(HOTPATCH)
    first = godel_run("run", "wf.py", "--no-lint")
    assert first.returncode == 2 and "NameError" in first.stderr
    run_id = only_run(tmp_path)
    recorded = next(e for e in events(tmp_path, run_id) if e["op"] == "det.randint")["response"][
        "value"
    ]
    wf.write_text(HOTPATCH.replace("BUG(value)", "value * 2"))
    fixed = godel_run("resume", run_id)
    assert fixed.returncode == 0, fixed.stderr
    root = next(e for e in events(tmp_path, run_id) if e["op"] == "WORKFLOW_STARTED")
    assert root["response"]["result"] == recorded * 2


CHANGED = """
from godel import workflow, step, run

@step
async def greet():
    r = await run(["echo", "WORD"])
    return r.stdout.strip()

@step
async def gate():
    await run(["test", "-f", "go"])

@workflow
async def wf():
    word = await greet()
    await gate()
    return word
"""


def test_changed_request_aborts_by_default_and_invalidate_reruns_it(godel_run, tmp_path):
    # The first run fails at its gate: a finished run would not be replayed at all (issue 12).
    wf = tmp_path / "wf.py"
    wf.write_text(CHANGED.replace("WORD", "hello"))
    assert godel_run("run", "wf.py").returncode == 1
    run_id = only_run(tmp_path)
    wf.write_text(CHANGED.replace("WORD", "bye"))
    aborted = godel_run("resume", run_id)
    assert aborted.returncode == 2 and "request changed" in aborted.stderr
    assert "--on-mismatch invalidate" in aborted.stderr
    (tmp_path / "go").touch()
    redone = godel_run("resume", run_id, "--on-mismatch", "invalidate")
    assert redone.returncode == 0, redone.stderr
    final = events(tmp_path, run_id)
    root = next(e for e in final if e["op"] == "WORKFLOW_STARTED")
    assert root["response"]["result"] == "bye"
    assert any(e["op"] == "INVALIDATE" for e in final)


REWINDABLE = """
from godel import workflow, step, run, det

@step
async def a():
    await run(["sh", "-c", "echo a >> marks"], idempotent=True)
    return det.randint(1, 10**9)

@step
async def b(x):
    await run(["sh", "-c", "echo b >> marks"], idempotent=True)
    return x + det.randint(1, 10**9)

@step
async def c(y):
    await run(["sh", "-c", "echo c >> marks"], idempotent=True)
    return y

@workflow
async def wf():
    return await c(await b(await a()))
"""


def test_rewind_to_a_step_reruns_it_and_everything_after(godel_run, tmp_path):
    (tmp_path / "wf.py").write_text(REWINDABLE)
    assert godel_run("run", "wf.py").returncode == 0
    run_id = only_run(tmp_path)
    step_b = next(
        e for e in events(tmp_path, run_id) if e["op"] == "step.enter" and e["step_path"] == ["b"]
    )
    short = step_b["event_id"][-8:]
    # The same target twice (a short id and the full one) is one target.
    rw = godel_run(
        "rewind", run_id, "--to", short, "--to", step_b["event_id"], "--reason", "redo b"
    )
    assert rw.returncode == 0, rw.stderr
    assert "invalidated" in rw.stderr
    (record,) = [e for e in events(tmp_path, run_id) if e["op"] == "REWIND"]
    assert record["request"]["targets"] == [step_b["event_id"]], record["request"]
    assert godel_run("resume", run_id).returncode == 0
    assert (tmp_path / "marks").read_text().split() == ["a", "b", "c", "b", "c"]


def test_targeted_cut_keeps_later_events(godel_run, tmp_path):
    (tmp_path / "wf.py").write_text(REWINDABLE)
    assert godel_run("run", "wf.py").returncode == 0
    run_id = only_run(tmp_path)
    step_a = next(
        e for e in events(tmp_path, run_id) if e["op"] == "step.enter" and e["step_path"] == ["a"]
    )
    assert godel_run("rewind", run_id, "--to", step_a["event_id"], "--cut").returncode == 0
    resumed = godel_run("resume", run_id, "--on-mismatch", "continue")
    assert resumed.returncode == 0, resumed.stderr
    assert (tmp_path / "marks").read_text().split() == ["a", "b", "c", "a"]


def test_rewind_past_a_non_idempotent_command_is_refused(godel_run, tmp_path):
    (tmp_path / "wf.py").write_text(PIPELINE)
    assert godel_run("run", "wf.py").returncode == 0
    run_id = only_run(tmp_path)
    build = next(
        e
        for e in events(tmp_path, run_id)
        if e["op"] == "step.enter" and e["step_path"] == ["build"]
    )
    refused = godel_run("rewind", run_id, "--to", build["event_id"])
    assert refused.returncode == 2
    assert "rewind refused" in refused.stderr and "echo built" in refused.stderr
    allowed = godel_run("rewind", run_id, "--to", build["event_id"], "--assume-idempotent")
    assert allowed.returncode == 0
    again = godel_run("rewind", run_id, "--to", build["event_id"], "--assume-idempotent")
    assert "already invalidated" in again.stderr


SLOW = """
from godel import workflow, step, sleep

@step
async def tick(i):
    await sleep(0.2)
    return i

@workflow
async def wf():
    total = 0
    for i in range(40):
        total += await tick(i)
    return total
"""


@pytest.mark.slow
def test_pause_a_live_run_then_resume_it(tmp_path, start_run, godel_run):
    (tmp_path / "wf.py").write_text(SLOW)
    proc = start_run(tmp_path)
    deadline = time.monotonic() + 20
    while not list((tmp_path / "runs").glob("*.jsonl")) and time.monotonic() < deadline:
        time.sleep(0.05)
    run_id = only_run(tmp_path)
    time.sleep(0.5)
    busy = godel_run("resume", run_id)
    assert busy.returncode == 2 and "in use by another godel process" in busy.stderr
    paused = godel_run("pause", run_id, "--reason", "lunch")
    assert paused.returncode == 0, paused.stderr
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "paused" in err
    final = events(tmp_path, run_id)
    root = next(e for e in final if e["op"] == "WORKFLOW_STARTED")
    assert root["status"] == "PAUSED" and root["response"]["reason"] == "lunch"
    done_before = sum(1 for e in final if e["op"] == "step.enter" and e["status"] == "FINISHED")
    assert 0 < done_before < 40
    not_live = godel_run("pause", run_id)  # requested all the same, as 3.x does, with a warning
    assert not_live.returncode == 0 and "not running" in not_live.stderr
    resumed = godel_run("resume", run_id)
    assert resumed.returncode == 0, resumed.stderr
    root = next(e for e in events(tmp_path, run_id) if e["op"] == "WORKFLOW_STARTED")
    assert root["status"] == "FINISHED" and root["response"]["result"] == sum(range(40))


def test_resume_says_it_cut_a_torn_last_line_and_keeps_its_bytes(godel_run, tmp_path):
    (tmp_path / "wf.py").write_text(
        "import os\nfrom godel import workflow, step, WorkflowFail\n\n@step\nasync def a():\n"
        "    return 1\n\n@workflow\nasync def main():\n    await a()\n"
        "    if not os.path.exists('gate'):\n        raise WorkflowFail('gate closed')\n"
    )
    assert godel_run("run", "wf.py").returncode == 1
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    size = log.stat().st_size
    with open(log, "ab") as f:
        f.write(b'{"event_id": "torn')
    (tmp_path / "gate").write_text("")
    done = godel_run("resume", log.stem)
    assert done.returncode == 0, done.stderr
    kept = tmp_path / "runs" / log.stem / f"torn-{size}.bin"
    assert (
        f"[godel] warning: {log}: cut 18 torn bytes off the end before appending (kept in {kept})"
        in done.stderr
    )
    assert kept.read_bytes() == b'{"event_id": "torn'


def test_resume_refuses_another_workflow_unless_forced(godel_run, tmp_path):
    (tmp_path / "wf.py").write_text(
        "from godel import workflow, WorkflowFail, run\n\n@workflow\nasync def basic(name):\n"
        "    await run(['sh', '-c', 'echo basic >> effects'])\n    raise WorkflowFail('stop')\n"
    )
    (tmp_path / "other.py").write_text(
        "from godel import workflow, run\n\n@workflow\nasync def other(name):\n"
        "    await run(['sh', '-c', 'echo other >> effects'])\n    return name\n"
    )
    assert godel_run("run", "wf.py", "--", "alice").returncode == 1
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    before = log.read_bytes()
    refused = godel_run("resume", log.stem, "other.py")
    assert refused.returncode == 2
    assert refused.stderr == (
        f"[godel] run {log.stem} was started by workflow 'basic', but {tmp_path / 'other.py'} "
        "defines 'other'; pass the file that defines it, or --force to resume with it\n"
    )
    assert log.read_bytes() == before and (tmp_path / "effects").read_text() == "basic\n"
    forced = godel_run("resume", log.stem, "other.py", "--force", "--on-mismatch", "invalidate")
    assert forced.returncode == 0, forced.stderr
    resume = [json.loads(x) for x in log.read_text().splitlines()[1:] if '"RESUME"' in x][-1]
    assert resume["request"]["flags"]["forced_workflow"] == "other"
