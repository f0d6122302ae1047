"""parallel: order, failure, cancellation, and identities that don't depend on timing."""

from __future__ import annotations

import time
from pathlib import Path

import anyio
import pytest

import godel
from godel import ConfigError, StepTimeout, WorkflowFail, parallel, step, workflow
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
    await parallel(slow_sibling(marker), fails_fast(), cancel_running=True)


def test_cancel_running_cancels_siblings_and_names_the_branch(run_wf, load_events):
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


def test_one_iterable_of_awaitables_is_accepted(run_wf):
    # The signature says Iterable, not only list or tuple: a generator expression is the
    # natural spelling and must not be taken for one non-awaitable argument.
    @workflow
    async def gen():
        return await parallel(wait_then_echo(c, 0.0) for c in "xyz")

    assert run_wf(gen)[0] == ("x", "y", "z")


# a failing branch stops its siblings without losing anything (issue 13) ---------------------------
@step
async def command_then_another(path):
    await godel.run(f"sleep 0.5; echo first >> {path}")  # running when the sibling fails
    await godel.run(f"echo second >> {path}")  # must not start


@step
async def long_sleep_then_command(path):
    await godel.sleep(30)
    await godel.run(f"echo after-sleep >> {path}")


@step
async def breaks_soon():
    await anyio.sleep(0.15)
    raise WorkflowFail("branch broke")


@workflow
async def stopping(a, b):
    await parallel(command_then_another(a), long_sleep_then_command(b), breaks_soon())


def test_a_failure_lets_running_effects_finish_and_starts_nothing_new(
    run_wf, load_events, tmp_path
):
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    started = time.monotonic()
    with pytest.raises(WorkflowFail, match="branch broke") as info:
        run_wf(stopping, str(a), str(b))
    assert time.monotonic() - started < 10  # the 30 s sleep woke up
    assert a.read_text() == "first\n" and not b.exists()
    events = load_events(info.value.run_id)
    runs = [e for e in events if e.op == Op.RUN]
    assert [(e.request["cmd"].split(";")[0], e.status) for e in runs] == [
        ("sleep 0.5", EventStatus.FINISHED)
    ]
    (slept,) = [e for e in events if e.op == Op.SLEEP]
    assert slept.status is EventStatus.FAILED
    assert slept.response == {
        "error": "cancelled: parallel branch 2 failed",
        "error_type": "Interrupted",
        "interrupted": True,
        "step_path": ["long_sleep_then_command"],
    }
    steps = {e.request["name"]: e for e in events if e.op == Op.STEP_ENTER}
    for name in ("command_then_another", "long_sleep_then_command"):
        assert steps[name].response["error_type"] == "Interrupted", name
        assert steps[name].response["error"] == "cancelled: parallel branch 2 failed"
    assert steps["breaks_soon"].response["error_type"] == "WorkflowFail"


@step
async def append(path, text):
    await godel.run(f"echo {text} >> {path}")


@workflow
async def stop_reaches_waiting_and_nested(path):
    async def nested():
        await parallel(long_sleep_then_command(path), append(path, "nested"))

    await parallel(breaks_soon(), nested(), append(path, "waits"), max_concurrency=2)


def test_a_stop_reaches_nested_forks_and_branches_waiting_for_their_turn(
    run_wf, load_events, tmp_path
):
    log = tmp_path / "marks"
    started = time.monotonic()
    with pytest.raises(WorkflowFail, match="branch broke") as info:
        run_wf(stop_reaches_waiting_and_nested, str(log))
    assert time.monotonic() - started < 10
    # The nested append ran before the failure; the branch waiting for a slot never started.
    assert log.read_text() == "nested\n"
    events = load_events(info.value.run_id)
    assert [e.request["cmd"] for e in events if e.op == Op.RUN] == [f"echo nested >> {log}"]
    forks = [e for e in events if e.op == Op.FORK]
    assert [f.status for f in forks] == [EventStatus.FAILED, EventStatus.FAILED]
    assert forks[1].response["error"] == "cancelled: parallel branch 0 failed"


@step(timeout=0.3)
async def times_out_in_a_command():
    await godel.run("sleep 10")


