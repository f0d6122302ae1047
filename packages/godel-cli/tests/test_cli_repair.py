"""`godel repair` with custom agents (no model): the command's flow, output and exit codes.

The agents of the real CLIs are in tests/test_repair_e2e.py; these use ``--agent
MODULE:FUNCTION``, a plain ``async def fn(ctx, tools, **opts)`` in the project directory.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from godel.log.eventlog import EventLog

WORKFLOW = """
from godel import WorkflowFail, step, workflow


@step
async def check():
    if GATE == "closed":
        raise WorkflowFail("gate closed")
    return "ok"


GATE = "closed"


@workflow
async def main():
    return await check()
"""

AGENTS = """
import asyncio


async def fix(ctx, tools, **opts):
    read = await tools.read_file("wf.py")
    await tools.edit_file("wf.py", 'GATE = "closed"', 'GATE = "open"', expected_sha256=read.sha256)
    await tools.resume("opened the gate")
    return {"outcome": "resume", "reason": "opened the gate"}


async def refused(ctx, tools, **opts):
    errors = []
    for path in ("../outside.py", "runs/x.txt", "link.py", ".git/config"):
        try:
            await tools.edit_file(path, "x", "y")
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
    try:
        await tools.edit_file("wf.py", "GATE", "X")
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    print("\\n".join(errors))
    await tools.give_up("nothing to fix")
    return {"outcome": "give_up", "reason": "nothing to fix"}


async def bad_paths(ctx, tools, **opts):
    for path in ("wf.py" + chr(0) + ".txt", "a" * 5000):
        try:
            await tools.read_file(path)
        except Exception as exc:
            print(type(exc).__name__)
    await tools.give_up("no such files")


async def escapes(ctx, tools, **opts):
    try:
        await tools.read_file("x" + chr(27) + "[2J.py")
    except Exception:
        pass
    await tools.give_up("first line" + chr(10) + "[godel] forged" + chr(27) + "[31m")


async def sleepy(ctx, tools, **opts):
    await tools.read_file("wf.py")
    await asyncio.sleep(60)


async def gives_up_by_raising(ctx, tools, **opts):
    from godel.repair import GaveUp

    raise GaveUp("not mine to fix")


async def options(ctx, tools, **opts):
    print(json.dumps({k: opts[k] for k in ("backend", "model", "max_iterations")}))
    return {"outcome": "resume", "reason": "looked"}


async def crash(ctx, tools, **opts):
    raise RuntimeError("the agent broke")


async def undecided(ctx, tools, **opts):
    return "maybe"


def not_async(ctx, tools, **opts):
    return {}


