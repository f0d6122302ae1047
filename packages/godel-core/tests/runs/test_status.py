"""``godel.runs.status``: one run-state classifier and summary for every reader."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from godel import WorkflowFail, parallel, print, run, step, workflow
from godel.log.eventlog import EventLog
from godel.log.events import Event, EventStatus, Op
from godel.log.format import CorruptLogError
from godel.log.lock import lock_path
from godel.runs.status import RunStatus, RunTracker, classify, lock_held, summarize, summarize_log


def _root(status: EventStatus, ts_end: str | None = "2026-01-01T00:00:02+00:00") -> Event:
    return Event(
        "R",
        "run",
        0,
        op=Op.WORKFLOW_STARTED,
        status=status,
        ts_start="2026-01-01T00:00:00+00:00",
        ts_end=ts_end,
    )


@pytest.mark.parametrize(
    ("status", "ended", "locked", "expected"),
    [
        (EventStatus.FINISHED, True, False, RunStatus.FINISHED),
        (EventStatus.FAILED, True, False, RunStatus.FAILED),
        (EventStatus.PAUSED, True, False, RunStatus.PAUSED),
        (EventStatus.FINISHED, True, True, RunStatus.FINISHED),  # the writer is just closing
        (EventStatus.STARTED, False, True, RunStatus.RUNNING),
        (EventStatus.STARTED, False, False, RunStatus.CRASHED),
        (EventStatus.FAILED, False, True, RunStatus.RUNNING),  # a resume is under way
        (EventStatus.FAILED, False, False, RunStatus.CRASHED),  # a resume died
    ],
)
def test_classify(status: EventStatus, ended: bool, locked: bool, expected: RunStatus) -> None:
    assert classify(_root(status), attempt_ended=ended, locked=locked) is expected


def test_classify_without_a_root() -> None:
    assert classify(None, attempt_ended=False, locked=True) is RunStatus.RUNNING
    assert classify(None, attempt_ended=False, locked=False) is RunStatus.CRASHED


def test_a_resume_after_the_terminal_root_line_reopens_the_run() -> None:
    tracker = RunTracker()
    tracker.feed(_root(EventStatus.FAILED))
    assert tracker.attempt_ended and tracker.ended_in_line_order
    tracker.feed(
        Event(
            "S",
            "run",
            1,
            op=Op.RESUME,
            status=EventStatus.FINISHED,
            parent_id="R",
            ts_start="2026-01-01T00:00:05+00:00",
            ts_end="2026-01-01T00:00:05+00:00",
        )
    )
    assert not tracker.attempt_ended and not tracker.ended_in_line_order
    assert tracker.attempts == 2
    tracker.feed(_root(EventStatus.FINISHED, "2026-01-01T00:00:09+00:00"))
    assert tracker.attempt_ended and tracker.ended_in_line_order


# runs made by the engine ----------------------------------------------------------------------


@step
async def ok_step() -> int:
    await print("inside")
    return 1


@step
async def failing_command() -> None:
    await run([sys.executable, "-c", "import sys; sys.exit(3)"])


@step
async def outer() -> None:
    await failing_command()


@step
async def raises() -> None:
    raise ValueError("step broke")


@workflow
async def finishes() -> int:
    return await ok_step()


@workflow
async def fails_in_a_command() -> None:
    await ok_step()
    await outer()


@workflow
async def fails_in_the_body() -> None:
    try:
        await raises()
    except ValueError:
        pass
    raise WorkflowFail("the body gave up")


@workflow
async def fails_in_a_branch() -> None:
    await parallel(ok_step(), raises())


def _failed_run(run_wf: Callable[..., Any], wf: Any) -> str:
    with pytest.raises(BaseException) as info:
        run_wf(wf)
    return info.value.run_id  # type: ignore[attr-defined]


def test_finished_run(run_wf: Callable[..., Any], runs_dir: Path) -> None:
    _, run_id = run_wf(finishes)
    summary = summarize(run_id, runs_dir)
    log = EventLog.load(run_id, runs_dir)
    root = log.events[0]
    assert summary.status is RunStatus.FINISHED
    assert summary.workflow == "finishes"
    assert summary.started == root.ts_start and summary.ended == root.ts_end
    assert summary.attempts == 1 and summary.failure is None
    assert summary.duration() is not None and summary.duration() >= 0


def test_failure_points_at_the_innermost_event(run_wf: Callable[..., Any], runs_dir: Path) -> None:
    run_id = _failed_run(run_wf, fails_in_a_command)
    summary = summarize(run_id, runs_dir)
    assert summary.status is RunStatus.FAILED
    assert summary.failure is not None
    assert summary.failure.error_type == "CommandFailure"
    cause = summary.failure.cause
    assert cause is not None
    assert cause.op == Op.RUN and cause.step_path == ("outer", "failing_command")
    assert cause.error == summary.failure.error
    assert EventLog.load(run_id, runs_dir).get(cause.event_id).status is EventStatus.FAILED


def test_a_failure_of_the_workflow_body_has_no_cause_event(
    run_wf: Callable[..., Any], runs_dir: Path
) -> None:
    run_id = _failed_run(run_wf, fails_in_the_body)
    summary = summarize(run_id, runs_dir)
    assert summary.status is RunStatus.FAILED
    assert summary.failure is not None and summary.failure.error == "the body gave up"
    # The caught step failure is not what failed the run.
    assert summary.failure.cause is None


def test_a_failed_branch_is_the_cause_not_its_cancelled_sibling(
    run_wf: Callable[..., Any], runs_dir: Path
) -> None:
    run_id = _failed_run(run_wf, fails_in_a_branch)
    cause = summarize(run_id, runs_dir).failure.cause  # type: ignore[union-attr]
    assert cause is not None and cause.step_path == ("raises",) and cause.error_type == "ValueError"


def _handmade(
    runs_dir: Path, *, root_status: EventStatus | None = None, keep_open: bool = False
) -> tuple[EventLog, list[Event]]:
    log = EventLog.create(runs_dir, header={"workflow": "hand"})
    root = log.start(Op.WORKFLOW_STARTED, request={"function": "hand"})
    child = log.start(
        Op.STEP_ENTER, request={"name": "a"}, step_path=("a",), parent_id=root.event_id
    )
    if root_status is not None:
        log.finish(
            root,
            {"result": "paused", "reason": "r"} if root_status is EventStatus.PAUSED else {},
            status=root_status,
        )
    if not keep_open:
        log.close()
    return log, [root, child]


def test_crashed_run_ends_at_its_last_event(runs_dir: Path) -> None:
    log, (_root_ev, child) = _handmade(runs_dir)
    summary = summarize(log.run_id, runs_dir)
    assert summary.status is RunStatus.CRASHED
    assert summary.ended == child.ts_start  # not "now": the duration does not grow
    assert summary.workflow == "hand"


def test_running_run_is_measured_to_now(runs_dir: Path) -> None:
    log, _ = _handmade(runs_dir, keep_open=True)
    try:
        summary = summarize(log.run_id, runs_dir)
        assert summary.status is RunStatus.RUNNING
        assert summary.ended is None
        assert summary.duration("2999-01-01T00:00:00+00:00") > 1e9
    finally:
        log.close()
    assert summarize(log.run_id, runs_dir).status is RunStatus.CRASHED


def test_paused_run(runs_dir: Path) -> None:
    log, (root, _) = _handmade(runs_dir, root_status=EventStatus.PAUSED)
    summary = summarize(log.run_id, runs_dir)
    assert summary.status is RunStatus.PAUSED
    assert summary.ended == EventLog.load(log.run_id, runs_dir).get(root.event_id).ts_end


def test_resume_in_progress_and_resume_that_died(runs_dir: Path) -> None:
    log, (root, _) = _handmade(runs_dir, root_status=EventStatus.FAILED)
    assert summarize(log.run_id, runs_dir).status is RunStatus.FAILED
    again = EventLog.open(log.run_id, runs_dir)
    again.record(
        Op.RESUME,
        request={"attempt": 2},
        parent_id=root.event_id,
        invocation_seq=-1,
        step_local_seq=-1,
    )
    try:
        summary = summarize(log.run_id, runs_dir)
        assert summary.status is RunStatus.RUNNING and summary.attempts == 2
    finally:
        again.close()
    assert summarize(log.run_id, runs_dir).status is RunStatus.CRASHED


def test_summarize_and_summarize_log_agree(run_wf: Callable[..., Any], runs_dir: Path) -> None:
    ids = [
        run_wf(finishes)[1],
        _failed_run(run_wf, fails_in_a_command),
        _handmade(runs_dir)[0].run_id,
    ]
    for run_id in ids:
        assert summarize(run_id, runs_dir) == summarize_log(EventLog.load(run_id, runs_dir))


def test_torn_last_line_is_a_warning(run_wf: Callable[..., Any], runs_dir: Path) -> None:
    _, run_id = run_wf(finishes)
    with open(runs_dir / f"{run_id}.jsonl", "ab") as f:
        f.write(b'{"event_id": "01X')
    summary = summarize(run_id, runs_dir)
    assert summary.status is RunStatus.FINISHED
    assert any("torn last line" in w for w in summary.warnings)


def test_corrupt_middle_line_is_refused_like_the_loader(
    run_wf: Callable[..., Any], runs_dir: Path
) -> None:
    _, run_id = run_wf(finishes)
    path = runs_dir / f"{run_id}.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    lines.insert(2, b"{not json\n")
    path.write_bytes(b"".join(lines))
    with pytest.raises(CorruptLogError):
        summarize(run_id, runs_dir)
    with pytest.raises(CorruptLogError):
        EventLog.load(run_id, runs_dir)


def test_empty_log_is_unknown(runs_dir: Path) -> None:
    runs_dir.mkdir(parents=True)
    (runs_dir / "01HZZZZZZZZZZZZZZZZZZZZZZZ.jsonl").write_bytes(b"")
    summary = summarize("01HZZZZZZZZZZZZZZZZZZZZZZZ", runs_dir)
    assert summary.status is RunStatus.UNKNOWN and summary.warnings


def test_a_log_with_only_its_header_is_unknown(runs_dir: Path) -> None:
    """The writer died after the header: nothing began, so there is nothing to resume."""
    runs_dir.mkdir(parents=True)
    run_id = "01HZZZZZZZZZZZZZZZZZZZZZZZ"
    header = {"godel_log": {"format": 1, "run_id": run_id, "workflow": "hand"}}
    (runs_dir / f"{run_id}.jsonl").write_text(json.dumps(header) + "\n")
    summary = summarize(run_id, runs_dir)
    assert summary.status is RunStatus.UNKNOWN and summary.workflow == "hand"
    assert summary.warnings == ("the log holds no WORKFLOW_STARTED event",)


def test_missing_log(runs_dir: Path) -> None:
    with pytest.raises(FileNotFoundError):
        summarize("01HZZZZZZZZZZZZZZZZZZZZZZZ", runs_dir)


# the run lock ---------------------------------------------------------------------------------


def test_lock_held_follows_the_writer(runs_dir: Path) -> None:
    log = EventLog.create(runs_dir)
    try:
        assert lock_held(log.run_id, runs_dir)
    finally:
        log.close()
    assert not lock_held(log.run_id, runs_dir)
    assert not lock_held("01HZZZZZZZZZZZZZZZZZZZZZZZ", runs_dir)  # no lock file at all
    assert not (runs_dir / "01HZZZZZZZZZZZZZZZZZZZZZZZ.lock").exists()  # and none was created


def test_a_dead_or_unlocking_pid_is_not_a_holder(runs_dir: Path) -> None:
    runs_dir.mkdir(parents=True)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    lock_path(runs_dir, "A1").write_text(dead.stdout)  # a holder killed with SIGKILL leaves its pid
    assert not lock_held("A1", runs_dir)
    lock_path(runs_dir, "A2").write_text(f"{os.getpid()}\n")  # a live pid that holds nothing
    assert not lock_held("A2", runs_dir)


def test_a_lock_path_that_is_not_a_file_is_not_held(tmp_path: Path) -> None:
    # A directory there raised IsADirectoryError (a traceback in `godel watch -p`); opening a
    # FIFO there blocked for ever (watch and tail hung).
    run_id = "01M8LOCKLOCKLOCKLOCKLOCKLO"
    path = lock_path(tmp_path, run_id)
    path.mkdir()
    assert not lock_held(run_id, tmp_path)
    path.rmdir()
    os.mkfifo(path)
    assert not lock_held(run_id, tmp_path)
