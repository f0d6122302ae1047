"""Snapshots of the view's main screens, as text (what a person sees, colours aside).

The screens are drawn from recorded runs at a fixed size, so they are the same on every
machine. After an intended change of the view, rewrite them with
``GODEL_UPDATE_SNAPSHOTS=1 pytest packages/godel-watch/tests/test_snapshots.py`` and review
the diff.
"""

from __future__ import annotations

import io
import os
import shutil
import time
from pathlib import Path

import pytest
from rich.console import Console

from godel.log.lock import RunLock, lock_path
from godel_watch.app import WatchApp

SNAPSHOTS = Path(__file__).parent / "snapshots"
PAIR, REVIEW = "01M8TGNZAWGE41H4K7YST6CF5A", "01M8TH8KEZ1A2FY9GN22VZ5Y97"
STEPS = "01M8TH8TZVARYSWWAT4K4HPHY5"
SIZE = (110, 30)
pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    """``show --full`` prints local times: the snapshots are taken in UTC."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def screen_text(app: WatchApp) -> str:
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, force_terminal=True
    )
    console.print(app.screen._compositor.render_update(full=True))
    return "\n".join(line.rstrip() for line in console.export_text().splitlines()) + "\n"


def check(name: str, text: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("GODEL_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.is_file(), f"no snapshot {path.name}: run with GODEL_UPDATE_SNAPSHOTS=1"
    assert text.splitlines() == path.read_text().splitlines()


def app_for(run_id: str, runs: Path, **kwargs) -> WatchApp:
    # A fixed clock: durations of what still runs are measured to it.
    return WatchApp(run_id, runs, clock=lambda: "2026-12-02T04:48:00.000000+00:00", **kwargs)


async def test_the_run_as_it_opens(runs) -> None:
    app = app_for(STEPS, runs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        check("steps-open", screen_text(app))


async def test_an_agent_call_with_its_tools(runs) -> None:
    app = app_for(PAIR, runs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.tree.expanded.update(app.state.nodes)
        app.tree.rebuild()
        agent = next(n for n in app.state.nodes.values() if n.op == "agent.call")
        app.tree.select(agent.id, by_user=True)
        await pilot.press("t")
        await pilot.pause()
        check("pair-agent-tools", screen_text(app))


async def test_a_filter(runs) -> None:
    app = app_for(STEPS, runs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"flaky")
        await pilot.pause()
        check("steps-filter", screen_text(app))


async def test_an_event_whole(runs) -> None:
    app = app_for(STEPS, runs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("home", "down", "enter")
        await pilot.pause()
        check("steps-full-event", screen_text(app))


class Session:
    def answer(self, text: str) -> None: ...

    def stop(self) -> None: ...


async def test_a_run_waiting_for_its_input(runs, tmp_path) -> None:
    # The parallel review run as it was while it waited for the person's answer.
    partial = tmp_path / "partial"
    partial.mkdir()
    lines = (runs / f"{REVIEW}.jsonl").read_text().splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if '"op":"input"' in line) + 1
    (partial / f"{REVIEW}.jsonl").write_text("".join(lines[:cut]))
    shutil.copytree(runs / REVIEW, partial / REVIEW)
    # A live process holds a run that waits: without it, the run was killed while it waited.
    lock = RunLock(lock_path(partial, REVIEW), REVIEW)
    lock.acquire()
    try:
        app = app_for(REVIEW, partial, session=Session())
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            check("review-waiting-for-input", screen_text(app))
    finally:
        lock.release()
