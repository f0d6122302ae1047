"""The log's id and clock source: real ULIDs, never decreasing, and utc_now()'s timestamp format."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from ulid import ULID

from godel.log.events import utc_now
from godel.log.ids import Stamper


def test_ids_are_ulids_carrying_the_current_time() -> None:
    before = time.time_ns() // 1_000_000
    event_id, now = Stamper().new_id_and_now()
    after = time.time_ns() // 1_000_000
    ulid = ULID.from_str(event_id)
    assert str(ulid) == event_id
    assert before <= ulid.milliseconds <= after
    assert abs(datetime.fromisoformat(now).timestamp() * 1000 - ulid.milliseconds) < 1


def test_ids_strictly_increase_even_within_one_millisecond(monkeypatch: pytest.MonkeyPatch) -> None:
    stamper = Stamper()
    clock = iter([5_000_000_000_000_000] * 50 + [4_000_000_000_000_000] * 50)  # then it steps back
    monkeypatch.setattr(time, "time_ns", lambda: next(clock))
    ids = [stamper.new_id_and_now()[0] for _ in range(100)]
    assert ids == sorted(ids) and len(set(ids)) == 100
    assert {ULID.from_str(i).milliseconds for i in ids} == {5_000_000_000}


def test_the_random_part_overflowing_moves_to_the_next_millisecond(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stamper = Stamper()
    monkeypatch.setattr(time, "time_ns", lambda: 7_000_000)
    first, _ = stamper.new_id_and_now()
    stamper._random = (1 << 80) - 1
    second, _ = stamper.new_id_and_now()
    assert second > first and ULID.from_str(second).milliseconds == 8


@pytest.mark.parametrize(
    "ns", [0, 1_700_000_000_000_000_000, 1_700_000_000_123_456_789, 1_700_000_000_000_999]
)
def test_timestamps_match_utc_now(monkeypatch: pytest.MonkeyPatch, ns: int) -> None:
    monkeypatch.setattr(time, "time_ns", lambda: ns)
    text = Stamper().now()
    micro = ns // 1000
    expected = datetime.fromtimestamp(micro // 1_000_000, timezone.utc).replace(
        microsecond=micro % 1_000_000
    )
    assert text == expected.isoformat()
    assert len(text) == len(utc_now()) or expected.microsecond == 0


def test_ids_in_a_row_cross_the_low_bits_boundary_as_ulids_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Ids made in one millisecond share all but the low 10 bits of their random part, whose text
    # is cached; crossing a multiple of 1024 must carry into the cached part.
    stamper = Stamper()
    monkeypatch.setattr(time, "time_ns", lambda: 9_000_000_000)
    stamper.new_id_and_now()
    stamper._random = (123 << 10) + 1020
    ids = [stamper.new_id_and_now()[0] for _ in range(10)]
    assert ids == sorted(ids) and len(set(ids)) == 10
    assert [int(ULID.from_str(i)) & ((1 << 80) - 1) for i in ids] == [
        (123 << 10) + 1021 + k for k in range(10)
    ]
    assert all(str(ULID.from_str(i)) == i for i in ids)


def _outcome(resolve: Any) -> tuple[str, Any]:
    from godel.log.ids import IdLookupError

    try:
        return ("ok", resolve())
    except IdLookupError as exc:
        return (str(exc), exc.candidates)


def test_an_id_index_resolves_as_resolve_id_does() -> None:
    from godel.log.ids import IdIndex, resolve_id

    ids = [Stamper().new_id() for _ in range(50)] + ["legacy-uuid-1", "LEGACY-UUID-2", "abcd"]
    index = IdIndex(ids)
    queries = ["", "  ", "ab", "abcd", "ABCD", ids[3], ids[3].lower(), ids[3][-8:], ids[3][:12]]
    queries += [ids[0][:10], ids[0][:4], "legacy", "uuid-1", "-UUID-", "nothing", "0000"]
    for query in queries:
        expected = _outcome(lambda q=query: resolve_id(q, ids, what="event id"))
        assert _outcome(lambda q=query: index.resolve(q, what="event id")) == expected, query


def test_resolving_many_event_ids_scans_the_events_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # rewind --to with 1,000 short ids on a run of 50,000 steps took 100 s: a scan per id.
    import godel.log.eventlog as eventlog
    from godel.log import EventLog

    log = EventLog.create(tmp_path, None, durability="none")
    root = log.start("WORKFLOW_STARTED", request={"function": "f", "args": [], "kwargs": {}})
    made = [
        log.record("det.random", response={"value": 0.5}, parent_id=root.event_id)
        for _ in range(20)
    ]
    log.close()
    scans = []
    real = eventlog.resolve_id
    monkeypatch.setattr(eventlog, "resolve_id", lambda *a, **k: scans.append(1) or real(*a, **k))
    loaded = EventLog.load(log.run_id, tmp_path)
    assert [loaded.resolve(ev.event_id[-8:]).event_id for ev in made] == [
        ev.event_id for ev in made
    ]
    assert len(scans) == 1
