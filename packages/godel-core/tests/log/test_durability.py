"""The fsync policy (default / always / none) and what survives a killed process."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from godel import EventLog, EventStatus
from godel.exceptions import ConfigError

BIG = "output line\n" * 1000  # goes to the blob sidecar


class FsyncSpy:
    """Records which files and directories were fsynced, in order, by inode."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[int] = []
        real = os.fsync

        def spy(fd: int) -> None:
            self.calls.append(os.fstat(fd).st_ino)
            real(fd)

        monkeypatch.setattr(os, "fsync", spy)

    def count(self, path: Path) -> int:
        return self.calls.count(path.stat().st_ino)

    def first(self, path: Path) -> int:
        return self.calls.index(path.stat().st_ino)

    def last(self, path: Path) -> int:
        return len(self.calls) - 1 - self.calls[::-1].index(path.stat().st_ino)

    def clear(self) -> None:
        self.calls.clear()


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> FsyncSpy:
    monkeypatch.delenv("GODEL_DURABILITY", raising=False)
    return FsyncSpy(monkeypatch)


def blob_file(log: EventLog) -> Path:
    (path,) = (log.run_dir / "blobs").iterdir()
    return path


def test_default_fsyncs_only_when_asked_and_on_close(tmp_path: Path, spy: FsyncSpy) -> None:
    log = EventLog.create(tmp_path, "r")
    assert log.durability == "default"
    ev = log.start("run", request={"cmd": "deploy"})
    log.record("det.now", response={"value": "t"})
    assert spy.count(log.path) == 0
    log.finish(ev, {"returncode": 0}, sync=True)
    assert spy.count(log.path) == 1
    log.record("print")
    assert spy.count(log.path) == 1
    log.sync()
    assert spy.count(log.path) == 2
    log.sync()  # nothing new to make durable
    assert spy.count(log.path) == 2
    log.record("print")
    log.close()
    assert spy.count(log.path) == 3
    log.close()
    assert spy.count(log.path) == 3


def test_default_fsyncs_the_runs_dir_entry_of_a_new_log(tmp_path: Path, spy: FsyncSpy) -> None:
    runs = tmp_path / "runs"
    log = EventLog.create(runs, "r")
    log.start("WORKFLOW_STARTED", sync=True)  # the log appears under its name with its first event
    log.sync()
    assert spy.first(runs) < spy.last(log.path)
    assert spy.last(runs) > spy.first(log.path)  # and that entry, after the rename, is durable too
    assert stat.S_ISDIR(runs.stat().st_mode)
    log.close()


def test_always_fsyncs_every_line(tmp_path: Path, spy: FsyncSpy) -> None:
    log = EventLog.create(tmp_path, "r", durability="always")
    ev = log.start("run")
    log.finish(ev, {})
    log.record("print")
    log.set_status(ev, EventStatus.INVALIDATED)
    assert spy.count(log.path) == 5  # header + four event lines
    log.close()


def test_none_never_fsyncs(tmp_path: Path, spy: FsyncSpy) -> None:
    log = EventLog.create(tmp_path, "r", durability="none")
    ev = log.start("run", request={"stdout": BIG}, sync=True)
    log.finish(ev, {}, sync=True)
    log.sync()
    log.close()
    assert spy.calls == []
    again = EventLog.open("r", tmp_path, durability="none")
    again.close()
    assert spy.calls == []


def test_default_fsyncs_blobs_before_the_line_that_names_them(
    tmp_path: Path, spy: FsyncSpy
) -> None:
    log = EventLog.create(tmp_path, "r")
    ev = log.start("run", request={"cmd": "cat big"})
    assert spy.calls == [
        tmp_path.stat().st_ino
    ]  # the new log appeared under its name: runs dir synced
    spy.clear()
    log.finish(ev, {"stdout": BIG})  # no sync: the blob is written but not yet fsynced
    assert spy.calls == []
    other = log.start("run", sync=True)
    blob = blob_file(log)
    assert spy.count(blob) == 1
    assert spy.first(blob) < spy.last(log.path)
    assert spy.first(log.run_dir / "blobs") < spy.last(log.path)
    spy.clear()
    log.finish(other, {}, sync=True)
    assert spy.count(blob) == 0  # already durable
    log.close()


