"""``godel.run`` inside a workflow: the audit event, the transcript, replay, cancellation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import anyio
import pytest

import godel
from godel import CommandFailure, WorkflowFail, parallel, step, workflow
from godel.log.events import EventStatus, Op
from godel.process import reaper
from godel.process.run import stream_parent
from godel.testing import wait_process_gone

PY = sys.executable


def transcript_events(runs_dir: Path, run_id: str) -> list[dict]:
    lines = (runs_dir / run_id / "transcript.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["header"]["run_id"] == run_id
    return [json.loads(line)["event"] for line in lines[1:]]


def run_events(events):
    return [e for e in events if e.op == Op.RUN]


# the audit event -----------------------------------------------------------------------------------
BIG_OUT = 150_000
BIG_ERR = 120_000


@workflow
async def big_output(cwd):
    script = (
        f"import sys; data = sys.stdin.read(); sys.stdout.write(data + 'o' * {BIG_OUT}); "
        f"sys.stderr.write('e' * {BIG_ERR})"
    )
    result = await godel.run(
        [PY, "-c", script], cwd=cwd, env={"GODEL_TEST_VAR": "1"}, stdin="in:", timeout=60
    )
    return len(result.stdout), len(result.stderr)


def test_request_and_full_response_are_recorded(run_wf, load_events, tmp_path):
    result, run_id = run_wf(big_output, str(tmp_path))
    assert result == (3 + BIG_OUT, BIG_ERR)
    (ev,) = run_events(load_events(run_id))
    assert ev.status is EventStatus.FINISHED
    assert ev.request == {
        "cmd": [PY, "-c", ev.request["cmd"][2]],
        "cwd": str(tmp_path),
        "env": {"GODEL_TEST_VAR": "1"},  # only what the caller passed
        "timeout": 60,
        "stdin": "in:",
        "idempotent": False,
    }
    assert ev.response["returncode"] == 0
    assert ev.response["stdout"] == "in:" + "o" * BIG_OUT  # lossless, not truncated
    assert ev.response["stderr"] == "e" * BIG_ERR
    assert isinstance(ev.response["duration"], float) and ev.response["duration"] >= 0
    assert len(ev.stream_path) == 1 and len(ev.stream_path[0]) == 26


@workflow
async def failing_command():
    await godel.run("echo out; echo why >&2; exit 3")


def test_a_failed_command_is_recorded_failed(run_wf, load_events):
    with pytest.raises(CommandFailure, match=r"command failed \(exit 3\)") as info:
        run_wf(failing_command)
    (ev,) = run_events(load_events(info.value.run_id))
    assert ev.status is EventStatus.FAILED
    assert ev.response["error_type"] == "CommandFailure"
    assert "exit 3" in ev.response["error"]
    assert "why" in ev.response["remediation_hint"]


# the transcript ------------------------------------------------------------------------------------
@step
async def chatty():
    await godel.run("echo o1; echo e1 >&2; sleep 0.05; echo o2; echo e2 >&2; printf o3")
    await godel.run(["echo", "second"])


@workflow
async def streaming():
    await chatty()


def test_output_lines_stream_into_the_transcript_in_order(run_wf, load_events, runs_dir):
    _, run_id = run_wf(streaming, transcript=True)
    first, second = run_events(load_events(run_id))
    events = transcript_events(runs_dir, run_id)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    mine = [e for e in events if e["stream_path"] == first.stream_path]
    assert mine[0]["op"] == "run.start" and mine[0]["cmd"].startswith("echo o1")
    assert mine[0]["cwd"] == ""
    assert [e["line"] for e in mine if e["op"] == "stdout"] == ["o1", "o2", "o3"]
    assert [e["line"] for e in mine if e["op"] == "stderr"] == ["e1", "e2"]
    assert all(e["step_path"] == ["chatty"] for e in mine)
    theirs = [e for e in events if e["stream_path"] == second.stream_path]
    assert [(e["op"], e.get("line")) for e in theirs] == [("run.start", None), ("stdout", "second")]
    assert theirs[0]["cmd"] == ["echo", "second"]
    assert first.stream_path != second.stream_path
    assert events[-1]["op"] == "WORKFLOW_FINISHED"


@workflow
async def long_line(size):
    await godel.run([PY, "-c", f"print('x' * {size})"])


def test_a_line_longer_than_a_mebibyte_is_one_transcript_event(run_wf, runs_dir):
    size = 2 * 1024 * 1024 + 3
    _, run_id = run_wf(long_line, size, transcript=True)
    lines = [e["line"] for e in transcript_events(runs_dir, run_id) if e["op"] == "stdout"]
    assert lines == ["x" * size]


@workflow
async def observed(seen):
    await godel.run("echo agent-json; echo warn >&2", line_observer=seen.append)


def test_line_observer_replaces_the_stdout_events(run_wf, runs_dir):
    seen: list[str] = []
    _, run_id = run_wf(observed, seen, transcript=True)
    assert seen == ["agent-json"]
    ops = [
        (e["op"], e.get("line"))
        for e in transcript_events(runs_dir, run_id)
        if e["op"] != "WORKFLOW_FINISHED"
    ]
    assert ops == [("run.start", None), ("stderr", "warn")]


@workflow
async def nested_launch():
    token = stream_parent.set(("AGENTLAUNCH",))
    try:
        await godel.run(["true"])
    finally:
        stream_parent.reset(token)


def test_an_enclosing_launch_prefixes_the_stream_path(run_wf, load_events, runs_dir):
    _, run_id = run_wf(nested_launch, transcript=True)
    (ev,) = run_events(load_events(run_id))
    assert ev.stream_path[0] == "AGENTLAUNCH" and len(ev.stream_path) == 2
    start = transcript_events(runs_dir, run_id)[0]
    assert start["op"] == "run.start" and start["stream_path"] == ev.stream_path


# replay --------------------------------------------------------------------------------------------
@workflow
async def counted(counter, flag):
    result = await godel.run(f"echo ran >> {counter}; echo hello; exit 3", check=False)
    if Path(flag).exists():
        raise WorkflowFail("gate closed")
    return result.returncode, result.stdout


def test_resume_returns_the_recorded_result_without_running_again(
    run_wf, load_events, runs_dir, tmp_path
):
    counter, flag = tmp_path / "counter", tmp_path / "flag"
    flag.touch()
    with pytest.raises(WorkflowFail) as info:
        run_wf(counted, str(counter), str(flag))
    run_id = info.value.run_id
    flag.unlink()
    result = anyio.run(lambda: godel.resume(counted, run_id, runs_dir=runs_dir, transcript=False))
    assert result == (3, "hello\n")
    assert counter.read_text() == "ran\n"
    (ev,) = run_events(load_events(run_id))
    assert ev.status is EventStatus.FINISHED and ev.response["returncode"] == 3


@workflow
async def replay_flips_check(counter, flag, marker):
    check = Path(marker).exists()  # the second attempt asks for check=True
    result = await godel.run(f"echo ran >> {counter}; exit 2", check=check)
    if Path(flag).exists():
        raise WorkflowFail("gate closed")
    return result.returncode


def test_a_replayed_nonzero_result_still_honours_check(run_wf, runs_dir, tmp_path):
    counter, flag, marker = tmp_path / "counter", tmp_path / "flag", tmp_path / "marker"
    flag.touch()
    with pytest.raises(WorkflowFail) as info:
        run_wf(replay_flips_check, str(counter), str(flag), str(marker))
    marker.touch()
    with pytest.raises(CommandFailure, match=r"exit 2"):
        anyio.run(
            lambda: godel.resume(
                replay_flips_check, info.value.run_id, runs_dir=runs_dir, transcript=False
            )
        )
    assert counter.read_text() == "ran\n"


# cancellation and timeouts -------------------------------------------------------------------------
@step
async def runs_forever(pidfile):
    tmp = f"{pidfile}.tmp"
    await godel.run(["sh", "-c", f"sleep 300 & echo $! > {tmp} && mv {tmp} {pidfile}; wait"])


@step
async def fails_when_ready(pidfile):
    while not Path(pidfile).exists():
        await anyio.sleep(0.01)
    raise WorkflowFail("sibling broke")


@workflow
async def sibling_fails(pidfile):
    await parallel(runs_forever(pidfile), fails_when_ready(pidfile), cancel_running=True)


def test_cancel_running_kills_a_sibling_command_and_records_it_interrupted(
    run_wf, load_events, tmp_path
):
    pidfile = tmp_path / "pid"
    with pytest.raises(WorkflowFail, match="sibling broke") as info:
        run_wf(sibling_fails, str(pidfile))
    assert wait_process_gone(int(pidfile.read_text()))
    assert not reaper.live_groups()
    (ev,) = run_events(load_events(info.value.run_id))
    # Killed mid-way, its outcome is unknown: interrupted, with why, not an ordinary failure.
    assert ev.status is EventStatus.FAILED
    assert ev.response["error_type"] == "Interrupted" and ev.response["interrupted"] is True
    assert ev.response["error"] == "cancelled: parallel branch 1 failed"


@workflow
async def times_out():
    await godel.run("echo started; sleep 60", timeout=0.5)


def test_a_timeout_is_recorded_failed(run_wf, load_events):
    with pytest.raises(CommandFailure, match=r"timed out after 0\.5s") as info:
        run_wf(times_out)
    assert info.value.stdout == "started\n"
    (ev,) = run_events(load_events(info.value.run_id))
    assert ev.status is EventStatus.FAILED and "timed out" in ev.response["error"]


# strict mode ---------------------------------------------------------------------------------------
STRICT_PROGRAM = """
import sys, anyio, godel
from godel.strict import install_runtime_guards
from godel.engine.workflow import RunOptions, execute

@godel.workflow
async def wf():
    out = (await godel.run("echo hi; echo there >&2")).stdout
    try:
        await godel.run("echo partial; sleep 60", timeout=0.3)
    except godel.CommandFailure as exc:
        return out, exc.stdout

install_runtime_guards()
try:
    open(sys.argv[1] + "/forbidden", "w")
except PermissionError:
    pass
else:
    raise SystemExit("the audit hook is not active")
print(anyio.run(execute, wf.__godel_workflow__, (), {}, RunOptions(runs_dir=sys.argv[1], transcript=True)))
"""


def test_run_and_its_transcript_work_under_strict_mode_guards(tmp_path):
    # The audit hook is permanent, so this runs in a fresh interpreter.
    done = subprocess.run(
        [PY, "-c", STRICT_PROGRAM, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "('hi\\n', 'partial\\n')"
    (transcript,) = tmp_path.glob("*/transcript.jsonl")
    lines = [json.loads(line)["event"] for line in transcript.read_text().splitlines()[1:]]
    assert [e["line"] for e in lines if e["op"] == "stdout"] == ["hi", "partial"]
    assert [e["line"] for e in lines if e["op"] == "stderr"] == ["there"]
