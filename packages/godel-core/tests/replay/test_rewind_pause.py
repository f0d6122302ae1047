"""godel.rewind inside a workflow, apply_rewind modes, and the pause sentinel API."""

from __future__ import annotations

import anyio
import pytest

import godel
from godel import PauseSignal, det, step, workflow
from godel.log.eventlog import EventLog
from godel.log.events import EventStatus, Op
from godel.replay.rewind import apply_rewind


@step
async def draw(label):
    return det.randint(1, 10**9)


def test_in_workflow_rewind_reruns_from_the_target(run_wf, load_events):
    passes = {"n": 0}

    @workflow
    async def wf():
        passes["n"] += 1
        first = await draw("a")
        second = await draw("b")
        if passes["n"] == 1:
            target = [e for e in godel.get_event_log().events if e.op == Op.STEP_ENTER][1]
            await godel.rewind(to=target.event_id, reason="try b again")
        return first, second

    (first, second), run_id = run_wf(wf)
    events = load_events(run_id)
    draws = [e for e in events if e.op == Op.DET_RANDINT]
    live = [e for e in draws if e.status is EventStatus.FINISHED]
    dead = [e for e in draws if e.status is EventStatus.INVALIDATED]
    assert passes["n"] == 2
    assert [e.response["value"] for e in live] == [first, second]
    assert len(dead) == 1  # the first draw of b, superseded by the second pass
    phases = [e.request["phase"] for e in events if e.op == Op.REWIND]
    assert phases == ["intent", "outcome"]


def test_rewind_needs_targets_and_a_workflow(run_wf):
    with pytest.raises(RuntimeError, match="inside a @workflow"):
        anyio.run(lambda: godel.rewind(to="x"))

    @workflow
    async def wf():
        await godel.rewind(to=[])

    with pytest.raises(ValueError, match="at least one"):
        run_wf(wf)


def test_endless_rewinding_stops(run_wf):
    @workflow
    async def wf():
        await draw("x")
        target = next(
            e
            for e in godel.get_event_log().events
            if e.op == Op.STEP_ENTER and e.status is EventStatus.FINISHED
        )
        await godel.rewind(to=target.event_id)

    with pytest.raises(RuntimeError, match="rewound more than 100 times"):
        run_wf(wf)


@workflow
async def three():
    return [await draw(x) for x in "abc"]


def test_cut_and_to_modes(run_wf, runs_dir):
    _, run_id = run_wf(three)
    log = EventLog.open(run_id, runs_dir)
    steps = [e for e in log.events if e.op == Op.STEP_ENTER]
    cut = apply_rewind(log, [steps[0].event_id[-8:]], mode="cut")
    assert set(cut.invalidated_ids) == {steps[0].event_id, steps[0].children_ids[0]}
    to = apply_rewind(log, [steps[1].event_id], mode="to")
    assert steps[2].event_id in to.invalidated_ids and steps[1].event_id in to.invalidated_ids
    again = apply_rewind(log, [steps[1].event_id])
    assert again.already_rewound_ids == [steps[1].event_id] and again.invalidated_count == 0
    with pytest.raises(ValueError):
        apply_rewind(log, [])
    log.close()


def test_a_rewind_cut_short_writes_nothing_and_can_be_done_again(run_wf, runs_dir, monkeypatch):
    # Killed or interrupted half-way, a rewind used to leave its target invalidated and the
    # events after it live; the same rewind again then skipped the target as done.
    _, run_id = run_wf(three)
    log = EventLog.open(run_id, runs_dir)
    first = next(e for e in log.events if e.op == Op.STEP_ENTER)
    size = log.path.stat().st_size
    set_status = EventLog.set_status
    calls = []

    def interrupted(self, event, status, **kwargs):
        calls.append(event.event_id)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return set_status(self, event, status, **kwargs)

    monkeypatch.setattr(EventLog, "set_status", interrupted)
    with pytest.raises(KeyboardInterrupt):
        apply_rewind(log, [first.event_id])
    monkeypatch.undo()
    assert log.path.stat().st_size == size  # nothing of it was written
    assert not log.writable  # its events in memory hold states that were never written
    with EventLog.open(run_id, runs_dir) as again:
        assert all(e.status is not EventStatus.INVALIDATED for e in again.events)
        done = apply_rewind(again, [first.event_id])
        assert done.already_rewound_ids == [] and first.event_id in done.invalidated_ids
        assert done.invalidated_count >= 4  # the step, its draw, and the two steps after it
    reloaded = EventLog.load(run_id, runs_dir)
    assert {e.event_id for e in reloaded if e.status is EventStatus.INVALIDATED} == set(
        done.invalidated_ids
    )
    assert [e.op for e in reloaded][-1] == Op.REWIND


def test_pause_sentinel_round_trip(runs_dir):
    run_id = "01TESTRUNID0000000000000000"[:26]
    path = godel.write_pause_request(run_id, "coffee", runs_dir)
    assert path == runs_dir / f"{run_id}.pause"
    with pytest.raises(PauseSignal) as info:
        godel.check_pause_request(run_id, runs_dir)
    assert info.value.reason == "coffee"
    godel.clear_pause_request(run_id, runs_dir)
    godel.check_pause_request(run_id, runs_dir)  # nothing pending: no error
    with pytest.raises(ValueError):
        godel.write_pause_request("../evil", "", runs_dir)


