"""EventLog: the write and read API, the line format, the header, ids and run listing."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from ulid import ULID

import godel
from godel import EventLog, EventStatus
from godel.exceptions import ResumeError
from godel.log.eventlog import (
    LOG_FORMAT_VERSION,
    CorruptLogError,
    LogFormatError,
    ReadOnlyLogError,
    list_run_ids,
    log_path,
)
from godel.log.events import compute_request_hash
from godel.log.ids import IdLookupError, short_id

LINE_KEYS = [
    "event_id",
    "run_id",
    "seq",
    "parent_id",
    "step_path",
    "invocation_seq",
    "step_local_seq",
    "op",
    "request_hash",
    "request",
    "response",
    "status",
    "ts_start",
    "ts_end",
    "stream_path",
]


def raw_lines(path: Path) -> list[str]:
    text = path.read_text(encoding="ascii")
    assert text.endswith("\n")
    return text.splitlines()


def event_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in raw_lines(path)[1:]]


@pytest.fixture
def log(tmp_path: Path):
    with EventLog.create(tmp_path / "runs") as log:
        yield log


# writing ---------------------------------------------------------------------------------------


def test_start_assigns_identity_and_writes_one_started_line(log: EventLog) -> None:
    request = {"cmd": "echo hi", "cwd": "/tmp", "session_id": "s-1"}
    ev = log.start(
        "run",
        request=request,
        step_path=["build", "test"],
        invocation_seq=2,
        step_local_seq=3,
        stream_path=["L1"],
    )
    assert ev.status is EventStatus.STARTED
    assert ev.seq == 0 and ev.run_id == log.run_id
    assert ev.step_path == ("build", "test")
    assert ev.request is request and ev.response is None
    assert ev.request_hash == compute_request_hash(request)
    assert datetime.fromisoformat(ev.ts_start).tzinfo is not None and ev.ts_end is None
    (line,) = event_lines(log.path)
    assert line == ev.to_dict()
    assert log.start("print").seq == 1


def test_every_write_call_appends_exactly_one_line_with_the_full_state(log: EventLog) -> None:
    counts = []
    a = log.start("step.enter", request={"name": "a"})
    counts.append(len(raw_lines(log.path)))
    b = log.start("run", request={"cmd": "ls"}, parent_id=a.event_id)
    counts.append(len(raw_lines(log.path)))
    log.finish(b, {"stdout": "x", "returncode": 0})
    counts.append(len(raw_lines(log.path)))
    log.record("det.now", response={"value": "t"}, parent_id=a.event_id)
    counts.append(len(raw_lines(log.path)))
    log.fail(a, RuntimeError("no"))
    counts.append(len(raw_lines(log.path)))
    log.set_status(b, EventStatus.INVALIDATED)
    counts.append(len(raw_lines(log.path)))
    assert counts == [2, 3, 4, 5, 6, 7]
    finished = event_lines(log.path)[2]
    # Monitor scripts read the request from FINISHED lines.
    assert finished["status"] == "FINISHED" and finished["request"] == {"cmd": "ls"}
    assert finished["response"] == {"stdout": "x", "returncode": 0}


def test_lines_are_compact_ascii_json_with_keys_in_the_documented_order(log: EventLog) -> None:
    ev = log.start("print", request={"text": "héllo ✓ 🎉", "n": [1, 2]})
    log.finish(ev, {"echo": "ünï"})
    for text in raw_lines(log.path)[1:]:
        assert text.isascii()
        obj = json.loads(text)
        assert list(obj) == LINE_KEYS
        assert text == json.dumps(obj, separators=(",", ":"))
    assert event_lines(log.path)[-1]["request"]["text"] == "héllo ✓ 🎉"


def test_finish_sets_status_response_and_end_time(log: EventLog) -> None:
    ev = log.start("input", request={"prompt": "?"})
    same = log.finish(ev, {"value": "yes"})
    assert same is ev
    assert ev.status is EventStatus.FINISHED and ev.response == {"value": "yes"}
    assert ev.ts_end is not None and ev.ts_end >= ev.ts_start
    paused = log.start("WORKFLOW_STARTED")
    log.finish(paused, {"result": "paused", "reason": "r"}, status=EventStatus.PAUSED)
    assert event_lines(log.path)[-1]["status"] == "PAUSED"


def test_fail_builds_the_standard_failure_record(log: EventLog) -> None:
    ev = log.start("run", step_path=["s"])
    log.fail(ev, ValueError("bad value"), returncode=2)
    assert ev.status is EventStatus.FAILED and ev.ts_end is not None
    assert ev.response == {
        "error": "bad value",
        "error_type": "ValueError",
        "step_path": ["s"],
        "returncode": 2,
    }
    text = log.start("run")
    log.fail(text, "plain message")
    assert text.response["error_type"] == "Exception"
    typed = log.start("run")
    log.fail(typed, KeyError("k"), error_type="Cancelled")
    assert typed.response["error_type"] == "Cancelled"
    located = log.start("run")
    log.fail(located, ResumeError("cannot", source_location="wf.py:3", remediation_hint="rewind"))
    assert located.response["source_location"] == "wf.py:3"
    assert located.response["remediation_hint"] == "rewind"
    given = log.start("run")
    log.fail(given, "x", response={"custom": True})
    assert given.response == {"custom": True}
    with pytest.raises(TypeError):
        log.fail(log.start("run"), "x", response={"a": 1}, extra=1)
    assert event_lines(log.path)[1]["response"]["returncode"] == 2


def test_record_writes_a_single_terminal_line(log: EventLog) -> None:
    ev = log.record(
        "det.random",
        response={"value": 0.25},
        step_path=("s",),
        invocation_seq=-1,
        step_local_seq=-1,
    )
    assert ev.status is EventStatus.FINISHED and ev.ts_start == ev.ts_end
    assert ev.request == {} and ev.request_hash == compute_request_hash({})
    failed = log.record("REWIND", request={"targets": []}, status=EventStatus.FAILED)
    assert failed.status is EventStatus.FAILED
    lines = event_lines(log.path)
    assert [line["status"] for line in lines] == ["FINISHED", "FAILED"]
    assert lines[0]["invocation_seq"] == -1


def test_set_status_keeps_response_and_end_time_unless_given(log: EventLog) -> None:
    done = log.start("run")
    log.finish(done, {"stdout": "a"})
    ended = done.ts_end
    log.set_status(done, EventStatus.INVALIDATED)
    assert done.status is EventStatus.INVALIDATED
    assert done.response == {"stdout": "a"} and done.ts_end == ended
    join = log.start("JOIN")
    log.set_status(join, EventStatus.SUSPENDED, response={"branches": []})
    assert join.ts_end is not None and join.response == {"branches": []}
    assert event_lines(log.path)[-1]["status"] == "SUSPENDED"


def test_statuses_may_be_given_as_strings(log: EventLog) -> None:
    ev = log.start("run")
    log.finish(ev, {}, status="FAILED")  # type: ignore[arg-type]
    assert ev.status is EventStatus.FAILED
    with pytest.raises(ValueError):
        log.set_status(ev, "DONE")  # type: ignore[arg-type]


def test_unserialisable_request_raises_before_anything_is_written(log: EventLog) -> None:
    with pytest.raises(TypeError):
        log.start("run", request={"path": Path("/x")})
    assert len(log) == 0 and not log.path.exists()  # a log appears with its first event
    ok = log.start("run")
    with pytest.raises(TypeError):
        log.finish(ok, {"when": datetime.now()})
    assert ok.status is EventStatus.STARTED and ok.response is None
    assert len(raw_lines(log.path)) == 2


def test_a_log_appears_with_its_first_event_never_as_a_bare_header(tmp_path: Path) -> None:
    log = EventLog.create(tmp_path / "runs")
    assert not log.path.exists() and list((tmp_path / "runs").glob("*.jsonl")) == []
    log.start("WORKFLOW_STARTED", sync=True)
    assert len(raw_lines(log.path)) == 2 and list((tmp_path / "runs").glob(".*")) == []
    log.close()
    empty = EventLog.create(tmp_path / "runs")
    empty.close()  # closed without events: published all the same
    assert len(raw_lines(empty.path)) == 1
    with pytest.raises(FileExistsError):
        EventLog.create(tmp_path / "runs", empty.run_id)


def test_transitions_of_unknown_events_raise_key_error(tmp_path: Path, log: EventLog) -> None:
    with EventLog.create(tmp_path / "other") as other:
        foreign = other.start("run")
    with pytest.raises(KeyError):
        log.finish(foreign)


# reading ---------------------------------------------------------------------------------------


def test_children_come_from_parent_id_in_memory_and_after_load(log: EventLog) -> None:
    root = log.start("WORKFLOW_STARTED")
    step = log.start("step.enter", parent_id=root.event_id)
    leaf = log.record("det.now", parent_id=step.event_id)
    late = log.record("print", parent_id=root.event_id)
    orphan = log.record("agent.call", parent_id="01NOTINTHISLOG0000000000000")
    assert root.children_ids == [step.event_id, late.event_id]
    assert [e.event_id for e in log.children(step.event_id)] == [leaf.event_id]
    assert log.children(orphan.event_id) == []
    # The parent's line is never rewritten to record children.
    assert sum(1 for line in event_lines(log.path) if line["event_id"] == root.event_id) == 1
    assert all("children_ids" not in line for line in event_lines(log.path))
    loaded = EventLog.load(log.run_id, log.runs_dir)
    assert loaded.get(root.event_id).children_ids == [step.event_id, late.event_id]
    assert [e.op for e in loaded.children(root.event_id)] == ["step.enter", "print"]


def test_load_folds_last_line_wins_in_first_seen_order(log: EventLog) -> None:
    a = log.start("a")
    b = log.start("b")
    log.finish(b, {"v": 1})
    log.finish(a, {"v": 2})
    log.set_status(b, EventStatus.INVALIDATED)
    loaded = EventLog.load(log.run_id, log.runs_dir)
    assert [e.op for e in loaded] == ["a", "b"]
    assert [e.status for e in loaded.events] == [EventStatus.FINISHED, EventStatus.INVALIDATED]
    assert [e.to_dict() for e in loaded] == [a.to_dict(), b.to_dict()]
    assert loaded.warnings == []


def test_get_len_iter_and_events(log: EventLog) -> None:
    events = [log.record("print", request={"i": i}) for i in range(5)]
    assert len(log) == 5 and list(log) == events
    snapshot = log.events
    snapshot.clear()
    assert len(log.events) == 5
    target = events[3]
    assert log.get(target.event_id) is target
    assert target.event_id in log and "nope" not in log
    with pytest.raises(KeyError):
        log.get("nope")


def test_resolve_takes_a_full_id_a_unique_prefix_or_a_unique_suffix(
    log: EventLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_ids(
        monkeypatch,
        log,
        ["01AAAAAAAAAAAAAAAAQWERTYUI", "01BBBBBBBBBBBBBBBBASDFGHJK", "01BBBBBBBBBBBBBBBBZXCVBNMP"],
    )
    a, b, c = (log.record("print") for _ in range(3))
    assert log.resolve(a.event_id) is a
    assert log.resolve("01aaaa") is a
    assert log.resolve(short_id(b.event_id)) is b
    assert log.resolve("VBNMP") is c
    with pytest.raises(IdLookupError, match="ambiguous"):
        log.resolve("01BBBB")
    with pytest.raises(IdLookupError, match="no event id"):
        log.resolve("ZZZZZZZZ")


def test_open_continues_seq_and_links_new_children_to_loaded_parents(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    with EventLog.create(runs) as first:
        root = first.start("WORKFLOW_STARTED")
        first.record("print", parent_id=root.event_id)
    with EventLog.open(first.run_id, runs) as again:
        assert again.get(root.event_id).status is EventStatus.STARTED
        child = again.record("print", parent_id=root.event_id)
        assert child.seq == 2
        assert len(again.get(root.event_id).children_ids) == 2
        again.finish(again.get(root.event_id), {"result": "1"})
    final = EventLog.load(first.run_id, runs)
    assert [e.seq for e in final] == [0, 1, 2]
    assert final.get(root.event_id).status is EventStatus.FINISHED


def test_loaded_logs_are_read_only(log: EventLog) -> None:
    ev = log.start("run")
    ro = EventLog.load(log.run_id, log.runs_dir)
    writes = [
        lambda: ro.start("run"),
        lambda: ro.record("run"),
        lambda: ro.finish(ev),
        lambda: ro.fail(ev, "x"),
        lambda: ro.set_status(ev, EventStatus.INVALIDATED),
    ]
    for write in writes:
        with pytest.raises(ReadOnlyLogError, match="read-only"):
            write()
    ro.sync()
    ro.close()
    ro.close()
    assert not ro.writable and log.writable


def test_close_is_idempotent_and_closed_logs_refuse_writes(tmp_path: Path) -> None:
    log = EventLog.create(tmp_path)
    log.close()
    log.close()
    log.sync()
    with pytest.raises(ReadOnlyLogError, match="closed"):
        log.start("run")
    with EventLog.open(log.run_id, tmp_path) as again:  # the lock was released
        assert again.writable
    assert not again.writable


# create / open / load errors ---------------------------------------------------------------------


def test_create_refuses_an_existing_log_and_releases_its_lock(tmp_path: Path) -> None:
    EventLog.create(tmp_path, "run-1").close()
    with pytest.raises(FileExistsError):
        EventLog.create(tmp_path, "run-1")
    EventLog.open("run-1", tmp_path).close()


def test_missing_logs_raise_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no-such-run"):
        EventLog.open("no-such-run", tmp_path)
    with pytest.raises(FileNotFoundError, match="no-such-run"):
        EventLog.load("no-such-run", tmp_path)
    assert not (tmp_path / "no-such-run.lock").exists()


@pytest.mark.parametrize("bad", ["", "../escape", "a/b", ".hidden", "nul\0"])
def test_run_ids_that_are_not_file_names_are_rejected(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError):
        EventLog.create(tmp_path, bad)
    with pytest.raises(ValueError):
        EventLog.load(bad, tmp_path)


def test_create_makes_the_runs_dir_and_uses_a_ulid_run_id(tmp_path: Path) -> None:
    runs = tmp_path / "deep" / "runs"
    with EventLog.create(runs) as log:
        assert log.path == log_path(runs, log.run_id) == runs / f"{log.run_id}.jsonl"
        assert log.run_dir == runs / log.run_id
        assert log.runs_dir == runs
        ULID.from_str(log.run_id)


# header ----------------------------------------------------------------------------------------


def test_header_is_the_first_line(tmp_path: Path) -> None:
    with EventLog.create(tmp_path, "r1", header={"workflow": "wf.py", "args": [1]}) as log:
        pass
    first = json.loads(raw_lines(log.path)[0])
    header = first["godel_log"]
    assert list(first) == ["godel_log"]
    assert list(header)[:6] == [
        "format",
        "run_id",
        "created",
        "godel_version",
        "durability",
        "plugins",
    ]
    assert header["format"] == LOG_FORMAT_VERSION == 1
    assert header["run_id"] == "r1"
    assert header["godel_version"] == godel.__version__
    assert datetime.fromisoformat(header["created"]).tzinfo is not None
    assert header["workflow"] == "wf.py" and header["args"] == [1]
    manager = godel.get_plugin_manager()
    expected = [
        {"name": p.name, "dist": p.dist, "version": p.version}
        for p in manager.plugins
        if p.error is None
    ]
    assert (
        header["plugins"] == expected
        and {"name": "core", "dist": "godel-core", "version": godel.__version__} in expected
    )
    assert log.header == header
    assert EventLog.load("r1", tmp_path).header == header


def test_header_fields_written_by_godel_cannot_be_overridden(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="format"):
        EventLog.create(tmp_path, "r1", header={"format": 9})
    assert not log_path(tmp_path, "r1").exists()
    EventLog.create(tmp_path, "r1").close()


def test_legacy_logs_without_a_header_still_load(tmp_path: Path) -> None:
    lines = [
        {
            "event_id": "E1",
            "run_id": "legacy",
            "seq": 0,
            "status": "STARTED",
            "op": "WORKFLOW_STARTED",
            "children_ids": ["E2"],
        },
        {
            "event_id": "E2",
            "run_id": "legacy",
            "seq": 1,
            "status": "FINISHED",
            "op": "print",
            "parent_event_id": "E1",
            "request": {"text": "hi"},
        },
    ]
    (tmp_path / "legacy.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    log = EventLog.load("legacy", tmp_path)
    assert log.header == {} and log.warnings == []
    assert [e.op for e in log] == ["WORKFLOW_STARTED", "print"]
    assert log.get("E1").children_ids == ["E2"]
    with EventLog.open("legacy", tmp_path) as again:
        assert again.record("print").seq == 2


def test_a_newer_format_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "new.jsonl").write_text(
        json.dumps({"godel_log": {"format": 2, "run_id": "new"}}) + "\n"
    )
    with pytest.raises(LogFormatError, match="format 2 is newer") as info:
        EventLog.load("new", tmp_path)
    assert isinstance(info.value, CorruptLogError) and "upgrade godel-core" in str(info.value)
    assert str(tmp_path / "new.jsonl") in str(info.value)
    with pytest.raises(LogFormatError):
        EventLog.open("new", tmp_path)
    EventLog.create(tmp_path, "other").close()  # the failed open released its lock
    with EventLog.open("other", tmp_path):
        pass


# ids -------------------------------------------------------------------------------------------


def feed_ids(monkeypatch: pytest.MonkeyPatch, log: EventLog, ids: list[str]) -> None:
    """Make ``log`` draw its next event ids from ``ids``."""
    queue = iter(ids)
    monkeypatch.setattr(
        log._stamper, "new_id_and_now", lambda: (next(queue), "2026-01-01T00:00:00+00:00")
    )


def test_short_ids_are_unique_within_a_run(log: EventLog, monkeypatch: pytest.MonkeyPatch) -> None:
    first = log.record("print")
    colliding = "0" * 18 + short_id(first.event_id)
    fresh = "1" * 18 + "ABCDEFGH"
    feed_ids(monkeypatch, log, [colliding, colliding, fresh])
    second = log.record("print")
    assert second.event_id == fresh
    assert len({short_id(e.event_id) for e in log}) == 2


def test_short_ids_of_loaded_events_are_reserved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with EventLog.create(tmp_path, "r") as log:
        first = log.record("print")
    with EventLog.open("r", tmp_path) as again:
        feed_ids(monkeypatch, again, ["9" * 18 + short_id(first.event_id), "8" * 26])
        assert again.record("print").event_id == "8" * 26


def test_event_ids_are_increasing_ulids(log: EventLog) -> None:
    ids = [log.record("print").event_id for _ in range(300)]
    assert ids == sorted(ids) and len(set(ids)) == 300
    for event_id in ids:
        ULID.from_str(event_id)


def test_list_run_ids_is_newest_first(tmp_path: Path) -> None:
    assert list_run_ids(tmp_path / "missing") == []
    ids = [str(ULID.from_timestamp(ts)) for ts in (1_700_000_000, 1_700_000_500, 1_700_000_100)]
    for run_id in ids:
        EventLog.create(tmp_path, run_id).close()
    (tmp_path / "notes.txt").write_text("not a run")
    (tmp_path / "dir.jsonl").mkdir()
    assert list_run_ids(tmp_path) == [ids[1], ids[2], ids[0]]


def test_godel_py_s_constructor_says_what_replaced_it(tmp_path) -> None:
    for args in (("01ABC", tmp_path), ("01ABC",)):
        with pytest.raises(TypeError, match=r"use EventLog\.create\(runs_dir, run_id\)"):
            EventLog(*args)
