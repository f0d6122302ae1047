"""Failures the run handled replay as failures on resume (godel.replay.failures)."""

from __future__ import annotations

import anyio
import pytest

import godel
from godel import CommandFailure, StepTimeout, WorkflowFail, retry, run, step, workflow
from godel.log.eventlog import EventLog
from godel.log.events import EventStatus, Op
from godel.replay.failures import rebuild, settled_failures
from godel.replay.rewind import apply_rewind


def resume(wf, run_id, runs_dir, **kwargs):
    return anyio.run(
        lambda: godel.resume(wf, run_id, runs_dir=runs_dir, transcript=False, **kwargs)
    )


def gate_file(tmp_path):
    gate = tmp_path / "go"

    @step
    async def later():
        await run(["test", "-f", str(gate)])

    return gate, later


def test_a_caught_command_failure_is_raised_again_from_the_log(run_wf, runs_dir, tmp_path):
    gate, later = gate_file(tmp_path)
    side = tmp_path / "side.txt"
    seen = []

    @workflow
    async def wf():
        try:
            await run(f"echo x >> {side}; echo out; echo err >&2; exit 3")
        except CommandFailure as exc:
            seen.append((str(exc), exc.stdout, exc.stderr, exc.returncode, exc.cmd))
        await later()
        return "ok"

    with pytest.raises(CommandFailure) as info:
        run_wf(wf)
    gate.touch()
    assert resume(wf, info.value.run_id, runs_dir) == "ok"
    assert side.read_text() == "x\n"  # the failed command did not run again
    assert len(seen) == 2 and seen[0] == seen[1]  # the same exception, rebuilt whole
    assert seen[0][1:4] == ("out\n", "err\n", 3)


def test_the_failure_that_stopped_the_run_runs_live_on_resume(run_wf, runs_dir, tmp_path):
    gate, later = gate_file(tmp_path)

    @workflow
    async def wf():
        await later()
        return "ok"

    with pytest.raises(CommandFailure) as info:
        run_wf(wf)
    log = EventLog.load(info.value.run_id, runs_dir)
    assert settled_failures(log) == set()
    gate.touch()
    assert resume(wf, info.value.run_id, runs_dir) == "ok"


def test_rewinding_to_a_later_attempt_keeps_the_earlier_attempt_failed(
    run_wf, runs_dir, tmp_path, load_events
):
    side = tmp_path / "side.txt"

    @retry(3)
    @step
    async def flaky():
        r = await run(f"echo x >> {side}; [ $(wc -l < {side}) -ge 2 ] && echo ok", idempotent=True)
        return r.stdout.strip()

    @workflow
    async def wf():
        return await flaky()

    result, run_id = run_wf(wf)
    assert result == "ok" and side.read_text() == "x\nx\n"
    steps = [e for e in load_events(run_id) if e.op == Op.STEP_ENTER]
    assert [s.status for s in steps] == [EventStatus.FAILED, EventStatus.FINISHED]
    log = EventLog.open(run_id, runs_dir)
    apply_rewind(log, [steps[1].event_id])  # go back to the second attempt
    log.close()
    assert resume(wf, run_id, runs_dir) == "ok"
    # Attempt 1 replayed as failed (no run), attempt 2 ran again: one more line.
    assert side.read_text() == "x\nx\nx\n"


def test_a_step_timeout_the_run_retried_past_is_not_waited_for_again(run_wf, runs_dir, tmp_path):
    gate, later = gate_file(tmp_path)
    calls = []

    @retry(2)
    @step(timeout=0.2)
    async def slow():
        calls.append(1)
        if len(calls) == 1:
            await godel.sleep(5)
        return "fast"

    @workflow
    async def wf():
        value = await slow()
        await later()
        return value

    with pytest.raises(CommandFailure) as info:
        run_wf(wf)
    assert len(calls) == 2
    gate.touch()
    assert resume(wf, info.value.run_id, runs_dir) == "fast"
    assert len(calls) == 3  # only the successful attempt's body ran again (it replays)


def test_a_handled_workflow_fail_inside_a_finished_step_replays(run_wf, runs_dir, tmp_path):
    gate, later = gate_file(tmp_path)
    side = tmp_path / "side.txt"

    @step
    async def careful():
        try:
            await run(f"echo x >> {side}; false")  # the last thing in its scope: no later sibling
        except WorkflowFail:
            return "handled"
        return "not reached"

    @workflow
    async def wf():
        value = await careful()
        await later()
        return value

    with pytest.raises(CommandFailure) as info:
        run_wf(wf)
    gate.touch()
    assert resume(wf, info.value.run_id, runs_dir) == "handled"
    assert side.read_text() == "x\n"