import json
"""


@pytest.fixture
def failed(project) -> tuple[object, str]:
    project.write("wf.py", WORKFLOW)
    project.write("agents.py", AGENTS)
    out = project.godel("run", "wf.py")
    assert out.returncode == 1, out.stderr
    (log,) = (project.root / "runs").glob("*.jsonl")
    return project, log.stem


def test_a_custom_agent_mends_the_run_and_resume_finishes_it(failed) -> None:
    project, run_id = failed
    out = project.godel("repair", run_id[-8:], "--agent", "agents:fix", "--resume")
    assert out.returncode == 0, out.stderr
    lines = out.stderr.splitlines()
    assert lines[:2] == [
        f"[godel] repairing run {run_id} (state: FAILED)",
        "[godel] failure: WorkflowFail: gate closed",
    ]
    assert lines[2].startswith("[godel] repair run ") and "(audit log: " in lines[2]
    assert lines[3:7] == [
        "[godel] read_file wf.py",
        f"[godel]   -> {len(WORKFLOW)} bytes (sha256 "
        + __import__("hashlib").sha256(WORKFLOW.encode()).hexdigest()[:12]
        + ")",
        "[godel] edit_file wf.py",
        f"[godel]   -> edited wf.py (original kept in {project.root}/runs/{run_id}/repair/1/files/wf.py)",
    ]
    assert "[godel] intervention complete in " in out.stderr
    assert ": resume (opened the gate)" in out.stderr
    assert f"[godel] resuming run {run_id}" in out.stderr
    assert out.stdout.startswith("--- a/wf.py\n+++ b/wf.py\n")
    assert '-GATE = "closed"\n+GATE = "open"\n' in out.stdout
    log = EventLog.load(run_id, project.root / "runs")
    assert log.events[0].status.value == "FINISHED"
    (repair,) = [e for e in log.events if e.op == "REPAIR"]
    assert repair.response["outcome"] == "resume"
    assert list(repair.response["edits"]) == ["wf.py"]
    manifest = json.loads((project.root / "runs" / run_id / "repair/1/manifest.json").read_text())
    assert manifest["edits"]["wf.py"]["backup"] == "files/wf.py"
    listed = project.godel("runs", "list")
    assert " repair " in listed.stdout and " main " in listed.stdout


def test_without_resume_it_prints_the_command(failed) -> None:
    project, run_id = failed
    out = project.godel("repair", run_id, "--agent", "agents:fix")
    assert out.returncode == 0, out.stderr
    assert out.stderr.splitlines()[-1] == f"[godel] run `godel resume {run_id}` to continue"
    assert EventLog.load(run_id, project.root / "runs").events[0].status.value == "FAILED"


def test_dry_run_prints_the_context(failed) -> None:
    project, run_id = failed
    out = project.godel("repair", run_id, "--dry-run")
    assert out.returncode == 0, out.stderr
    ctx = json.loads(out.stdout)
    assert ctx["run_id"] == run_id and ctx["state"] == "FAILED"
    assert ctx["failure"]["error"] == "gate closed" and ctx["failure"]["op"] == "step.enter"
    assert ctx["failure"]["step_path"] == ["check"]
    assert ctx["failure"]["source_location"].endswith("wf.py:8")
    assert ctx["project_root"] == str(project.root)
    (source,) = ctx["sources"]
    assert source["path"] == "wf.py" and source["content"] == WORKFLOW
    assert [e["op"] for e in ctx["last_events"]] == ["WORKFLOW_STARTED", "step.enter"]
    assert not (project.root / "runs" / run_id / "repair").exists()
    assert len(list((project.root / "runs").glob("*.jsonl"))) == 1  # no repair run


def test_refused_edits_and_give_up(failed, tmp_path: Path) -> None:
    project, run_id = failed
    (project.root.parent / "outside.py").write_text("x = 1\n")
    (project.root / "link.py").symlink_to(project.root.parent / "outside.py")
    (project.root / ".git").mkdir()
    (project.root / ".git" / "config").write_text("x\n")
    out = project.godel("repair", run_id, "--agent", "agents:refused")
    assert out.returncode == 1, out.stderr
    root = project.root
    assert out.stdout.splitlines() == [
        f"ToolError: refused: ../outside.py is outside the project {root}",
        f"ToolError: refused: runs/x.txt is under the runs directory {root}/runs: audit logs "
        "are not edited",
        f"ToolError: refused: link.py is outside the project {root} (through a symlink)",
        "ToolError: refused: .git/config is under .git",
        "ToolError: old text found 2 times in wf.py; it must match exactly once (copy it from "
        "read_file, with enough context to be unique)",
    ]
    assert "[godel] intervention gave up after " in out.stderr
    assert out.stderr.rstrip().endswith(": nothing to fix")
    assert (project.root.parent / "outside.py").read_text() == "x = 1\n"
    log = EventLog.load(run_id, project.root / "runs")
    (unrecoverable,) = [e for e in log.events if e.op == "UNRECOVERABLE"]
    assert unrecoverable.request["reason"] == "nothing to fix"


def test_a_path_no_file_can_have_is_refused_like_any_other(failed) -> None:
    # A NUL byte or an over-long name (a model can reply with either) is a refusal the agent
    # reads, not an exception that crashes the repair (exit 3).
    project, run_id = failed
    out = project.godel("repair", run_id, "--agent", "agents:bad_paths")
    assert out.returncode == 1, out.stderr
    assert out.stdout.splitlines() == ["ToolError", "ToolError"]
    assert "refused: 'wf.py\\x00.txt' is not a valid path" in out.stderr


def test_what_an_agent_writes_cannot_drive_the_terminal_or_forge_a_line(failed) -> None:
    project, run_id = failed
    out = project.godel("repair", run_id, "--agent", "agents:escapes")
    assert out.returncode == 1, out.stderr
    assert "\x1b" not in out.stderr
    assert all(line.startswith("[godel] ") for line in out.stderr.splitlines())
    assert "[godel] read_file x\\x1b[2J.py" in out.stderr
    assert out.stderr.rstrip().endswith(": first line\\n[godel] forged\\x1b[31m")


def test_ctrl_c_during_a_repair_is_recorded_as_an_interruption(failed) -> None:
    import signal
    import subprocess
    import sys

    project, run_id = failed
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "godel"), "repair", run_id, "--agent", "agents:sleepy"],
        cwd=project.root,
        env=project.env(),
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:  # the agent sleeps once it has read the file
        if line.startswith("[godel]   -> "):
            break
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=30)
    assert proc.returncode == 130
    log = EventLog.load(run_id, project.root / "runs")
    (repair,) = [e for e in log.events if e.op == "REPAIR"]
    assert repair.status == "FAILED"
    assert repair.response["error_type"] == "Interrupted", repair.response
    assert repair.response["error"] == "interrupted by SIGINT"


def test_an_agent_may_raise_gave_up(failed) -> None:
    project, run_id = failed
    out = project.godel("repair", run_id, "--agent", "agents:gives_up_by_raising")
    assert out.returncode == 1, out.stderr
    assert out.stderr.rstrip().endswith(": not mine to fix")


def test_the_options_reach_a_custom_agent(failed) -> None:
    project, run_id = failed
    out = project.godel(
        "repair", run_id, "--agent", "agents:options", "--model", "m1", "--max-iterations", "3"
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"backend": "claude_code", "model": "m1", "max_iterations": 3}


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("agents", "--agent must be MODULE:FUNCTION, got 'agents'"),
        ("nosuchmodule:fn", "cannot import 'nosuchmodule': ModuleNotFoundError"),
        ("agents:nope", "module 'agents' has no attribute 'nope'"),
        ("agents:not_async", "agents:not_async is not an async function"),
    ],
)
def test_a_bad_agent_exits_2(failed, spec: str, says: str) -> None:
    project, run_id = failed
    out = project.godel("repair", run_id, "--agent", spec)
    assert out.returncode == 2, out.stderr
    assert out.stderr.splitlines()[-1].startswith(f"[godel] bad --agent: {says}")
    assert "Traceback" not in out.stderr
    assert len(list((project.root / "runs").glob("*.jsonl"))) == 1  # nothing started


def test_an_unknown_backend_exits_2(failed) -> None:
    project, run_id = failed
    out = project.godel("repair", run_id, "--backend", "nosuch")
    assert out.returncode == 2, out.stderr
    assert out.stderr.splitlines()[-1].startswith("[godel] unknown --backend 'nosuch'; installed: ")


def test_a_crashing_agent_exits_3(failed) -> None:
    project, run_id = failed
    out = project.godel("repair", run_id, "--agent", "agents:crash")
    assert out.returncode == 3, out.stderr
    assert "[godel] intervention agent crashed after " in out.stderr
    assert "RuntimeError: the agent broke" in out.stderr
    assert "Traceback" not in out.stderr
    log = EventLog.load(run_id, project.root / "runs")
    (repair,) = [e for e in log.events if e.op == "REPAIR"]
    assert repair.status.value == "FAILED"
    out = project.godel("repair", run_id, "--agent", "agents:undecided")
    assert out.returncode == 3, out.stderr
    assert "[godel] intervention returned unexpected outcome: 'maybe'" in out.stderr


def test_a_finished_run_is_refused(failed) -> None:
    project, run_id = failed
    assert project.godel("repair", run_id, "--agent", "agents:fix", "--resume").returncode == 0
    out = project.godel("repair", run_id, "--agent", "agents:fix")
    assert out.returncode == 2
    assert out.stderr == (
        "[godel] refusing to repair run in state 'FINISHED' (expected PAUSED or FAILED)\n"
    )


def test_no_such_run_exits_1(failed) -> None:
    project, _ = failed
    out = project.godel("repair", "ZZZZZZZZ")
    assert out.returncode == 1
    assert out.stderr.startswith('[godel] No run matching "ZZZZZZZZ"')


CRASHES_AFTER_EDIT = """
import os


