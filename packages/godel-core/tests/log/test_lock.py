"""The run lock: one writer per run, released on close and when the holder dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from godel import EventLog
from godel.log.eventlog import RunLockedError

HOLDER = """
import sys
from godel import EventLog
log = EventLog.create(sys.argv[1], sys.argv[2])
log.record("print", request={"text": "held"})
print("ready", flush=True)
sys.stdin.read()  # hold the log open until killed
"""


@pytest.fixture
def holder(tmp_path: Path):
    """A real process that created run "held" and keeps it open."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path), "held"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "ready\n"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=60)
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()


def test_a_second_writer_in_another_process_fails_at_once(
    tmp_path: Path, holder: subprocess.Popen
) -> None:
    with pytest.raises(RunLockedError) as info:
        EventLog.open("held", tmp_path)
    err = info.value
    assert err.run_id == "held" and err.pid == holder.pid
    message = str(err)
    assert "held" in message and str(holder.pid) in message
    assert "wait for it to finish or `godel pause held` it" in message
    with pytest.raises(RunLockedError):
        EventLog.create(tmp_path, "held")


def test_readers_never_lock(tmp_path: Path, holder: subprocess.Popen) -> None:
    loaded = EventLog.load("held", tmp_path)
    assert [e.request for e in loaded] == [{"text": "held"}]


def test_the_lock_dies_with_its_process(tmp_path: Path, holder: subprocess.Popen) -> None:
    with pytest.raises(RunLockedError):
        EventLog.open("held", tmp_path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=60)
    with EventLog.open("held", tmp_path) as log:
        assert len(log) == 1
        log.record("print", request={"text": "taken over"})


def test_the_lock_is_per_open_log_within_one_process(tmp_path: Path) -> None:
    log = EventLog.create(tmp_path, "r")
    log.record("print")  # the log appears with its first event
    with pytest.raises(RunLockedError, match="this process") as info:
        EventLog.open("r", tmp_path)
    assert info.value.pid == os.getpid()
    lock_file = tmp_path / "r.lock"
    assert lock_file.read_text().strip() == str(os.getpid())
    log.close()
    assert lock_file.read_text() == ""
    with EventLog.open("r", tmp_path) as again:
        assert again.writable


def test_a_dropped_log_releases_its_lock(tmp_path: Path) -> None:
    EventLog.create(tmp_path, "r").record("print")  # never closed; garbage at once
    EventLog.open("r", tmp_path).close()
