"""How many disk flushes a run costs: its fixed cost is one fsync of the log and one of the runs
dir at its end; a side effect still finds everything before it durable when it begins."""

from __future__ import annotations

import os
from pathlib import Path

import anyio
import pytest

import godel
from godel import run, step, workflow


class Flushes:
    """The inodes passed to ``os.fsync``, in order, and what the log held at each."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[int] = []
        real = os.fsync

        def spy(fd: int) -> None:
            self.calls.append(os.fstat(fd).st_ino)
            real(fd)

        monkeypatch.setattr(os, "fsync", spy)

    def count(self, path: Path) -> int:
        return self.calls.count(path.stat().st_ino)


@step
async def nothing() -> None:
    return None


@workflow
async def quiet() -> None:
    await nothing()


@step
async def command() -> int:
    return (await run(["true"])).returncode


@workflow
async def effect() -> int:
    return await command()


def only_log(runs: Path) -> Path:
    (log,) = runs.glob("*.jsonl")
    return log


def test_a_run_without_side_effects_flushes_the_log_and_its_directory_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GODEL_DURABILITY", raising=False)
    monkeypatch.setenv("GODEL_RUNS_DIR", str(tmp_path / "runs"))
    flushes = Flushes(monkeypatch)
    anyio.run(quiet)
    log = only_log(tmp_path / "runs")
    assert flushes.count(log) == 1  # at the end of the run, with every line in it
    assert flushes.count(tmp_path / "runs") == 1  # the log's name, with it
    assert (
        godel.EventLog.load(log.name[:-6], tmp_path / "runs").events[0].status.value == "FINISHED"
    )


def test_a_side_effect_begins_after_the_run_so_far_is_durable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GODEL_DURABILITY", raising=False)
    monkeypatch.setenv("GODEL_RUNS_DIR", str(tmp_path / "runs"))
    flushes = Flushes(monkeypatch)
    seen: list[tuple[int, int]] = []
    real_popen = __import__("subprocess").Popen

    class Watching(real_popen):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            seen.append((len(flushes.calls), len(only_log(tmp_path / "runs").read_bytes())))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr("subprocess.Popen", Watching)
    assert anyio.run(effect) == 0
    log = only_log(tmp_path / "runs")
    (before, size_then) = seen[0]
    runs_ino = (tmp_path / "runs").stat().st_ino
    log_ino = log.stat().st_ino
    # Before the command started: the log's directory entry, then the log with its STARTED line.
    assert runs_ino in flushes.calls[:before] and log_ino in flushes.calls[:before]
    assert flushes.calls[:before].index(runs_ino) < before - 1
    lines = log.read_bytes()[:size_then].splitlines()
    assert b'"op":"run"' in lines[-1] and b'"status":"STARTED"' in lines[-1]