async def fix(ctx, tools, **opts):
    read = await tools.read_file("wf.py")
    await tools.edit_file("wf.py", 'GATE = "closed"', 'GATE = "open"', expected_sha256=read.sha256)
    if os.environ.get("CRASH"):
        raise RuntimeError("crash after the edit")
    await tools.resume("opened the gate")
"""


def test_a_crashed_repair_resumes_like_any_run(failed) -> None:
    project, run_id = failed
    project.write("again.py", CRASHES_AFTER_EDIT)
    out = project.godel("repair", run_id, "--agent", "again:fix", env={"CRASH": "1"})
    assert out.returncode == 3, out.stderr
    (repair_id,) = [p.stem for p in (project.root / "runs").glob("*.jsonl") if p.stem != run_id]
    assert f"[godel] what it did is in its log: godel show {repair_id}" in out.stderr
    # The resume answers read_file and edit_file from the repair's log (the edit is not made
    # twice: its old text is gone), then the agent goes on and decides.
    resumed = project.godel("resume", repair_id)
    assert resumed.returncode == 0, resumed.stderr
    repair_log = EventLog.load(repair_id, project.root / "runs")
    assert [e.op for e in repair_log.events if e.op.startswith("repair.")] == [
        "repair.read_file",
        "repair.edit_file",
        "repair.resume",
    ]
    assert repair_log.events[0].response["result"]["outcome"] == "resume"
    log = EventLog.load(run_id, project.root / "runs")
    statuses = [
        (e.status.value, (e.response or {}).get("outcome")) for e in log.events if e.op == "REPAIR"
    ]
    assert statuses == [("FAILED", None), ("FINISHED", "resume")]
    assert project.godel("resume", run_id).returncode == 0


INPUT_WORKFLOW = """
from godel import input, workflow


