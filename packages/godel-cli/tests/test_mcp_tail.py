"""``godel mcp``'s ``tail_events`` on a log that grows between calls: each call reads on from
where the last one stopped, hands out every event state once and in order, and a client that
starts over gets the log from the start again."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from godel.log import EventLog
from godel_cli.mcp_server import TAIL_LIMIT, GodelTools


@pytest.fixture
def live(tmp_path: Path):
    runs = tmp_path / "runs"
    log = EventLog.create(runs)
    tools = GodelTools(runs)
    yield log, tools
    tools.close()
    log.close()


def _write(log: EventLog, first: int, count: int) -> None:
    for i in range(first, first + count):
        log.record("det.random", request={"i": i}, response={"value": i})


def _values(result: dict) -> list[int]:
    return [json.loads(ev["request"])["i"] for ev in result["events"]]


def test_a_growing_log_is_handed_out_once_in_order(live) -> None:
    log, tools = live
    _write(log, 0, TAIL_LIMIT + 50)
    first = tools.tail_events(log.run_id)
    assert _values(first) == list(range(TAIL_LIMIT)) and first["next"] == TAIL_LIMIT
    assert first["status"] == "RUNNING"
    feed = tools._tails[log.run_id].feed
    _write(log, TAIL_LIMIT + 50, 30)
    second = tools.tail_events(log.run_id, after=first["next"])
    assert _values(second) == list(range(TAIL_LIMIT, TAIL_LIMIT + 80))
    assert tools._tails[log.run_id].feed is feed  # read on, not opened again
    idle = tools.tail_events(log.run_id, after=second["next"])
    assert idle["events"] == [] and idle["next"] == second["next"]


def test_a_torn_last_line_waits_until_it_is_whole(live) -> None:
    log, tools = live
    _write(log, 0, 3)
    path = tools.runs_dir / f"{log.run_id}.jsonl"
    whole = b'{"event_id":"01M8VFZZZZZZZZZZZZZZZZZZZZ","run_id":"' + log.run_id.encode()
    rest = (
        b'","seq":99,"parent_id":null,"step_path":[],"invocation_seq":0,"step_local_seq":0,'
        b'"op":"det.random","request_hash":"","request":{"i":3},"response":{"value":3},'
        b'"status":"FINISHED","ts_start":"2026-12-02T00:00:00+00:00",'
        b'"ts_end":"2026-12-02T00:00:00+00:00","stream_path":[]}\n'
    )
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        os.write(fd, whole)
        torn = tools.tail_events(log.run_id)
        assert _values(torn) == [0, 1, 2] and torn["next"] == 3
        os.write(fd, rest)
    finally:
        os.close(fd)
    assert _values(tools.tail_events(log.run_id, after=3)) == [3]


def test_a_client_that_starts_over_or_skips_ahead_is_answered_from_its_cursor(live) -> None:
    log, tools = live
    _write(log, 0, 10)
    assert _values(tools.tail_events(log.run_id)) == list(range(10))
    assert _values(tools.tail_events(log.run_id)) == list(range(10))  # after=0 again
    assert _values(tools.tail_events(log.run_id, after=7)) == [7, 8, 9]
    beyond = tools.tail_events(log.run_id, after=50)
    assert beyond["events"] == [] and beyond["next"] == 50


def test_only_a_few_logs_are_kept_open(tmp_path: Path) -> None:
    from godel_cli.mcp_server import TAILS_KEPT

    runs = tmp_path / "runs"
    tools = GodelTools(runs)
    ids = []
    for i in range(TAILS_KEPT + 3):
        with EventLog.create(runs) as log:
            _write(log, i, 1)
            ids.append(log.run_id)
        assert _values(tools.tail_events(log.run_id)) == [i]
    assert len(tools._tails) == TAILS_KEPT
    assert list(tools._tails) == ids[-TAILS_KEPT:]
    tools.close()


def test_a_negative_cursor_or_limit_is_refused(live) -> None:
    # after=-2 handed out the last two events and moved the cursor to 0, where the next call
    # then found nothing; limit=0 listed one run.
    log, tools = live
    _write(log, 0, 5)
    with pytest.raises(ValueError, match="after must be 0 or more"):
        tools.tail_events(log.run_id, after=-2)
    assert _values(tools.tail_events(log.run_id)) == list(range(5))
    with pytest.raises(ValueError, match="limit must be at least 1"):
        tools.list_runs(limit=0)


def test_list_runs_refuses_a_status_that_no_run_can_have(live) -> None:
    # A typo ("failure") listed nothing, as if no run had failed; `godel runs list` refuses it.
    log, tools = live
    with pytest.raises(ValueError, match="status must be one of RUNNING, FINISHED, FAILED"):
        tools.list_runs(status="failure")
    _write(log, 0, 1)
    assert [r["run_id"] for r in tools.list_runs(status="running")] == [log.run_id]
    assert tools.list_runs(status="unknown") == tools.list_runs(status="UNREADABLE") == []
