"""The runs page's index: a live run's log is read on from where it was, not again from the start."""

from __future__ import annotations

from pathlib import Path

from godel import EventLog, Op
from godel_web.runs import RunIndex


def test_a_live_run_is_read_on_from_where_it_was(tmp_path: Path) -> None:
    log = EventLog.create(tmp_path, header={"workflow": "wf"})
    root = log.start(Op.WORKFLOW_STARTED, request={"function": "wf", "args": [3], "kwargs": {}})
    index = RunIndex(tmp_path)
    (row,) = index.rows()
    assert row.summary.status.value == "RUNNING"
    assert row.args == "3"
    feed = index._live[log.run_id]
    read = feed.reader.position
    size = (tmp_path / f"{log.run_id}.jsonl").stat().st_size
    assert read == size
    for i in range(50):
        log.record("det.random", response={"value": i / 50}, parent_id=root.event_id)
    (row,) = index.rows()
    assert index._live[log.run_id] is feed  # the same reader, read on
    assert feed.reader.position == (tmp_path / f"{log.run_id}.jsonl").stat().st_size > read
    log.fail(root, ValueError("boom"))
    log.close()
    (row,) = index.rows()
    assert row.summary.status.value == "FAILED"
    assert "boom" in str(row.summary.failure)
    assert log.run_id not in index._live  # a finished run's file is closed


def test_a_replaced_log_is_read_again_from_the_start(tmp_path: Path) -> None:
    log = EventLog.create(tmp_path / "a", header={"workflow": "wf"})
    log.start(Op.WORKFLOW_STARTED, request={"function": "wf", "args": [], "kwargs": {}})
    index = RunIndex(tmp_path / "a")
    assert index.rows()[0].summary.status.value == "RUNNING"
    log.close()  # never finished in this copy
    other = EventLog.create(tmp_path / "b", log.run_id, header={"workflow": "wf"})
    root = other.start(Op.WORKFLOW_STARTED, request={"function": "wf", "args": [], "kwargs": {}})
    other.finish(root, {"result": 7})
    other.close()
    path = tmp_path / "a" / f"{log.run_id}.jsonl"
    path.unlink()
    path.write_bytes((tmp_path / "b" / f"{log.run_id}.jsonl").read_bytes())  # as an import does
    (row,) = index.rows()
    assert row.summary.status.value == "FINISHED"
