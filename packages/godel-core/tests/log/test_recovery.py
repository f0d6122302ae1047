"""EventLog after crashes and damage: torn last lines, corrupt lines, failed writes."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from godel import EventLog, EventStatus
from godel.log.eventlog import CorruptLogError


def make_log(runs: Path, run_id: str = "r") -> EventLog:
    log = EventLog.create(runs, run_id, header={"workflow": "wf"})
    root = log.start("WORKFLOW_STARTED", request={"function": "wf"})
    step = log.start("step.enter", request={"name": "s"}, parent_id=root.event_id)
    log.record("det.now", response={"value": "t"}, parent_id=step.event_id)
    log.finish(step, {"result": "1"})
    log.close()
    return log


def line_offsets(path: Path) -> list[int]:
    """Byte offset just past each line."""
    ends, total = [], 0
    for line in path.read_bytes().splitlines(keepends=True):
        total += len(line)
        ends.append(total)
    return ends


# torn last lines -------------------------------------------------------------------------------


def test_a_torn_last_line_is_ignored_with_a_warning(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    full = log.path.read_bytes()
    ends = line_offsets(log.path)
    log.path.write_bytes(full[: ends[-1] - 7])
    loaded = EventLog.load("r", tmp_path)
    assert [e.status for e in loaded] == [EventStatus.STARTED] * 2 + [EventStatus.FINISHED]
    (warning,) = loaded.warnings
    assert str(log.path) in warning and ":5:" in warning and "torn" in warning


def test_a_complete_json_last_line_without_newline_counts_as_torn(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    full = log.path.read_bytes()
    log.path.write_bytes(full[:-1])
    loaded = EventLog.load("r", tmp_path)
    assert loaded.get(loaded.events[1].event_id).status is EventStatus.STARTED
    assert len(loaded.warnings) == 1


def test_an_unparsable_last_line_is_ignored_with_a_warning(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    with open(log.path, "ab") as f:
        f.write(b"\0\0\0\0\0\0\n")  # what a power cut can leave behind on some file systems
    loaded = EventLog.load("r", tmp_path)
    assert len(loaded) == 3
    (warning,) = loaded.warnings
    assert ":6:" in warning and "unreadable last line" in warning


def test_open_cuts_the_torn_bytes_before_appending(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    full = log.path.read_bytes()
    good = line_offsets(log.path)[-2]
    log.path.write_bytes(full[: good + 20])
    with EventLog.open("r", tmp_path) as again:
        kept = tmp_path / "r" / f"torn-{good}.bin"
        assert again.warnings[-1] == (
            f"{log.path}: cut 20 torn bytes off the end before appending (kept in {kept})"
        )
        assert "ignored a torn last line (20 bytes" in again.warnings[0]
        assert kept.read_bytes() == full[good : good + 20]
        step = again.events[1]
        again.finish(step, {"result": "again"})
    assert log.path.read_bytes().startswith(full[:good])
    final = EventLog.load("r", tmp_path)
    assert final.warnings == []
    assert final.get(step.event_id).response == {"result": "again"}


def test_open_of_a_log_whose_header_was_torn_starts_it_again(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    log.path.write_bytes(log.path.read_bytes()[:30])
    assert EventLog.load("r", tmp_path).header == {}
    with EventLog.open("r", tmp_path) as again:
        assert again.header["format"] == 1
        again.record("print")
    reloaded = EventLog.load("r", tmp_path)
    assert reloaded.header["run_id"] == "r" and len(reloaded) == 1 and reloaded.warnings == []


def test_an_empty_log_loads_empty(tmp_path: Path) -> None:
    (tmp_path / "r.jsonl").write_bytes(b"")
    loaded = EventLog.load("r", tmp_path)
    assert len(loaded) == 0 and loaded.header == {} and loaded.warnings == []


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    lines = log.path.read_bytes().splitlines(keepends=True)
    log.path.write_bytes(b"".join([lines[0], b"\n", *lines[1:3], b"   \n", *lines[3:], b"\n"]))
    loaded = EventLog.load("r", tmp_path)
    assert len(loaded) == 3 and loaded.warnings == []


# corruption ------------------------------------------------------------------------------------

CORRUPT_LINES = {
    "not json": b"{this is not json\n",
    "binary": b"\xff\xfe\x00garbage\n",
    "array": b"[1, 2, 3]\n",
    "no event id": b'{"status": "FINISHED"}\n',
    "bad status": b'{"event_id": "X", "run_id": "r", "seq": 1, "status": "DONE"}\n',
    "bad seq": b'{"event_id": "X", "run_id": "r", "seq": [], "status": "FINISHED"}\n',
    "huge seq": b'{"event_id": "X", "run_id": "r", "seq": 1e400, "status": "FINISHED"}\n',
    "missing run": b'{"event_id": "X", "seq": 1, "status": "FINISHED"}\n',
    "request list": b'{"event_id": "X", "run_id": "r", "seq": 1, "status": "FINISHED", "request": [1]}\n',
    "step path str": b'{"event_id": "X", "run_id": "r", "seq": 1, "status": "FINISHED", "step_path": "ab"}\n',
    "step path ints": b'{"event_id": "X", "run_id": "r", "seq": 1, "status": "FINISHED", "step_path": [1]}\n',
    "second header": b'{"godel_log": {"format": 1}}\n',
    "deep nesting": b"[" * 100_000 + b"]" * 100_000 + b"\n",
}


@pytest.mark.parametrize("name", sorted(CORRUPT_LINES))
def test_a_corrupt_line_in_the_middle_names_file_and_line(tmp_path: Path, name: str) -> None:
    log = make_log(tmp_path)
    lines = log.path.read_bytes().splitlines(keepends=True)
    lines.insert(3, CORRUPT_LINES[name])
    log.path.write_bytes(b"".join(lines))
    with pytest.raises(CorruptLogError) as info:
        EventLog.load("r", tmp_path)
    assert info.value.lineno == 4 and info.value.path == log.path
    assert f"{log.path}:4:" in str(info.value)
    with pytest.raises(CorruptLogError):
        EventLog.open("r", tmp_path)


def test_failed_open_releases_the_lock(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    with open(log.path, "ab") as f:
        f.write(b"[]\n")
    for _ in range(2):
        with pytest.raises(CorruptLogError):
            EventLog.open("r", tmp_path)
    log.path.write_bytes(log.path.read_bytes()[:-3])
    EventLog.open("r", tmp_path).close()


def test_a_parsable_but_invalid_last_line_is_corruption_not_a_torn_write(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    with open(log.path, "ab") as f:
        f.write(b'{"hello": "world"}\n')
    with pytest.raises(CorruptLogError, match=r":6: corrupt audit log line: no event_id"):
        EventLog.load("r", tmp_path)


@pytest.mark.parametrize("op", [None, 123])
def test_an_event_without_a_string_op_is_corruption(tmp_path: Path, op: object) -> None:
    log = make_log(tmp_path)
    lines = log.path.read_text().splitlines()
    last = json.loads(lines[-1])
    last["op"] = op
    log.path.write_text("\n".join([*lines[:-1], json.dumps(last)]) + "\n")
    with pytest.raises(CorruptLogError, match=r":5: corrupt audit log line: op is (null|a int)"):
        EventLog.load("r", tmp_path)


def test_a_corrupt_header_is_reported(tmp_path: Path) -> None:
    (tmp_path / "r.jsonl").write_text(json.dumps({"godel_log": {"format": "one"}}) + "\n")
    with pytest.raises(CorruptLogError, match=r"r\.jsonl:1: .*format"):
        EventLog.load("r", tmp_path)


# failed writes ---------------------------------------------------------------------------------


def test_a_failed_append_leaves_no_partial_line_and_no_state_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = EventLog.create(tmp_path, "r")
    ev = log.start("run", request={"cmd": "make"})
    size = log.path.stat().st_size
    real_write = os.write
    fd = log._store._fd  # the descriptor whose writes we make fail half-way

    def disk_full(target: int, data: bytes) -> int:
        if target == fd:
            real_write(target, bytes(data)[:25])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(target, data)

    monkeypatch.setattr(os, "write", disk_full)
    with pytest.raises(OSError, match="No space"):
        log.finish(ev, {"stdout": "done"})
    with pytest.raises(OSError):
        log.start("run")
    monkeypatch.undo()
    assert log.path.stat().st_size == size
    assert ev.status is EventStatus.STARTED and ev.response is None and ev.ts_end is None
    assert len(log) == 1
    log.finish(ev, {"stdout": "done"})
    later = log.start("run")
    assert later.seq == 1
    log.close()
    loaded = EventLog.load("r", tmp_path)
    assert loaded.warnings == [] and [e.status for e in loaded] == [
        EventStatus.FINISHED,
        EventStatus.STARTED,
    ]


def test_a_full_disk_at_creation_leaves_no_hidden_log_and_names_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(target: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", disk_full)
    with pytest.raises(OSError, match="No space") as caught:
        EventLog.create(tmp_path, "r")
    monkeypatch.undo()
    assert caught.value.filename == str(tmp_path / "r.jsonl")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.lock"]  # the lock file stays
    EventLog.create(tmp_path, "r").close()  # and the run can be created once there is room


def test_short_writes_are_completed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = EventLog.create(tmp_path, "r")
    real_write = os.write
    fd = log._store._fd

    def dribble(target: int, data: bytes) -> int:
        return real_write(target, bytes(data)[:10] if target == fd else data)

    monkeypatch.setattr(os, "write", dribble)
    ev = log.record("print", request={"text": "a fairly long line, written ten bytes at a time"})
    monkeypatch.undo()
    log.close()
    assert EventLog.load("r", tmp_path).get(ev.event_id).request == ev.request


# hand-edited logs ------------------------------------------------------------------------------


def _edit(path: Path, lineno: int, **changes: object) -> None:
    lines = path.read_text().splitlines(keepends=True)
    obj = json.loads(lines[lineno - 1])
    obj.update(changes)
    lines[lineno - 1] = json.dumps(obj) + "\n"
    path.write_text("".join(lines))


@pytest.mark.parametrize(
    ("lineno", "change", "message"),
    [
        (4, {"seq": 0}, "has seq 0, as event"),
        (4, {"op": "det.tomorrow"}, "has an unknown op 'det.tomorrow'"),
        (4, {"run_id": "other"}, "belongs to run 'other', not 'r'"),
        (4, {"parent_id": "SELF"}, "is its own parent"),
        (2, {"parent_id": "NEXT"}, "has parents that go round in a cycle"),
    ],
)
def test_a_hand_edit_is_a_warning_naming_file_and_line(
    tmp_path: Path, lineno: int, change: dict[str, object], message: str
) -> None:
    log = make_log(tmp_path)
    if change.get("parent_id") in ("SELF", "NEXT"):  # a cycle: every reader walks parents up
        at = lineno - 1 if change["parent_id"] == "SELF" else lineno
        change = {"parent_id": json.loads(log.path.read_text().splitlines()[at])["event_id"]}
    _edit(log.path, lineno, **change)
    loaded = EventLog.load("r", tmp_path)
    (warning,) = loaded.warnings
    assert warning.startswith(f"{log.path}:{lineno}: event ") and message in warning


def test_resume_refuses_a_log_holding_another_runs_lines(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    _edit(log.path, 4, run_id="other")
    with pytest.raises(
        CorruptLogError,
        match=r"r\.jsonl:4: corrupt audit log line: event .* belongs to run 'other'",
    ):
        EventLog.open("r", tmp_path)


def test_a_clean_log_has_no_warning(tmp_path: Path) -> None:
    make_log(tmp_path)
    assert EventLog.load("r", tmp_path).warnings == []
