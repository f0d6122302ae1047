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
