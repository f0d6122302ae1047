"""Dry runs (``godel resume --plan``, ``godel test``) leave a pending pause request alone."""

from __future__ import annotations

import anyio
import pytest

import godel
from godel import WorkflowFail, step, workflow
from godel.log.eventlog import EventLog
from godel.log.events import Op
from godel.plan import replay_run


@step
async def nap(i):
    await godel.sleep(0.001)
    return i


def test_plan_neither_stops_at_nor_consumes_a_pause_request(run_wf, runs_dir, tmp_path):
    flag = tmp_path / "flag"
    flag.write_text("")

    @workflow
    async def wf():
        await nap(0)
        if flag.exists():
            raise WorkflowFail("stop")
        return await nap(1)

    try:
        run_wf(wf)
    except WorkflowFail as exc:
        run_id = exc.run_id  # type: ignore[attr-defined]
    flag.unlink()
    sentinel = godel.write_pause_request(run_id, "later", runs_dir)

    plan = godel.plan_resume(run_id, workflow=wf, runs_dir=runs_dir)

    # The resume clears the request before it replays: the plan must show what it then does.
    assert plan["outcome"] == "diverges"
    assert plan["divergence"]["op"] == "sleep"
    assert sentinel.exists()  # nothing written, nothing removed


def test_replay_test_ignores_a_pause_request_and_counts_sleeps(run_wf, runs_dir):
    @workflow
    async def wf():
        return [await nap(0), await nap(1)]

    _, run_id = run_wf(wf)
    sentinel = godel.write_pause_request(run_id, "later", runs_dir)

    result = replay_run(run_id, workflow=wf, runs_dir=runs_dir)

    assert result.matches
    assert result.answered == {"sleeps": 2}
    assert sentinel.exists()


def test_plan_does_not_rerun_an_attempt_a_resume_already_ran_again(run_wf, runs_dir, tmp_path):
    quick, closed = tmp_path / "quick", tmp_path / "closed"

    @step(timeout=0.3)
    async def slow():
        await godel.run(["sh", "-c", f"test -e {quick} || sleep 5"])

    @step
    async def gate():
        if closed.exists():
            raise WorkflowFail("closed")

    @workflow
    async def wf():
        await slow()
        await gate()
        return "done"

    with pytest.raises(godel.StepTimeout) as info:
        run_wf(wf)  # the command is cut short: in flight
    run_id = info.value.run_id  # type: ignore[attr-defined]
    quick.touch()
    closed.touch()
    with pytest.raises(WorkflowFail):  # runs the command again, then stops at the gate
        anyio.run(
            lambda: godel.resume(
                wf, run_id, runs_dir=runs_dir, transcript=False, assume_idempotent=True
            )
        )
    closed.unlink()

    plan = godel.plan_resume(run_id, workflow=wf, runs_dir=runs_dir)

    assert plan["outcome"] == "finishes"
    assert plan["rerun"] == []  # not the interrupted first attempt of the command


def test_replay_test_of_a_run_that_returned_a_tuple(run_wf, runs_dir):
    @workflow
    async def wf():
        return await nap(0), await nap(1)  # recorded as a JSON list

    _, run_id = run_wf(wf)
    assert replay_run(run_id, workflow=wf, runs_dir=runs_dir).matches


def test_replay_test_of_a_run_whose_command_a_resume_ran_again(run_wf, runs_dir, tmp_path):
    quick = tmp_path / "quick"

    @step(timeout=0.3)
    async def slow():
        await godel.run(["sh", "-c", f"test -e {quick} || sleep 5"])

    @workflow
    async def wf():
        await slow()
        return "done"

    with pytest.raises(godel.StepTimeout) as info:
        run_wf(wf)  # the command is cut short: in flight
    run_id = info.value.run_id  # type: ignore[attr-defined]
    quick.touch()
    anyio.run(
        lambda: godel.resume(
            wf, run_id, runs_dir=runs_dir, transcript=False, assume_idempotent=True
        )
    )

    # The code asks for the command once: the interrupted attempt is not "missing".
    result = replay_run(run_id, workflow=wf, runs_dir=runs_dir)
    assert result.matches and result.answered == {"commands": 1}


def test_replay_test_answers_a_repeated_request_at_the_step_that_made_it(run_wf, runs_dir):
    @step
    async def late():
        await godel.run(["sleep", "0.3"])
        await godel.run(["true"])

    @step
    async def early():
        await godel.run(["true"])  # recorded first, asked second on replay

    @workflow
    async def wf():
        await godel.parallel(late(), early())
        return "done"

    _, run_id = run_wf(wf)
    assert replay_run(run_id, workflow=wf, runs_dir=runs_dir).matches


def test_plan_replays_the_failed_attempts_of_a_retry_and_reruns_the_last(
    run_wf, runs_dir, tmp_path
):
    ok = tmp_path / "ok"

    @godel.retry(3)
    @step
    async def attempt():
        await godel.run(["sh", "-c", f"test -e {ok}"])

    @workflow
    async def wf():
        await attempt()
        return "done"

    with pytest.raises(godel.CommandFailure) as info:
        run_wf(wf)
    run_id = info.value.run_id  # type: ignore[attr-defined]
    ok.touch()

    plan = godel.plan_resume(run_id, workflow=wf, runs_dir=runs_dir)

    # As the resume does: attempts 1 and 2 replay as failures, the third runs again.
    runs = [e for e in EventLog.load(run_id, runs_dir).events if e.op == Op.RUN]
    assert plan["replayed"]["effects"] == 2
    assert plan["divergence"]["event_id"] == runs[2].event_id
    assert [r["event_id"] for r in plan["rerun"]] == [runs[2].event_id]
