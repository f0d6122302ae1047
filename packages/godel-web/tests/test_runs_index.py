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


def test_a_long_log_indexes_as_a_short_one_does(tmp_path: Path) -> None:
    """Past ``BULK_LINES`` lines the index decodes with msgspec: the same entries as the loader."""
    from godel.log.format import BULK_LINES
    from godel_web.index import EventIndex

    log = EventLog.create(tmp_path, "r", durability="none")
    for i in range(BULK_LINES):  # two lines a step
        ev = log.start("step.enter", request={"name": "s", "args": [i], "kwargs": {}})
        log.finish(ev, response={"result": 2**70 + i if i % 2 else float("nan")})
    log.close()
    lines = (tmp_path / "r.jsonl").read_bytes().splitlines(keepends=True)
    whole, pieces = EventIndex(lambda offset: ([], offset)), EventIndex(lambda o: ([], o))
    whole.feed(lines)
    for start in range(0, len(lines), 300):
        pieces.feed(lines[start : start + 300])
    loaded = EventLog.load("r", tmp_path)
    expected = {ev.event_id: (ev.op, ev.status, ev.ts_end) for ev in loaded}
    for index in (whole, pieces):
        assert {k: (e.op, e.status, e.ts_end) for k, e in index.entries.items()} == expected
        responses = [entry.event().response for entry in index.entries.values()]
        assert repr(responses) == repr([ev.response for ev in loaded])
