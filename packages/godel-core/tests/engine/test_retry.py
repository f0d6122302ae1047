"""retry: attempts, backoff through the recorded sleep, what is and isn't retried."""

from __future__ import annotations

import anyio
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


def test_a_broad_retry_on_lets_a_pause_through(run_wf, runs_dir):
    # retry_on=(BaseException,) must not swallow godel's control flow: the requested pause
    # would be lost and the run would go on as if nobody had asked.
    import godel
    from godel import PauseSignal
    from godel.engine.context import current_run

    calls = {"n": 0}

    @step
    async def first():
        godel.write_pause_request(current_run().run_id, "coffee", runs_dir)

    @retry(3, retry_on=(BaseException,))
    @step
    async def second():
        calls["n"] += 1

    @workflow
    async def wf():
        await first()
        await second()

    with pytest.raises(PauseSignal):
        run_wf(wf)
    assert calls["n"] == 0


@pytest.mark.parametrize("signal", [KeyboardInterrupt(), SystemExit(3)])
def test_a_broad_retry_on_does_not_retry_an_exit(signal):
    calls = {"n": 0}

    async def body():
        calls["n"] += 1
        raise signal

    with pytest.raises(type(signal)):
        anyio.run(retry(3, retry_on=(BaseException,)).call, body)
    assert calls["n"] == 1


def test_retry_on_is_validated():
    with pytest.raises(TypeError, match="retry_on"):
        retry(2, retry_on=("WorkflowFail",))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "options",
    [
        {"backoff_seconds": "1"},
        {"backoff_seconds": float("nan")},
        {"backoff_multiplier": True},
        {"max_backoff_seconds": -1},
        {"max_backoff_seconds": "x"},
    ],
)
def test_backoff_options_are_validated(options):
    # Found when the decorator runs, not as a TypeError or a negative sleep mid-run.
    with pytest.raises(ValueError, match="retry"):
        retry(3, **options)


def test_bare_retry_and_a_called_step_are_explained():
    @step
    async def s():
        return 1

    with pytest.raises(TypeError, match=r"@retry\(3\)"):
        retry(s)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not the call"):
        anyio.run(retry(2).call, s())  # type: ignore[arg-type]
