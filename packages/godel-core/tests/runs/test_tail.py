"""``godel.tail``: every transition in file order, constant memory, and the run's real end."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from godel import print, step, workflow
from godel.log.eventlog import EventLog
from godel.log.events import Event, EventStatus, Op
from godel.log.format import LogFormatError
from godel.log.ids import IdLookupError, new_id
from godel.runs.tail import LogReader, tail

BOUND = 20  # seconds: a fail-safe so that a broken stop rule fails instead of hanging


def collect(run_id: str, runs_dir: Path, **kwargs: Any) -> tuple[list[Event], list[str]]:
    warnings: list[str] = []

    async def main() -> list[Event]:
        with anyio.fail_after(BOUND):
            return [
                ev
                async for ev in tail(
                    run_id,
                    runs_dir=runs_dir,
                    poll_interval=0.01,
                    on_warning=warnings.append,
                    **kwargs,
                )
            ]

    return anyio.run(main), warnings


def log_lines(runs_dir: Path, run_id: str) -> list[bytes]:
    return (runs_dir / f"{run_id}.jsonl").read_bytes().splitlines()


@step
async def hello(n: int) -> int:
    await print(f"hello {n}")
    return n


@workflow
async def small(n: int = 3) -> None:
    for i in range(n):
        await hello(i)


@workflow
async def big_print() -> None:
    await print("x" * 10_000)


def test_no_follow_yields_every_transition_in_file_order(
    run_wf: Callable[..., Any], runs_dir: Path
) -> None:
    _, run_id = run_wf(small)
    events, warnings = collect(run_id, runs_dir, follow=False)
    lines = log_lines(runs_dir, run_id)[1:]  # the header is not an event
    assert len(events) == len(lines)
    assert [(e.event_id, e.status.value) for e in events][:2] == [
        (events[0].event_id, "STARTED"),
        (events[1].event_id, "STARTED"),
    ]
    assert events[-1].op == Op.WORKFLOW_STARTED and events[-1].status is EventStatus.FINISHED
    assert not warnings


def test_follow_stops_by_itself_at_the_end_of_a_finished_run(
    run_wf: Callable[..., Any], runs_dir: Path
) -> None:
    _, run_id = run_wf(small)
    events, _ = collect(run_id, runs_dir)
    assert events[-1].status is EventStatus.FINISHED


def test_prefix_and_suffix_name_a_run(run_wf: Callable[..., Any], runs_dir: Path) -> None:
    _, run_id = run_wf(small)
    assert collect(run_id[:12], runs_dir, follow=False)[0]
    assert collect(run_id[-8:], runs_dir, follow=False)[0]
    _, other = run_wf(small)
    with pytest.raises(IdLookupError):
        collect(run_id[:4], runs_dir, follow=False)
    assert other != run_id


def test_blob_values_arrive_as_previews(run_wf: Callable[..., Any], runs_dir: Path) -> None:
    _, run_id = run_wf(big_print)
    events, _ = collect(run_id, runs_dir, follow=False)
    text = next(e for e in events if e.op == Op.PRINT).request["text"]
    assert "[godel: 10001 chars in blobs/" in text
    full = next(e for e in EventLog.load(run_id, runs_dir) if e.op == Op.PRINT)
    assert full.request["text"] == "x" * 10_000 + "\n"


def test_missing_run(runs_dir: Path) -> None:
    with pytest.raises(FileNotFoundError):
        collect(new_id(), runs_dir, wait=False)
    with pytest.raises(FileNotFoundError):
        collect(new_id(), runs_dir, follow=False)
    assert not runs_dir.exists()


def test_waits_for_a_run_to_appear_without_creating_the_runs_dir(runs_dir: Path) -> None:
    run_id = new_id()
    seen: list[Event] = []

    async def main() -> None:
        with anyio.fail_after(BOUND):
            async with anyio.create_task_group() as tg:

                async def follow() -> None:
                    async for ev in tail(run_id, runs_dir=runs_dir, poll_interval=0.01):
                        seen.append(ev)

                tg.start_soon(follow)
                await anyio.sleep(0.1)
                assert not runs_dir.exists()
                with EventLog.create(runs_dir, run_id) as log:
                    root = log.start(Op.WORKFLOW_STARTED, request={"function": "w"})
                    log.finish(root, {"result": None})

    anyio.run(main)
    assert [e.status for e in seen] == [EventStatus.STARTED, EventStatus.FINISHED]


def test_keeps_following_while_a_writer_holds_the_run_after_a_terminal_root(runs_dir: Path) -> None:
    """A resumed run: attempt 1 ends FAILED, a resume takes the lock and writes attempt 2."""
    log = EventLog.create(runs_dir)
    root = log.start(Op.WORKFLOW_STARTED, request={"function": "w"})
    log.fail(root, "attempt 1 failed")
    seen: list[Event] = []

    async def main() -> None:
        with anyio.fail_after(BOUND):
            async with anyio.create_task_group() as tg:

                async def follow() -> None:
                    async for ev in tail(log.run_id, runs_dir=runs_dir, poll_interval=0.01):
                        seen.append(ev)

                tg.start_soon(follow)
                while len(seen) < 2:
                    await anyio.sleep(0.01)
                await anyio.sleep(0.1)  # tail has seen the FAILED root, but the lock is still held
                log.record(
                    Op.RESUME,
                    request={"attempt": 2},
                    parent_id=root.event_id,
                    invocation_seq=-1,
                    step_local_seq=-1,
                )
                await anyio.sleep(0.1)
                log.finish(root, {"result": 1})
                log.close()

    anyio.run(main)
    assert [(e.op, e.status.value) for e in seen] == [
        (Op.WORKFLOW_STARTED, "STARTED"),
        (Op.WORKFLOW_STARTED, "FAILED"),
        (Op.RESUME, "FINISHED"),
        (Op.WORKFLOW_STARTED, "FINISHED"),
    ]


def test_follows_a_live_run_to_its_end(runs_dir: Path) -> None:
    log = EventLog.create(runs_dir)
    seen: list[Event] = []

    async def writer() -> None:
        root = log.start(Op.WORKFLOW_STARTED, request={"function": "w"})
        for i in range(20):
            ev = log.start(
                Op.STEP_ENTER,
                request={"name": "s"},
                step_path=("s",),
                parent_id=root.event_id,
                invocation_seq=i,
            )
            await anyio.sleep(0.005)
            log.finish(ev, {"result": i})
        log.finish(root, {"result": None})
        log.close()

    async def main() -> None:
        with anyio.fail_after(BOUND):
            async with anyio.create_task_group() as tg:

                async def follow() -> None:
                    async for ev in tail(log.run_id, runs_dir=runs_dir, poll_interval=0.01):
                        seen.append(ev)

                tg.start_soon(follow)
                tg.start_soon(writer)

    anyio.run(main)
    assert len(seen) == 42
    assert seen[-1].op == Op.WORKFLOW_STARTED and seen[-1].status is EventStatus.FINISHED


def test_partial_line_waits_for_its_newline(run_wf: Callable[..., Any], runs_dir: Path) -> None:
    _, run_id = run_wf(small)
    path = runs_dir / f"{run_id}.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    last = lines[-1]
    path.write_bytes(b"".join(lines[:-1]) + last[:30])
    warnings: list[str] = []
    reader = LogReader(path, on_warning=warnings.append)
    events = []
    while (chunk := reader.read_chunk()) is not None:
        events += chunk
    assert len(events) == len(lines) - 2 and reader.has_partial
    with open(path, "ab") as f:
        f.write(last[30:])
    events += reader.read_chunk() or []
    assert events[-1].status is EventStatus.FINISHED and not reader.has_partial
    reader.close()
    assert not warnings


def test_torn_end_and_corrupt_middle_are_warned_about_and_skipped(
    run_wf: Callable[..., Any], runs_dir: Path
) -> None:
    _, run_id = run_wf(small)
    path = runs_dir / f"{run_id}.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    lines.insert(3, b"{broken\n")
    path.write_bytes(b"".join(lines) + b'{"event_id": "01')
    events, warnings = collect(run_id, runs_dir, follow=False)
    assert len(events) == len(lines) - 2  # header and the broken line
    assert len(warnings) == 2
    assert ":4: skipped an unreadable line" in warnings[0]
    assert "torn last line" in warnings[1]


def test_a_torn_line_cut_by_a_resuming_writer_is_forgotten(
    run_wf: Callable[..., Any], runs_dir: Path
) -> None:
    _, run_id = run_wf(small)
    path = runs_dir / f"{run_id}.jsonl"
    with open(path, "ab") as f:
        f.write(b'{"event_id": "01')
    reader = LogReader(path)
    while reader.read_chunk() is not None:
        pass
    assert reader.has_partial
    EventLog.open(run_id, runs_dir).close()  # cuts the torn bytes off
    assert reader.replaced() is None and not reader.has_partial
    reader.close()


def test_a_newer_log_format_is_refused(runs_dir: Path) -> None:
    runs_dir.mkdir(parents=True)
    run_id = new_id()
    (runs_dir / f"{run_id}.jsonl").write_text('{"godel_log": {"format": 99}}\n')
    with pytest.raises(LogFormatError):
        collect(run_id, runs_dir, follow=False)


def test_a_run_that_stopped_without_an_end_is_reported_once(runs_dir: Path) -> None:
    with EventLog.create(runs_dir) as log:
        log.start(Op.WORKFLOW_STARTED, request={"function": "w"})
    warnings: list[str] = []

    async def main() -> None:
        with anyio.move_on_after(0.3):  # this run never ends: stop following after a few polls
            async for _ in tail(
                log.run_id, runs_dir=runs_dir, poll_interval=0.01, on_warning=warnings.append
            ):
                pass

    anyio.run(main)
    assert len(warnings) == 1 and "is not running" in warnings[0]


def test_a_run_that_stops_while_followed_is_reported(runs_dir: Path) -> None:
    """The writer held the run through several idle polls (a step that waits), then went
    away without an end (killed): that is said too, not only for a run already dead."""
    log = EventLog.create(runs_dir)
    log.start(Op.WORKFLOW_STARTED, request={"function": "w"})
    warnings: list[str] = []

    async def main() -> None:
        with anyio.move_on_after(0.6):  # this run never ends: stop following after a while
            async with anyio.create_task_group() as tg:

                async def follow() -> None:
                    async for _ in tail(
                        log.run_id,
                        runs_dir=runs_dir,
                        poll_interval=0.01,
                        on_warning=warnings.append,
                    ):
                        pass

                tg.start_soon(follow)
                await anyio.sleep(0.2)  # idle polls while the writer holds the lock
                log.close()  # the writer dies: its lock is released, no end recorded

    anyio.run(main)
    assert len(warnings) == 1 and "is not running" in warnings[0]


def _peak(path: Path) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        reader = LogReader(path)
        while reader.read_chunk() is not None:
            pass
        reader.close()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_log(runs_dir: Path) -> None:
    def write(n: int) -> Path:
        with EventLog.create(runs_dir) as log:
            root = log.start(Op.WORKFLOW_STARTED, request={"function": "w"})
            for i in range(n):
                ev = log.start(
                    Op.STEP_ENTER,
                    request={"name": "s", "args": [i]},
                    step_path=("s",),
                    parent_id=root.event_id,
                    invocation_seq=i,
                )
                log.finish(ev, {"result": i})
            log.finish(root, {})
        return log.path

    small_peak = _peak(write(500))
    large_peak = _peak(write(5000))
    assert large_peak < 1.5 * small_peak + 64 * 1024