@workflow
async def step_timeout():
    await times_out_in_a_command()


def test_an_effect_cut_by_a_step_timeout_says_so(run_wf, load_events):
    with pytest.raises(StepTimeout) as info:
        run_wf(step_timeout)
    (cmd,) = [e for e in load_events(info.value.run_id) if e.op == Op.RUN]
    assert cmd.status is EventStatus.FAILED
    assert cmd.response["error_type"] == "Interrupted"
    assert cmd.response["error"] == "cancelled: step timeout ('times_out_in_a_command' after 0.3s)"


@step
async def breaks_once(flag):
    await anyio.sleep(0.1)
    if not Path(flag).exists():
        Path(flag).touch()
        raise WorkflowFail("branch broke")


@workflow
async def sleeps_beside_a_failure(flag):
    await parallel(godel.sleep(1.0), breaks_once(flag))


def test_a_sleep_woken_by_a_failing_sibling_sleeps_only_the_rest_on_resume(
    run_wf, load_events, runs_dir, tmp_path
):
    flag = tmp_path / "flag"
    with pytest.raises(WorkflowFail) as info:
        run_wf(sleeps_beside_a_failure, str(flag))
    run_id = info.value.run_id
    (woken,) = [e for e in load_events(run_id) if e.op == Op.SLEEP]
    assert woken.response["error"] == "cancelled: parallel branch 1 failed"
    anyio.run(
        lambda: godel.resume(sleeps_beside_a_failure, run_id, runs_dir=runs_dir, transcript=False)
    )
    slept = [e for e in load_events(run_id) if e.op == Op.SLEEP][-1]
    assert slept.status is EventStatus.FINISHED and slept.response["resumed"] is True
    # at least the 0.1 s before the sibling failed had been slept already
    assert slept.response["remaining_slept"] <= 0.9


@step
async def sleeps_in_a_command(seconds):
    await godel.run(f"sleep {seconds}")


@step(timeout=0.5)
async def fans_out_then_times_out():
    await parallel(sleeps_in_a_command(10), sleeps_in_a_command(10), wait_then_echo("x", 0.0))


@workflow
async def timeout_around_parallel():
    await fans_out_then_times_out()


def test_a_timeout_around_parallel_cuts_the_branches_effects_at_once(run_wf, load_events):
    started = time.monotonic()
    with pytest.raises(StepTimeout) as info:
        run_wf(timeout_around_parallel)
    assert time.monotonic() - started < 8  # not the commands' 10 s
    events = load_events(info.value.run_id)
    commands = [e for e in events if e.op == Op.RUN]
    assert len(commands) == 2
    for cmd in commands:
        assert cmd.status is EventStatus.FAILED
        assert cmd.response["error_type"] == "Interrupted"
        assert "step timeout ('fans_out_then_times_out' after 0.5s)" in cmd.response["error"]
    echoed = next(e for e in events if e.step_path[-1:] == ("wait_then_echo",))
    assert echoed.status is EventStatus.FINISHED


@step
async def nested_fan_out():
    await parallel(sleeps_in_a_command(10), parallel(sleeps_in_a_command(10)))


@workflow
async def nested_under_a_deadline():
    with anyio.fail_after(0.5):
        await nested_fan_out()


def test_a_deadline_reaches_a_nested_parallel(run_wf, load_events):
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        run_wf(nested_under_a_deadline)
    assert time.monotonic() - started < 8


@step
async def shields_its_cleanup(marker):
    try:
        await anyio.sleep(10)
    except anyio.get_cancelled_exc_class():
        with anyio.CancelScope(shield=True):
            await anyio.sleep(0.2)  # cleanup that a cancellation must not cut
            marker.append("cleaned up")
        raise


@step
async def fails_after(delay):
    await anyio.sleep(delay)
    raise ValueError("branch broke")


@workflow
async def shielded_beside_a_failure(marker):
    await parallel(shields_its_cleanup(marker), fails_after(0.05), cancel_running=True)