def test_clearing_no_request_on_a_read_only_runs_dir_is_not_an_error(runs_dir, monkeypatch):
    # On a read-only mount, unlink says EROFS even for a file that is not there: there is
    # nothing to clear, so `godel resume` of a finished run there must not fail on it.
    import errno
    from pathlib import Path

    run_id = "01TESTRUNID0000000000000000"[:26]

    def read_only(self, missing_ok=False):
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    runs_dir.mkdir(parents=True, exist_ok=True)
    monkeypatch.setattr(Path, "unlink", read_only)
    godel.clear_pause_request(run_id, runs_dir)  # no sentinel: no error
    (runs_dir / f"{run_id}.pause").write_text("{}")
    with pytest.raises(OSError):  # one that is there and cannot go is said
        godel.clear_pause_request(run_id, runs_dir)


def test_a_pause_written_while_the_run_clears_an_earlier_one_lands(runs_dir, monkeypatch):
    # `godel pause` twice: the run consumes the first request and clears it while the second
    # writer is between its temp file and the rename. The second request must land, not crash.
    import os

    from godel.engine import pause as pause_mod

    run_id = "01TESTRUNID0000000000000000"[:26]
    real_fsync = os.fsync

    def fsync_then_run_clears(fd):
        real_fsync(fd)
        godel.clear_pause_request(run_id, runs_dir)

    monkeypatch.setattr(pause_mod.os, "fsync", fsync_then_run_clears)
    path = godel.write_pause_request(run_id, "second", runs_dir)
    assert path.is_file()
    monkeypatch.undo()
    # A temp file a crashed writer left long ago is still cleared.
    stale = runs_dir / f"tmpabc.{run_id}.pause.tmp"
    stale.write_text("{}")
    old = stale.stat().st_mtime - 2 * pause_mod.ORPHAN_AGE
    os.utime(stale, (old, old))
    godel.clear_pause_request(run_id, runs_dir)
    assert not stale.exists() and not path.exists()


def test_a_pause_from_another_process_lands_within_the_check_interval(
    run_wf, load_events, runs_dir
):
    # Another process's request is a file that appears; the run looks for it at most every
    # CHECK_INTERVAL seconds, so a few steps may still run, but not many.
    from godel.engine.pause import CHECK_INTERVAL, sentinel_path

    @step
    async def tick(i):
        await anyio.sleep(CHECK_INTERVAL / 4)
        return i

    @workflow
    async def wf():
        await tick(0)
        path = sentinel_path(godel.get_event_log().run_id, runs_dir)
        path.parent.mkdir(exist_ok=True)
        path.write_text('{"reason": "from outside"}')  # not through write_pause_request
        for i in range(1, 200):
            await tick(i)

    with pytest.raises(PauseSignal, match="from outside"):
        run_wf(wf)
    (run_id,) = [p.stem for p in runs_dir.glob("*.jsonl")]
    ran = [e for e in load_events(run_id) if e.op == Op.STEP_ENTER]
    # Usually a few steps run first; a loaded machine that overslept the first may check at once.
    assert 1 <= len(ran) < 20


def test_pause_at_next_step_records_paused(run_wf, load_events, runs_dir):
    asked = []

    @workflow
    async def wf():
        await draw("a")
        if not asked:
            asked.append(True)
            godel.write_pause_request(godel.get_event_log().run_id, "stop here", runs_dir)
        await draw("b")
        return "done"

    with pytest.raises(PauseSignal):
        run_wf(wf)
    (run_id,) = [p.stem for p in runs_dir.glob("*.jsonl")]
    events = load_events(run_id)
    assert events[0].status is EventStatus.PAUSED and events[0].response["reason"] == "stop here"
    assert any(e.op == Op.PAUSED for e in events)
    assert not (runs_dir / f"{run_id}.pause").exists()
    assert [e.request["args"] for e in events if e.op == Op.STEP_ENTER] == [["a"]]
    result = anyio.run(lambda: godel.resume(wf, run_id, runs_dir=runs_dir, transcript=False))
    assert result == "done"
    assert load_events(run_id)[0].status is EventStatus.FINISHED


def test_rewinding_a_rerun_of_an_interrupted_command_runs_it_again(run_wf, runs_dir, tmp_path):
    flag = tmp_path / "flag"

    @step(timeout=0.3)
    async def slow():
        r = await godel.run(["sh", "-c", f"test -e {flag} || sleep 5; echo done"])
        return r.stdout.strip()

    @workflow
    async def wf():
        return await slow()

    with pytest.raises(godel.StepTimeout) as info:
        run_wf(wf)  # the command is cut short: in flight, outcome unknown
    run_id = info.value.run_id  # type: ignore[attr-defined]
    flag.touch()
    resume = lambda **kw: anyio.run(  # noqa: E731
        lambda: godel.resume(wf, run_id, runs_dir=runs_dir, transcript=False, **kw)
    )
    assert resume(assume_idempotent=True) == "done"
    log = EventLog.open(run_id, runs_dir)
    rerun = next(e for e in log if e.op == Op.RUN and e.status is EventStatus.FINISHED)
    apply_rewind(log, [rerun.event_id], assume_idempotent=True)
    log.close()

    # The rewound re-run runs again; the interrupted attempt it superseded does not resurface.
    assert resume() == "done"
