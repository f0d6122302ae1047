"""retry: attempts, backoff through the recorded sleep, what is and isn't retried."""

from __future__ import annotations

import pytest

from godel import StepTimeout, WorkflowFail, retry, step, workflow
from godel.log.events import EventStatus, Op


def make(fail_times, exc=WorkflowFail):
    calls = {"n": 0}

    @retry(3, backoff_seconds=0.01, backoff_multiplier=3)
    @step
    async def flaky():
        calls["n"] += 1
        if calls["n"] <= fail_times:
            raise exc(f"attempt {calls['n']}")
        return calls["n"]

    @workflow
    async def wf():
        return await flaky()

    return wf, calls


def test_retries_until_success_and_records_every_attempt(run_wf, load_events):
    wf, _calls = make(2)
    result, run_id = run_wf(wf)
    assert result == 3
    events = load_events(run_id)
    steps = [e for e in events if e.op == Op.STEP_ENTER]
    assert [e.status for e in steps] == [
        EventStatus.FAILED,
        EventStatus.FAILED,
        EventStatus.FINISHED,
    ]
    assert [e.invocation_seq for e in steps] == [0, 1, 2]
    sleeps = [e.request["seconds"] for e in events if e.op == Op.DET_SLEEP]
    assert sleeps == pytest.approx([0.01, 0.03])


def test_gives_up_with_the_last_failure(run_wf):
    wf, calls = make(5)
    with pytest.raises(WorkflowFail, match="attempt 3"):
        run_wf(wf)
    assert calls["n"] == 3


def test_step_timeout_is_retried(run_wf):
    wf, _calls = make(1, exc=lambda m: StepTimeout(m))
    result, _ = run_wf(wf)
    assert result == 2


def test_other_errors_are_not_retried(run_wf):
    wf, calls = make(1, exc=ValueError)
    with pytest.raises(ValueError):
        run_wf(wf)
    assert calls["n"] == 1


def test_wrapper_form(run_wf):
    calls = {"n": 0}

    @step
    async def once_bad(x):
        calls["n"] += 1
        if calls["n"] == 1:
            raise WorkflowFail("first")
        return x

    @workflow
    async def wf():
        return await retry(2).call(once_bad, "ok")

    assert run_wf(wf)[0] == "ok"


@pytest.mark.parametrize("times", [0, -1, 1.5, True])
def test_times_is_validated(times):
    with pytest.raises(ValueError, match="times"):
        retry(times)