@workflow
async def shielded_under_a_deadline(marker):
    with anyio.move_on_after(0.05):
        await parallel(shields_its_cleanup(marker), shields_its_cleanup(marker))
    marker.append("after")


def test_a_shield_inside_a_cancelled_branch_holds(run_wf):
    marker: list[str] = []
    with pytest.raises(ValueError, match="branch broke"):
        run_wf(shielded_beside_a_failure, marker)
    assert marker == ["cleaned up"]


def test_a_cancelled_parallel_waits_for_its_branches_shielded_cleanup(run_wf):
    marker: list[str] = []
    run_wf(shielded_under_a_deadline, marker)
    assert marker == ["cleaned up", "cleaned up", "after"]


@workflow
async def cancelled_before_it_starts(marker):
    with anyio.CancelScope() as scope:
        scope.cancel()
        await parallel(wait_then_echo("a", 0.0), wait_then_echo("b", 0.0))
        marker.append("not reached")
    marker.append("after")


def test_a_parallel_in_a_cancelled_scope_starts_no_branch(run_wf, load_events):
    marker: list[str] = []
    _, run_id = run_wf(cancelled_before_it_starts, marker)
    assert marker == ["after"]
    assert not [e for e in load_events(run_id) if e.op == Op.STEP_ENTER]


def test_parallel_outside_a_workflow_cancels_the_others_on_a_failure():
    ended: list[str] = []

    async def slow():
        try:
            await anyio.sleep(10)
        finally:
            ended.append("slow")

    async def broken():
        await anyio.sleep(0.01)
        raise ValueError("outside")

    async def main():
        await parallel(slow(), broken())

    started = time.monotonic()
    with pytest.raises(ValueError, match="outside"):
        anyio.run(main)
    assert ended == ["slow"] and time.monotonic() - started < 5


def test_a_failure_is_recorded_on_the_fork_as_branches_failed(run_wf, load_events, runs_dir):
    @step
    async def bad(i):
        await anyio.sleep(0)  # both start before either fails
        raise ValueError(f"bad {i}")

    @workflow
    async def wf():
        return await parallel(bad(0), bad(1))

    with pytest.raises(ValueError, match="bad 0"):
        run_wf(wf)
    (run_id,) = [p.stem for p in runs_dir.glob("*.jsonl")]
    fork, join = [e for e in load_events(run_id) if e.op in (Op.FORK, Op.JOIN)]
    for event in (fork, join):
        assert event.status is EventStatus.FAILED
        assert event.response["error"] == "2 branch(es) failed"  # REFERENCE §2.4
        assert event.response["error_type"] == "ValueError"


def test_a_pause_alongside_a_failure_pauses_the_run(run_wf, load_events, runs_dir):
    """REFERENCE §2.4: a pause wins over failures beside it; the fork records them."""
    paused = anyio.Event()
    asked: list[bool] = []

    @step
    async def first():
        if not asked:  # a resume runs the body again (its effects come from the log)
            asked.append(True)
            godel.write_pause_request(godel.get_event_log().run_id, "lunch", runs_dir)

    @step
    async def second():
        return "second"

    broken = [True]

    @step
    async def fails_later():
        await paused.wait()
        if broken:
            raise ValueError("broke meanwhile")
        return "fixed"

    async def pausing_branch():
        await first()
        try:
            return await second()
        finally:
            paused.set()

    @workflow
    async def wf():
        return await parallel(pausing_branch(), fails_later())

    with pytest.raises(godel.PauseSignal):
        run_wf(wf)
    (run_id,) = [p.stem for p in runs_dir.glob("*.jsonl")]
    events = load_events(run_id)
    assert events[0].status is EventStatus.PAUSED
    fork, join = [e for e in events if e.op in (Op.FORK, Op.JOIN)]
    for event in (fork, join):
        assert event.status is EventStatus.FAILED
        assert event.response["error"] == "1 branch(es) failed alongside pause"
        assert event.response["error_type"] == "ValueError"
    # The resume runs the failed branch again: the run never went past its failure.
    broken.clear()
    result = anyio.run(lambda: godel.resume(wf, run_id, runs_dir=runs_dir, transcript=False))
    assert result == ("second", "fixed")
