"""Resume: replay from the log losslessly, continue live where the log ends, policies."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

import godel
from godel import ResumeError, WorkflowFail, det, parallel, step, workflow
from godel.log.events import EventStatus, Op


def resume(wf, run_id, runs_dir, **kwargs):
    return anyio.run(
        lambda: godel.resume(wf, run_id, runs_dir=runs_dir, transcript=False, **kwargs)
    )


@step
async def sample(label):
    return f"{label}:{det.random():.6f}"


@step
async def gate(flag: str):
    if Path(flag).exists():
        raise WorkflowFail("gate closed")
    return "open"


@step
async def write_big(path: str):
    await godel.write_text(path, "x" * 300_000)
    return len(await godel.read_text(path))


@workflow
async def pipeline(flag, out):
    a = await sample("a")
    size = await write_big(out)
    branches = await parallel(sample("p"), sample("q"))
    await gate(flag)
    return [a, size, *branches, await sample("z")]


def draws(events):
    """label of each `sample` step → the det.random value recorded below it."""
    by_id = {e.event_id: e for e in events}
    out = {}
    for e in events:
        if e.op == Op.DET_RANDOM and e.status is EventStatus.FINISHED:
            out[by_id[e.parent_id].request["args"][0]] = e.response["value"]
    return out


def test_resume_after_failure_replays_recorded_values_and_finishes(
    run_wf, load_events, runs_dir, tmp_path
):
    flag = tmp_path / "closed"
    flag.touch()
    out = tmp_path / "big.txt"
    with pytest.raises(WorkflowFail) as info:
        run_wf(pipeline, str(flag), str(out))
    run_id = info.value.run_id
    first = draws(load_events(run_id))
    out.write_text("changed behind godel's back")
    flag.unlink()
    result = resume(pipeline, run_id, runs_dir)
    events = load_events(run_id)
    again = draws(events)
    assert set(first) == {"a", "p", "q"} and set(again) == {"a", "p", "q", "z"}
    for label, value in first.items():
        assert again[label] == value
    assert result[1] == 300_000  # the recorded read, not the file as it is now
    assert result[0] == f"a:{first['a']:.6f}"
    assert result[2:4] == [f"p:{first['p']:.6f}", f"q:{first['q']:.6f}"]
    writes = [e for e in events if e.op == Op.WRITE_TEXT]
    assert len(writes) == 1  # the completed write did not run twice
    root = events[0]
    assert root.status is EventStatus.FINISHED
    resumes = [e for e in events if e.op == Op.RESUME]
    assert len(resumes) == 1 and resumes[0].request["attempt"] == 2


def test_resuming_a_finished_run_returns_its_result_and_writes_nothing(
    run_wf, load_events, runs_dir, tmp_path
):
    # Issue 12: a finished run is not replayed (the old behaviour appended a RESUME event and
    # a new terminal line to a complete log).
    result, run_id = run_wf(pipeline, str(tmp_path / "no-flag"), str(tmp_path / "o.txt"))
    log = runs_dir / f"{run_id}.jsonl"
    before = log.read_bytes()
    again = resume(pipeline, run_id, runs_dir)
    assert again == result
    assert log.read_bytes() == before


@workflow
async def gated_at_the_end(flag, out):
    a = await sample("a")
    if Path(flag).exists():  # outside any step: the failure is the workflow body's own
        raise WorkflowFail("closed at the end")
    return a


def test_fully_cached_resume_still_records_final_status(run_wf, load_events, runs_dir, tmp_path):
    flag = tmp_path / "closed"
    flag.touch()
    with pytest.raises(WorkflowFail) as info:
        run_wf(gated_at_the_end, str(flag), "")
    run_id = info.value.run_id
    lines_before = len(load_events(run_id))
    flag.unlink()
    again = resume(gated_at_the_end, run_id, runs_dir)
    events = load_events(run_id)
    assert again.startswith("a:")
    assert events[0].status is EventStatus.FINISHED
    assert len(events) == lines_before + 1  # only the RESUME record is new


@step
async def shout(text):
    await godel.print(text.upper())
    return text


# A finished run is not replayed (issue 12), so the tests of replay policies start from a run
# that did all its work and then failed: the workflows below end with ``stop_at_end()``.
_stop = {"armed": False}


async def stop_at_end():
    if _stop["armed"]:
        _stop["armed"] = False
        raise WorkflowFail("stopped before the end")


def run_unfinished(run_wf, wf, *args):
    """Run ``wf`` so that it fails after all its work; returns the run id."""
    _stop["armed"] = True
    with pytest.raises(WorkflowFail, match="stopped before the end") as info:
        run_wf(wf, *args)
    return info.value.run_id


def make_wf(text):
    @workflow
    async def editable():
        out = await shout(text)
        await stop_at_end()
        return out

    return editable


def test_mismatch_abort_is_the_default(run_wf, runs_dir):
    run_id = run_unfinished(run_wf, make_wf("hello"))
    with pytest.raises(ResumeError, match="request changed"):
        resume(make_wf("bye"), run_id, runs_dir)


def make_root_printer(text):
    @workflow
    async def root_printer():
        await godel.print(text)
        await stop_at_end()

    return root_printer


def test_a_mismatch_in_the_workflow_body_names_it_as_the_plan_does(run_wf, runs_dir):
    """`(root)`, as `godel show` and `resume --plan` name it: it used to say `(workflow)`."""
    run_id = run_unfinished(run_wf, make_root_printer("hello"))
    with pytest.raises(ResumeError, match=r"^print at \(root\) \(event "):
        resume(make_root_printer("bye"), run_id, runs_dir)


def test_a_changed_print_kept_by_continue_shows_the_recorded_text(run_wf, runs_dir, capsys):
    """It is replayed as recorded, as the warning says: it used to show neither text."""
    run_id = run_unfinished(run_wf, make_root_printer("hello"))
    capsys.readouterr()
    resume(make_root_printer("bye"), run_id, runs_dir, on_mismatch="continue")
    out = capsys.readouterr()
    assert out.out == "hello\n"
    assert "print at (root)" in out.err and "replaying the recorded result" in out.err


def test_a_replayed_print_of_a_secret_is_not_shown_again(run_wf, runs_dir, capsys):
    secret = "ghp_Zx9Cv8Bn7Mm6Ll5Kk4Jj3Hh2Gg1Ff0DdSsAaQq"  # the log holds it redacted
    run_id = run_unfinished(run_wf, make_root_printer(f"token {secret}"))
    capsys.readouterr()
    resume(make_root_printer(f"token {secret}"), run_id, runs_dir)
    assert capsys.readouterr().out == ""


def test_mismatch_invalidate_records_and_uses_the_new_request(run_wf, load_events, runs_dir):
    run_id = run_unfinished(run_wf, make_wf("hello"))
    result = resume(make_wf("bye"), run_id, runs_dir, on_mismatch="invalidate")
    assert result == "bye"
    events = load_events(run_id)
    invalidations = [e for e in events if e.op == Op.INVALIDATE]
    assert invalidations and invalidations[0].request["reason"] == "request changed"
    old = [e for e in events if e.op == Op.STEP_ENTER and e.status is EventStatus.INVALIDATED]
    assert old and old[0].request["args"] == ["hello"]
    prints = [
        e.request["text"] for e in events if e.op == Op.PRINT and e.status is EventStatus.FINISHED
    ]
    assert prints == ["BYE\n"]


def test_mismatch_continue_keeps_the_recorded_result(run_wf, runs_dir, capsys):
    run_id = run_unfinished(run_wf, make_wf("hello"))
    assert resume(make_wf("bye"), run_id, runs_dir, on_mismatch="continue") == "bye"
    assert "replaying the recorded result" in capsys.readouterr().err


def make_picker(items):
    @workflow
    async def picker():
        pick = det.choice(items)
        await stop_at_end()
        return pick

    return picker


def test_mismatch_continue_refuses_a_choice_outside_a_shorter_sequence(
    run_wf, runs_dir, monkeypatch
):
    class Last:
        def randrange(self, n):
            return n - 1

    monkeypatch.setattr(det, "_rng", Last())
    run_id = run_unfinished(run_wf, make_picker(["a", "b", "c", "d", "e"]))  # picks index 4
    with pytest.raises(ResumeError, match=r"det.choice: the recorded choice \(index 4\)"):
        resume(make_picker(["x", "y"]), run_id, runs_dir, on_mismatch="continue")
    assert resume(make_picker(["x", "y"]), run_id, runs_dir, on_mismatch="invalidate") == "y"


def test_non_json_args_need_programmatic_args(run_wf, runs_dir):
    @workflow
    async def takes(obj):
        await stop_at_end()
        return 1

    run_id = run_unfinished(run_wf, takes, object())
    with pytest.raises(ResumeError, match="non-serialisable"):
        resume(takes, run_id, runs_dir)
    assert resume(takes, run_id, runs_dir, args=(object(),)) == 1


def test_arguments_that_no_longer_fit_are_refused_before_anything_is_written(run_wf, runs_dir):
    @workflow
    async def takes(name):
        await stop_at_end()
        return name

    run_id = run_unfinished(run_wf, takes, "x")
    log = runs_dir / f"{run_id}.jsonl"
    before = log.read_bytes()

    @workflow
    async def takes(name, extra):  # a parameter was added since the run
        return name

    with pytest.raises(ResumeError, match=r"do not fit takes\(name, extra\)"):
        resume(takes, run_id, runs_dir)
    assert log.read_bytes() == before  # no RESUME line, the run is not marked FAILED


def make_fanout(n):
    @workflow
    async def fanout():
        out = await parallel(*(sample(str(i)) for i in range(n)))
        await stop_at_end()
        return out

    return fanout


def test_changed_branch_count_is_a_mismatch(run_wf, runs_dir):
    run_id = run_unfinished(run_wf, make_fanout(2))
    with pytest.raises(ResumeError, match="FORK"):
        resume(make_fanout(3), run_id, runs_dir)
    assert len(resume(make_fanout(3), run_id, runs_dir, on_mismatch="invalidate")) == 3


def test_a_sleep_interrupted_by_a_crash_only_sleeps_what_was_left(run_wf, runs_dir, load_events):
    @workflow
    async def napper():
        await godel.sleep(0.5)
        await stop_at_end()
        return "rested"

    run_id = run_unfinished(run_wf, napper)
    # Make the log look as if the process died in the middle of the sleep.
    import time

    from godel.log.eventlog import EventLog

    log = EventLog.open(run_id, runs_dir)
    nap = next(e for e in log.events if e.op == Op.SLEEP)
    log.set_status(nap, EventStatus.INVALIDATED)
    log.start(Op.SLEEP, request={"seconds": 0.5}, parent_id=nap.parent_id, step_local_seq=0)
    log.close()
    time.sleep(0.3)
    assert resume(napper, run_id, runs_dir) == "rested"
    final = [
        e for e in load_events(run_id) if e.op == Op.SLEEP and e.status is EventStatus.FINISHED
    ]
    assert final[-1].response["resumed"] is True
    assert final[-1].response["remaining_slept"] < 0.3


def make_edited(edited):
    if edited:

        @step
        async def told():
            return det.randint(1, 10**6) * 0  # edited since the run

    else:

        @step
        async def told():
            return det.randint(1, 10**6)

    @workflow
    async def tell():
        out = await told()
        await stop_at_end()
        return out

    return tell


def test_source_edit_policies(run_wf, runs_dir, capsys):
    run_id = run_unfinished(run_wf, make_edited(False))
    with pytest.raises(godel.SourceEditedError) as info:
        resume(make_edited(True), run_id, runs_dir, on_source_edit="abort")
    assert f"godel rewind {run_id} --to {info.value.event_id}" in str(info.value)
    capsys.readouterr()
    assert resume(make_edited(True), run_id, runs_dir, on_source_edit="ignore") == 0
    assert "changed since it was recorded" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("op", "hint"),
    [
        ("run", "idempotent=True on the call or its step"),
        ("agent.call", "assume_idempotent=True on the agent call, or idempotent=True on its step"),
        ("write_text", "(idempotent=True on its step)"),  # write_text takes no idempotent=
    ],
)
def test_an_unsafe_resume_says_where_idempotent_can_be_said(op, hint):
    from godel.exceptions import UnsafeResumeError

    text = str(UnsafeResumeError("in flight", event_id="E", cmd="x", run_id="R", op=op))
    assert hint in text
    assert "godel resume R --assume-idempotent" in text