def test_rebuild_knows_godels_failures_and_builtins_but_not_interruptions(run_wf, load_events):
    @step(timeout=0.05)
    async def late():
        await godel.sleep(1)

    @workflow
    async def wf():
        try:
            await godel.read_text("/nonexistent/file")
        except FileNotFoundError:
            pass
        try:
            await late()
        except StepTimeout:
            pass
        return 1

    _, run_id = run_wf(wf)
    failed = {e.op: e for e in load_events(run_id) if e.status is EventStatus.FAILED}
    missing = rebuild(failed[Op.READ_TEXT])
    assert type(missing) is FileNotFoundError and "/nonexistent/file" in str(missing)
    timeout = rebuild(failed[Op.STEP_ENTER])
    assert type(timeout) is StepTimeout and timeout.timeout_seconds == 0.05
    assert timeout.step_name == "late" and str(timeout).startswith("step 'late' timed out")
    assert rebuild(failed[Op.SLEEP]) is None  # cancelled by the timeout: not an outcome


def test_attempts_a_retry_went_past_are_not_run_again_on_resume(run_wf, runs_dir, tmp_path):
    # docs/durability.md: a @retry(3) that failed three times and stopped the run replays its
    # first two attempts as failures and runs the third again, even when what made them fail
    # has changed since (here a file the body looks at, as a hot-patch would change the code).
    gate = tmp_path / "go"
    side = tmp_path / "side.txt"
    bodies = []

    @retry(3)
    @step
    async def flaky():
        bodies.append(1)
        r = await run(f"echo x >> {side}; wc -l < {side}")
        if not gate.exists():
            raise WorkflowFail(f"attempt {r.stdout.strip()}")
        return int(r.stdout)

    @workflow
    async def wf():
        return await flaky()

    with pytest.raises(WorkflowFail, match="attempt 3") as info:
        run_wf(wf)
    gate.touch()
    bodies.clear()
    assert resume(wf, info.value.run_id, runs_dir) == 3  # not 1: attempt 1 failed
    assert len(bodies) == 1  # only the attempt that stopped the run ran again
    assert side.read_text() == "x\nx\nx\n"


class TimeoutError(WorkflowFail):  # a user's class that shares a builtin's name
    pass


def test_a_users_class_named_like_a_builtin_is_not_rebuilt_as_the_builtin(
    run_wf, runs_dir, tmp_path
):
    gate, later = gate_file(tmp_path)
    calls = []

    @retry(2)
    @step
    async def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise TimeoutError("mine")  # retried: it is a WorkflowFail
        return "ok"

    @workflow
    async def wf():
        value = await flaky()
        await later()
        return value

    with pytest.raises(CommandFailure) as info:
        run_wf(wf)
    gate.touch()
    # Rebuilt as the builtin TimeoutError, @retry would not catch it and the resume would fail.
    assert resume(wf, info.value.run_id, runs_dir) == "ok"


def test_a_caught_parallel_failure_is_raised_again_on_resume(run_wf, runs_dir, tmp_path):
    # docs/concepts.md: an exception the code caught is raised again from the log, so the code
    # around it takes the same path, also when it came out of a parallel branch.
    gate, later = gate_file(tmp_path)
    fixed = tmp_path / "fixed"
    side = tmp_path / "side.txt"

    @step
    async def ok():
        await run(f"echo ok >> {side}")
        return 1

    @step
    async def bad():
        await run(f"echo bad >> {side}")
        if not fixed.exists():
            raise WorkflowFail("bad")
        return 2

    @workflow
    async def wf():
        try:
            value = list(await godel.parallel(ok(), bad()))
        except WorkflowFail:
            value = "caught"
        await later()
        return value

    with pytest.raises(CommandFailure) as info:
        run_wf(wf)
    gate.touch()
    fixed.touch()
    assert resume(wf, info.value.run_id, runs_dir) == "caught"
    assert sorted(side.read_text().split()) == ["bad", "ok"]
    log = EventLog.load(info.value.run_id, runs_dir)
    assert [e.status for e in log.events if e.op == Op.FORK] == [EventStatus.FAILED]
