"""@workflow and @step: events, paths, results, failures, timeouts."""

from __future__ import annotations

import asyncio
import inspect

import anyio
import pytest

from godel import StepTimeout, WorkflowFail, step, workflow
from godel.log.events import EventStatus, Op


@step
async def double(x):
    return x * 2


@step(name="outer_step")
async def outer(x):
    return await double(x) + await double(x + 1)


@workflow
async def nested(x):
    return await outer(x)


def test_workflow_returns_result_and_records_first_event(run_wf, load_events):
    result, run_id = run_wf(nested, 3)
    assert result == 14
    events = load_events(run_id)
    first = events[0]
    assert first.op == Op.WORKFLOW_STARTED
    assert first.request["function"] == "nested"
    assert first.request["args"] == [3]
    assert first.status is EventStatus.FINISHED
    assert first.response == {"result": 14}


@workflow
async def forgets_await():
    return double(2)


@workflow
async def forgets_await_coroutine():
    return asyncio.sleep(0)


@pytest.mark.parametrize(
    ("wf", "what"), [(forgets_await, "<step call double>"), (forgets_await_coroutine, "<coroutine")]
)
def test_a_workflow_returning_what_it_did_not_await_fails_with_that_said(run_wf, wf, what):
    with pytest.raises(
        TypeError, match=r"without awaiting it: write 'return await \.\.\.'"
    ) as info:
        run_wf(wf)
    assert what in str(info.value)


def test_nested_steps_build_step_path_and_parent_links(run_wf, load_events):
    _, run_id = run_wf(nested, 1)
    steps = [e for e in load_events(run_id) if e.op == Op.STEP_ENTER]
    assert [e.step_path for e in steps] == [
        ("outer_step",),
        ("outer_step", "double"),
        ("outer_step", "double"),
    ]
    assert [e.invocation_seq for e in steps] == [0, 0, 1]
    assert steps[1].parent_id == steps[0].event_id
    assert all(e.status is EventStatus.FINISHED for e in steps)
    assert steps[0].response == {"result": 2 + 4}


def test_step_is_still_a_coroutine_function():
    assert asyncio.iscoroutinefunction(double)


def test_step_and_workflow_require_async():
    with pytest.raises(TypeError, match="async"):
        step(lambda: 1)
    with pytest.raises(TypeError, match="async"):

        @workflow
        def sync_wf():
            return 1


def test_step_outside_workflow_is_a_clear_error():
    with pytest.raises(RuntimeError, match="outside a @workflow"):
        anyio.run(lambda: double(1))


class Opaque:
    pass


@step
async def takes_object(o):
    return o


@workflow
async def object_wf():
    await takes_object(Opaque())
    return "ok"


def test_non_json_step_args_are_recorded_by_stable_repr(run_wf, load_events):
    _, run_id = run_wf(object_wf)
    ev = next(e for e in load_events(run_id) if e.op == Op.STEP_ENTER)
    (arg,) = ev.request["args"]
    assert "Opaque object" in arg["$repr"] and "0x" not in arg["$repr"]


@workflow
async def object_arg_wf(o):
    return 1


def test_non_json_workflow_args_mark_the_run(run_wf, load_events):
    _, run_id = run_wf(object_arg_wf, Opaque())
    assert load_events(run_id)[0].request["args_repr_only"] is True


@step
async def boom():
    raise WorkflowFail("no luck")


@workflow
async def failing_wf():
    await boom()


def test_failures_are_recorded_on_step_and_workflow(run_wf, load_events):
    with pytest.raises(WorkflowFail) as info:
        run_wf(failing_wf)
    events = load_events(info.value.run_id)
    by_op = {e.op: e for e in events}
    assert by_op[Op.STEP_ENTER].status is EventStatus.FAILED
    assert by_op[Op.STEP_ENTER].response["error"] == "no luck"
    assert by_op[Op.STEP_ENTER].response["error_type"] == "WorkflowFail"
    assert "test_step.py" in by_op[Op.STEP_ENTER].response["source_location"]
    root = by_op[Op.WORKFLOW_STARTED]
    assert root.status is EventStatus.FAILED
    assert "Traceback" in root.response["traceback"]