@workflow
async def main():
    return {"approved": await input("Ship it? ")}
"""

ANSWERS = """
async def answer(ctx, tools, **opts):
    assert ctx.state == "PAUSED" and ctx.pending_input.prompt == "Ship it? "
    await tools.answer_input("yes")
    await tools.resume("answered")
"""


def test_a_run_paused_at_input_is_answered_by_a_repair(project, godel_bin) -> None:
    import subprocess

    project.write("wf.py", INPUT_WORKFLOW)
    project.write("answers.py", ANSWERS)
    proc = subprocess.Popen(
        [str(godel_bin), "run", "wf.py"],
        cwd=project.root,
        env=project.env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.read(len("Ship it? ")) == "Ship it? "
        (log,) = (project.root / "runs").glob("*.jsonl")
        assert project.godel("pause", log.stem).returncode == 0
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "[godel] paused after" in err
    run_id = log.stem
    (event,) = [e for e in EventLog.load(run_id, project.root / "runs").events if e.op == "input"]
    assert event.status.value == "PAUSED"  # no answer, no failure

    out = project.godel("repair", run_id, "--agent", "answers:answer", "--resume")
    assert out.returncode == 0, out.stderr
    assert "[godel] waiting at input: 'Ship it? '" in out.stderr
    assert "[godel] answer_input 'yes'" in out.stderr
    root = EventLog.load(run_id, project.root / "runs").events[0]
    assert root.status.value == "FINISHED" and root.response["result"] == {"approved": "yes"}


@pytest.mark.postgres
def test_a_run_kept_in_postgres_is_mended_there(project, store_url: str) -> None:
    """``--store URL``: the run, the repair run and the REPAIR event are rows of the store; the
    backup of the edited file is a file of this machine's runs dir, where no log is written."""
    from godel.store import events_of, open_store

    project.write("wf.py", WORKFLOW)
    project.write("agents.py", AGENTS)
    failed = project.godel("run", "wf.py", "--store", store_url)
    assert failed.returncode == 1, failed.stderr
    run_id = failed.stderr.split("[godel] run ", 1)[1].split()[0]
    dry = project.godel("repair", run_id, "--store", store_url, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    ctx = json.loads(dry.stdout)
    assert ctx["state"] == "FAILED" and ctx["failure"]["error"] == "gate closed"
    assert ctx["store"] == store_url and ctx["runs_dir"] == str(project.root / "runs")
    assert [s["path"] for s in ctx["sources"]] == ["wf.py"]
    out = project.godel(
        "repair", run_id[-8:], "--store", store_url, "--agent", "agents:fix", "--resume"
    )
    assert out.returncode == 0, out.stderr
    lines = out.stderr.splitlines()
    assert lines[0] == f"[godel] repairing run {run_id} (state: FAILED)"
    assert (
        lines[2].startswith("[godel] repair run ") and f"(audit log: {store_url} run " in lines[2]
    )
    backup = project.root / "runs" / run_id / "repair" / "1" / "files" / "wf.py"
    assert f"[godel]   -> edited wf.py (original kept in {backup})" in lines
    assert f"[godel] resuming run {run_id}" in out.stderr
    assert backup.read_text() == WORKFLOW
    assert not list((project.root / "runs").glob("*.jsonl"))  # every log is in the store
    store = open_store(store_url)
    events = {ev.event_id: ev for batch in events_of(store, run_id) for ev in batch}
    assert next(iter(events.values())).status.value == "FINISHED"
    (repair,) = [e for e in events.values() if e.op == "REPAIR"]
    assert repair.response["outcome"] == "resume" and list(repair.response["edits"]) == ["wf.py"]
    assert repair.request["backups"] == str(backup.parents[1])
    (repair_id,) = [i for i in store.list_run_ids() if i != run_id]
    assert repair.request["repair_run_id"] == repair_id
    listed = project.godel("runs", "list", "--store", store_url)
    assert " repair " in listed.stdout and " main " in listed.stdout
    assert listed.stdout.count("FINISHED") == 2  # the run, resumed, and the repair run
