"""parallel: order, failure, cancellation, and identities that don't depend on timing."""

from __future__ import annotations

import anyio
import pytest

from godel import ConfigError, WorkflowFail, parallel, step, workflow
from godel.engine.keys import KeyTable
from godel.log.events import EventStatus, Op


@step
async def wait_then_echo(value, delay):
    await anyio.sleep(delay)
    return value


@workflow
async def ordered():
    a = await parallel(
        wait_then_echo("a", 0.03), wait_then_echo("b", 0.0), wait_then_echo("c", 0.01)
    )
    b = await parallel([wait_then_echo("d", 0.0), wait_then_echo("e", 0.0)])
    return a + b


def test_results_in_argument_order_both_forms(run_wf, load_events):
    result, run_id = run_wf(ordered)
    assert result == ("a", "b", "c", "d", "e")
    ops = [e.op for e in load_events(run_id)]
    assert ops.count(Op.FORK) == 2 and ops.count(Op.JOIN) == 2


def _identities(events):
    """Map each step's derived key to the value it returned (timing-independent if keys are)."""
    roots = {e.event_id for e in events if e.op == Op.WORKFLOW_STARTED}
    keys = KeyTable().derive(events, roots)
    table = {}
    for e in events:
        if e.op == Op.STEP_ENTER:
            table[(e.step_path, e.invocation_seq, keys[e.event_id] is not None)] = e.request[
                "args"
            ][0]
    return table


@step
async def tag(label):
    return label


async def branch(label, delay):
    # Not a step: a plain coroutine branch calling the same step twice after a delay.
    await anyio.sleep(delay)
    first = await tag(label + "1")
    await anyio.sleep(delay)
    return first, await tag(label + "2")


@workflow
async def racing(delays):
    return await parallel(branch("x", delays[0]), branch("y", delays[1]), tag("p"), tag("q"))


def test_same_step_in_two_branches_gets_timing_independent_identity(run_wf, load_events):
    _, fast_x = run_wf(racing, [0.0, 0.03])
    _, fast_y = run_wf(racing, [0.03, 0.0])
    first, second = _identities(load_events(fast_x)), _identities(load_events(fast_y))
    assert first == second
    # the four identities of the branch calls are all distinct
    assert len({k for k, v in first.items() if v[0] in "xy"}) == 4


@step
async def fails_fast():
    await anyio.sleep(0.01)
    raise WorkflowFail("branch broke")


@step
async def slow_sibling(marker):
    try:
        await anyio.sleep(10)
    finally:
        marker.append("cancelled")


@workflow
async def failing_parallel(marker):
    await parallel(slow_sibling(marker), fails_fast())


def test_failure_cancels_siblings_and_names_the_branch(run_wf, load_events):
    marker = []
    with pytest.raises(WorkflowFail, match="branch broke") as info:
        run_wf(failing_parallel, marker)
    assert marker == ["cancelled"]
    assert any(
        "parallel branch 1" in note and "fails_fast" in note for note in info.value.__notes__
    )
    events = load_events(info.value.run_id)
    fork = next(e for e in events if e.op == Op.FORK)
    join = next(e for e in events if e.op == Op.JOIN)
    assert fork.status is EventStatus.FAILED and join.status is EventStatus.FAILED
    assert join.parent_id == fork.parent_id


@workflow
async def limited(counter):
    async def one(i):
        counter["now"] += 1
        counter["max"] = max(counter["max"], counter["now"])
        await anyio.sleep(0.01)
        counter["now"] -= 1
        return i

    return await parallel(*(one(i) for i in range(6)), max_concurrency=2)


def test_max_concurrency(run_wf):
    counter = {"now": 0, "max": 0}
    result, _ = run_wf(limited, counter)
    assert result == tuple(range(6))
    assert counter["max"] == 2


def test_bad_max_concurrency_is_config_error(run_wf):
    @workflow
    async def bad():
        return await parallel(tag("a"), max_concurrency=0)

    with pytest.raises(ConfigError, match="max_concurrency"):
        run_wf(bad)


def test_parallel_outside_workflow_runs_plain():
    async def v(x):
        return x

    assert anyio.run(lambda: parallel(v(1), v(2))) == (1, 2)


def test_non_awaitable_argument_is_a_clear_error(run_wf):
    @workflow
    async def oops():
        return await parallel(tag, tag("a"))

    with pytest.raises(TypeError, match="not awaitable"):
        run_wf(oops)