@step
async def parses_bad_json():
    import json

    return json.loads("{bad")


@workflow
async def bad_json_wf():
    await parses_bad_json()


def test_source_location_is_the_users_line_not_the_standard_librarys(run_wf, load_events):
    # In a virtualenv the standard library lives outside sys.prefix: it was once taken for
    # the user's code (json/decoder.py).
    with pytest.raises(ValueError) as info:
        run_wf(bad_json_wf)
    by_op = {e.op: e for e in load_events(info.value.run_id)}
    for op in (Op.STEP_ENTER, Op.WORKFLOW_STARTED):
        assert "test_step.py:" in by_op[op].response["source_location"]


@step(timeout=0.05)
async def slow():
    await anyio.sleep(5)


@workflow
async def timeout_wf():
    await slow()


def test_step_timeout_raises_step_timeout(run_wf, load_events):
    with pytest.raises(StepTimeout, match=r"timed out after 0\.05s") as info:
        run_wf(timeout_wf)
    ev = next(e for e in load_events(info.value.run_id) if e.op == Op.STEP_ENTER)
    assert ev.status is EventStatus.FAILED and ev.response["error_type"] == "StepTimeout"


@step(timeout=5)
async def raises_timeout_error():
    raise TimeoutError("my own timeout")


@workflow
async def own_timeout_wf():
    await raises_timeout_error()


def test_a_body_raising_timeout_error_is_not_a_step_timeout(run_wf):
    with pytest.raises(TimeoutError, match="my own timeout") as info:
        run_wf(own_timeout_wf)
    assert not isinstance(info.value, StepTimeout)


def test_step_options_are_validated():
    with pytest.raises(TypeError, match="timeout"):
        step(timeout=-1)
    with pytest.raises(TypeError, match="name"):
        step(name="a/b")


def test_step_call_cannot_be_awaited_twice(run_wf):
    @workflow
    async def twice():
        call = double(1)
        await call
        await call

    with pytest.raises(RuntimeError, match="already awaited"):
        run_wf(twice)


def test_workflow_keeps_signature_for_binding():
    assert list(inspect.signature(nested).parameters) == ["x"]
    assert nested.__godel_workflow__.name == "nested"


@pytest.mark.parametrize("timeout", [0, -1, True, "5", float("nan")])
def test_a_bad_step_timeout_is_refused_when_decorating(timeout):
    # NaN compares false with everything: it passed "<= 0" and failed in the middle of the run.
    async def body():
        return 1

    with pytest.raises(TypeError, match="timeout must be a positive number"):
        step(timeout=timeout)(body)


def test_a_workflow_called_with_wrong_arguments_starts_no_run(runs_dir):
    # A plain TypeError, as for any function, and no FAILED run left behind that no resume
    # could ever continue (its recorded arguments would not fit either).
    @workflow
    async def wf(a):
        return a

    with pytest.raises(TypeError, match="argument"):
        asyncio.run(wf(1, 2, 3))
    assert not runs_dir.exists() or not list(runs_dir.glob("*.jsonl"))


def test_a_step_returning_an_unawaited_call_is_an_error(run_wf, load_events):
    # Recorded as "<step call inner>", the inner step would silently never run.
    ran = []

    @step
    async def inner():
        ran.append(1)

    @step
    async def outer():
        return inner()

    @workflow
    async def wf():
        return await outer()

    with pytest.raises(TypeError, match="without awaiting it") as info:
        run_wf(wf)
    assert not ran
    (outer_event,) = [e for e in load_events(info.value.run_id) if e.op == Op.STEP_ENTER]
    assert outer_event.status is EventStatus.FAILED
