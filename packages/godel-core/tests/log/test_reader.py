"""LogReader: lines that span many chunks (docs/reading-runs.md)."""

from __future__ import annotations

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