def test_always_fsyncs_each_blob_and_its_directory_before_the_line(
    tmp_path: Path, spy: FsyncSpy
) -> None:
    log = EventLog.create(tmp_path, "r", durability="always")
    spy.clear()
    log.record("run", response={"stdout": BIG})
    blob = blob_file(log)
    assert spy.first(blob) < spy.first(log.run_dir / "blobs") < spy.last(log.path)
    log.close()


def test_the_environment_sets_the_policy_and_the_argument_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GODEL_DURABILITY", " Always ")
    with EventLog.create(tmp_path, "a") as log:
        assert log.durability == "always"
    with EventLog.open("a", tmp_path, durability="none") as log:
        assert log.durability == "none"
    monkeypatch.setenv("GODEL_DURABILITY", "sometimes")
    with pytest.raises(
        ConfigError,
        match=r"\$GODEL_DURABILITY: expected one of default, always, none, got \"sometimes\"",
    ):
        EventLog.create(tmp_path, "b")
    assert not (tmp_path / "b.jsonl").exists()
    with pytest.raises(ConfigError, match="durability="):
        EventLog.create(tmp_path, "b", durability="fast")
    monkeypatch.setenv("GODEL_DURABILITY", "")
    with EventLog.create(tmp_path, "c") as log:
        assert log.durability == "default"


CRASHER = """
import os, signal, sys
from godel import EventLog
log = EventLog.create(sys.argv[1], "crashed")
for i in range(200):
    ev = log.start("run", request={"i": i})
    log.finish(ev, {"stdout": "x" * i})
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_default_loses_nothing_when_the_process_is_killed(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", CRASHER, str(tmp_path)], check=False)
    assert proc.returncode == -9
    loaded = EventLog.load("crashed", tmp_path)
    assert loaded.warnings == []
    assert len(loaded) == 200
    assert all(e.status is EventStatus.FINISHED for e in loaded)
    assert loaded.events[-1].response == {"stdout": "x" * 199}


def test_sync_soon_fsyncs_within_the_delay_without_waiting(tmp_path: Path, spy: FsyncSpy) -> None:
    import anyio

    from godel.log.eventlog import SYNC_SOON_DELAY

    log = EventLog.create(tmp_path, "r")
    spy.clear()

    async def main() -> None:
        ev = log.start("run", request={"cmd": "deploy"}, sync=True)
        assert spy.count(log.path) == 1  # the start of a side effect is durable before it runs
        log.finish(ev, {"returncode": 0})
        log.sync_soon()
        log.sync_soon()  # one timer, however often it is asked
        assert spy.count(log.path) == 1  # the end is not waited for...
        await anyio.sleep(SYNC_SOON_DELAY * 3)
        assert spy.count(log.path) == 2  # ...but is durable soon after
        ev = log.start("run", request={"cmd": "again"}, sync=True)
        log.finish(ev, {"returncode": 0})
        log.sync_soon()
        log.start("run", request={"cmd": "next"}, sync=True)  # this fsync covers the end above
        assert spy.count(log.path) == 4
        await anyio.sleep(SYNC_SOON_DELAY * 3)
        assert spy.count(log.path) == 4  # the timer found nothing left to do

    anyio.run(main)
    log.close()


def test_sync_soon_outside_an_event_loop_syncs_at_once(tmp_path: Path, spy: FsyncSpy) -> None:
    log = EventLog.create(tmp_path, "r")
    spy.clear()
    ev = log.start("run", request={"cmd": "deploy"})
    log.finish(ev, {"returncode": 0})
    log.sync_soon()
    assert spy.count(log.path) == 1
    log.close()


def test_a_failed_deferred_fsync_is_raised_by_the_next_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import anyio

    from godel.log.eventlog import SYNC_SOON_DELAY

    monkeypatch.delenv("GODEL_DURABILITY", raising=False)
    log = EventLog.create(tmp_path, "r")
    real = os.fsync

    def failing(fd: int) -> None:
        raise OSError(5, "Input/output error")

    async def main() -> None:
        ev = log.start("run", request={"cmd": "deploy"})
        log.finish(ev, {"returncode": 0})
        monkeypatch.setattr(os, "fsync", failing)
        log.sync_soon()
        await anyio.sleep(SYNC_SOON_DELAY * 3)
        monkeypatch.setattr(os, "fsync", real)
        with pytest.raises(OSError, match="Input/output error"):
            log.record("print")
        log.record("print")  # reported once; the log goes on

    anyio.run(main)
    log.close()
    assert [e.op for e in EventLog.load("r", tmp_path)] == ["run", "print"]
