"""A run's writer does not keep the events it writes (``EventLog.keep_new_events(False)``): its
memory stays flat in the run's length, and reads load the log back from disk."""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

import anyio
import pytest

from godel import EventLog, EventStatus, Op, step
from godel.engine.context import current_run
from godel.engine.workflow import RunOptions, WorkflowSpec, execute


@pytest.fixture
def writer(tmp_path: Path):
    log = EventLog.create(tmp_path)
    log.keep_new_events(False)
    yield log
    log.close()


def test_reads_see_every_event_from_disk(writer: EventLog) -> None:
    root = writer.start(Op.WORKFLOW_STARTED, request={"function": "wf"})
    child = writer.start("step", request={"n": 1}, parent_id=root.event_id, step_path=["one"])
    writer.finish(child, {"result": 1})
    det = writer.record("det.random", response={"value": 0.5}, parent_id=root.event_id)
    assert len(writer) == 3
    assert [e.event_id for e in writer.events] == [root.event_id, child.event_id, det.event_id]
    assert writer.get(child.event_id).status is EventStatus.FINISHED
    assert writer.get(child.event_id).response == {"result": 1}
    assert [e.event_id for e in writer.children(root.event_id)] == [
        child.event_id,
        det.event_id,
    ]
    assert writer.resolve(det.event_id[-8:]).event_id == det.event_id
    assert det.event_id in writer
    assert writer.get_event("nope") is None
    with pytest.raises(KeyError):
        writer.get("nope")


def test_an_event_it_did_not_keep_still_changes_state(writer: EventLog) -> None:
    root = writer.start(Op.WORKFLOW_STARTED, request={})
    writer.fail(root, ValueError("boom"))
    assert writer.get(root.event_id).status is EventStatus.FAILED


def test_it_reads_redacted_lines_as_load_does(writer: EventLog, tmp_path: Path) -> None:
    secret = "sk-ant-" + "a" * 40
    event = writer.record("det.value", response={"value": secret})
    assert (
        writer.get(event.event_id).response
        == EventLog.load(writer.run_id, tmp_path).get(event.event_id).response
    )
    assert secret not in str(writer.get(event.event_id).response)


def test_another_runs_event_is_refused(writer: EventLog, tmp_path: Path) -> None:
    other = EventLog.create(tmp_path / "other")
    foreign = other.start("step", request={})
    other.close()
    with pytest.raises(KeyError):
        writer.finish(foreign, {})


@step
async def trivial() -> int:
    return 1


def held_after(n: int, tmp_path: Path) -> int:
    """Bytes still allocated at the end of a body of ``n`` trivial steps, inside the run."""
    held: list[int] = []

    async def body() -> None:
        for _ in range(n):
            await trivial()
        gc.collect()
        held.append(tracemalloc.get_traced_memory()[0])
        assert len(current_run().log) == n + 1  # the root and the steps, counted not kept

    async def main() -> None:
        runs = tmp_path / str(n)
        await execute(WorkflowSpec(body, "wf"), (), {}, RunOptions(runs_dir=runs))

    tracemalloc.start()
    try:
        anyio.run(main)
    finally:
        tracemalloc.stop()
    return held[0]


def test_a_runs_memory_does_not_grow_with_its_steps(tmp_path: Path) -> None:
    small = held_after(1_000, tmp_path)
    large = held_after(11_000, tmp_path)
    # Keeping each event (about 1.4 KB) would hold 14 MB more; the short ids kept for
    # uniqueness cost about 100 bytes a step.
    assert large - small < 2_500_000, (small, large)
