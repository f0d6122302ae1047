"""Reading a run's files as they grow (``source.RunFiles``): torn lines, resumes, errors."""

from __future__ import annotations

import pytest

from godel.log import EventLog, EventStatus, Op
from godel_watch.errors import WatchError
from godel_watch.source import RunFiles


def test_a_torn_line_cut_by_a_resume_is_read_again_from_the_file(writer) -> None:
    # A crash mid-line leaves a torn last line; the resume cuts it off and appends after the
    # last whole line, possibly before the watcher looks again.
    run_id = writer.crashed_then_resumed()
    path = writer.runs / f"{run_id}.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if b'"op":"RESUME"' in line)
    path.write_bytes(b"".join(lines[:cut]) + lines[-1][:-40])  # attempt 1 and a torn line
    warnings: list[str] = []
    files = RunFiles(run_id, writer.runs, on_warning=warnings.append)
    _, events = files.read()
    assert [ev.op for ev in events][-1] == Op.STEP_ENTER  # attempt 1, the torn line waits
    assert files.log.has_partial and not files.locked()
    log = EventLog.open(run_id, writer.runs)  # what `godel resume` does first
    root = next(ev for ev in log.events if ev.op == Op.WORKFLOW_STARTED)
    log.record(
        Op.RESUME,
        request={"attempt": 2},
        status=EventStatus.FINISHED,
        parent_id=root.event_id,
        invocation_seq=-1,
        step_local_seq=-1,
    )
    log.finish(root, {"result": "done"})
    log.close()
    _, more = files.read()
    assert [(ev.op, ev.status.value) for ev in more] == [
        ("RESUME", "FINISHED"),
        ("WORKFLOW_STARTED", "FINISHED"),
    ]
    assert not files.log.has_partial and warnings == []
    files.close()


def test_a_torn_line_nobody_writes_ends_the_watch_with_a_warning(writer) -> None:
    run_id = writer.agent_run()
    path = writer.runs / f"{run_id}.jsonl"
    path.write_bytes(path.read_bytes()[:-40])
    warnings: list[str] = []
    files = RunFiles(run_id, writer.runs, on_warning=warnings.append)
    files.read()
    assert [files.ended() for _ in range(3)] == [False, False, True]
    files.finish()
    assert len(warnings) == 1 and "ignored a torn last line" in warnings[0]
    files.close()


def test_a_log_in_a_newer_format_is_a_watch_error(writer) -> None:
    run_id = writer.agent_run()
    path = writer.runs / f"{run_id}.jsonl"
    path.write_text(path.read_text().replace('"format":1', '"format":2', 1))
    files = RunFiles(run_id, writer.runs)
    with pytest.raises(WatchError, match=f"^cannot read run {run_id}: .*format 2 is newer"):
        files.read()
    files.close()


def test_a_rotated_transcript_is_read_whole_and_across_its_rotations(tmp_path) -> None:
    # Past transcript_max_bytes the live file becomes transcript.jsonl.1 and a new one starts.
    # Only the live file was read: a finished run's history lost its archives, and a rotation
    # while following lost the rest of the file it was reading.
    from godel.log import Transcript
    from godel_watch.source import TranscriptReader

    path = tmp_path / "R" / "transcript.jsonl"
    transcript = Transcript(path, "R", max_bytes=2000)

    def write(first: int, last: int) -> None:
        for n in range(first, last):
            transcript.write("stdout", stream_path=["L"], line=f"line {n}")

    def lines(reader: TranscriptReader) -> list[str]:
        out = []
        while True:
            items = reader.read()
            out += [item["line"] for item in items if item.get("op") == "stdout"]
            if not items and not reader.behind:
                return out

    write(0, 60)
    assert path.with_name("transcript.jsonl.1").exists()  # rotated at least once
    reader = TranscriptReader(path)
    seen = lines(reader)
    assert seen == [f"line {n}" for n in range(60)]
    write(60, 120)  # more rotations while it follows
    seen += lines(reader)
    transcript.close()
    assert seen == [f"line {n}" for n in range(120)]


def test_a_transcript_that_is_not_a_file_is_no_transcript(tmp_path) -> None:
    # A directory there looked forever "behind" (its size), so a finished run was never
    # done; a FIFO blocked the first read for ever.
    import os

    from godel_watch.source import TranscriptReader

    path = tmp_path / "R" / "transcript.jsonl"
    path.mkdir(parents=True)
    reader = TranscriptReader(path)
    assert reader.read() == [] and not reader.behind
    path.rmdir()
    os.mkfifo(path)
    assert reader.read() == [] and not reader.behind
