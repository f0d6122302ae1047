"""LogReader: lines that span many chunks (docs/reading-runs.md)."""

from __future__ import annotations

import json
from pathlib import Path

from godel.log import EventLog, LogReader


def _run(runs: Path) -> Path:
    log = EventLog.create(runs, None, durability="none")
    root = log.start("WORKFLOW_STARTED", request={"function": "f", "args": [], "kwargs": {}})
    log.record("det.random", response={"value": 0.5}, parent_id=root.event_id)
    log.finish(root, {"result": None})
    log.close()
    return runs / f"{log.run_id}.jsonl"


def _read_all(path: Path, warnings: list[str], chunk_size: int = 1024) -> list[str]:
    ops = []
    with LogReader(path, on_warning=warnings.append, chunk_size=chunk_size) as reader:
        while (events := reader.read_chunk()) is not None:
            ops += [f"{e.op}:{e.status}" for e in events]
        reader.finish()
    return ops


def test_a_line_longer_than_many_chunks_is_read_whole(tmp_path: Path) -> None:
    path = _run(tmp_path)
    lines = path.read_bytes().splitlines(keepends=True)
    # A det.random event whose response is far larger than a chunk, in the middle of the log.
    big = lines[2].replace(b'"value":0.5', b'"value":"' + b"v" * 200_000 + b'"')
    path.write_bytes(b"".join([*lines[:2], big, *lines[3:]]))
    warnings: list[str] = []
    assert _read_all(path, warnings) == [
        "WORKFLOW_STARTED:STARTED",
        "det.random:FINISHED",
        "WORKFLOW_STARTED:FINISHED",
    ]
    assert warnings == []


def test_a_torn_last_line_of_many_chunks_is_reported_with_its_size(tmp_path: Path) -> None:
    path = _run(tmp_path)
    with open(path, "ab") as f:
        f.write(b'{"event_id": "' + b"x" * 100_000)
    warnings: list[str] = []
    assert len(_read_all(path, warnings)) == 3
    assert warnings == [
        f"{path}:5: ignored a torn last line (100014 bytes without a newline; the writer stopped mid-line)"
    ]


def test_a_torn_line_cut_and_written_over_by_a_resume_is_read_again(tmp_path: Path) -> None:
    """The follower buffered part of a line; the writer died, and a resume cut that part off
    and wrote longer lines in its place before the follower looked again."""
    path = _run(tmp_path)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:2]) + lines[2][:25])  # torn mid-line, in its event id
    warnings: list[str] = []
    reader = LogReader(path, on_warning=warnings.append)
    seen = []
    while (events := reader.read_chunk()) is not None:
        seen += [f"{e.op}:{e.status}" for e in events]
    assert reader.has_partial
    # The resume: the torn part goes, whole lines (more bytes than were read) come instead.
    # What comes in its place differs from the torn part (a later event id: a later time).
    first = json.loads(lines[1])["event_id"].encode()
    later = lines[3].replace(first, b"01M8ZZZZZZZZZZZZZZZZZZZZZZ")
    path.write_bytes(b"".join([*lines[:2], later, lines[2], lines[3]]))
    assert reader.replaced() is None
    ids = []
    while (events := reader.read_chunk()) is not None:
        seen += [f"{e.op}:{e.status}" for e in events]
        ids += [e.event_id for e in events]
    reader.finish()
    reader.close()
    assert ids == [json.loads(line)["event_id"] for line in (later, lines[2], lines[3])]
    assert seen == [
        "WORKFLOW_STARTED:STARTED",
        "WORKFLOW_STARTED:FINISHED",
        "det.random:FINISHED",
        "WORKFLOW_STARTED:FINISHED",
    ]
    assert warnings == []


def test_many_unreadable_lines_are_warned_about_a_few_times_then_counted(tmp_path: Path) -> None:
    # One warning per bad line flooded the terminal: a 1 GB corrupt log gave 1.7 million.
    from godel.log.reader import MAX_LINE_WARNINGS

    path = _run(tmp_path)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join([*lines[:2], b"{broken\n" * 500, *lines[2:]]))
    warnings: list[str] = []
    assert _read_all(path, warnings) == [
        "WORKFLOW_STARTED:STARTED",
        "det.random:FINISHED",
        "WORKFLOW_STARTED:FINISHED",
    ]
    assert len(warnings) == MAX_LINE_WARNINGS + 2
    assert all(": skipped an unreadable line (" in w for w in warnings[:-1])
    assert warnings[-2].endswith("; more are skipped without a warning")
    assert warnings[-1] == f"{path}: skipped 500 unreadable lines in all"


def test_a_few_unreadable_lines_are_each_warned_about(tmp_path: Path) -> None:
    from godel.log.reader import MAX_LINE_WARNINGS

    path = _run(tmp_path)
    lines = path.read_bytes().splitlines(keepends=True)
    bad = [b"{broken\n"] * MAX_LINE_WARNINGS
    path.write_bytes(b"".join([*lines[:2], *bad, *lines[2:]]))
    warnings: list[str] = []
    _read_all(path, warnings)
    assert len(warnings) == MAX_LINE_WARNINGS
    assert not any("more are skipped" in w or "in all" in w for w in warnings)
