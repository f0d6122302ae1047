"""The live view under Textual's pilot (``App.run_test``): recorded runs, a real run followed
as it writes its files, and the keys the footer lists."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.widgets._toast import Toast

from godel_watch.app import FullScreen, WatchApp

PAIR, STEPS = "01M8TGNZAWGE41H4K7YST6CF5A", "01M8TH8TZVARYSWWAT4K4HPHY5"
GODEL = Path(sys.executable).parent / "godel"
SIZE = (120, 32)
pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Textual runs on asyncio


def screen_text(app: WatchApp) -> str:
    """The terminal's characters, as a person sees them (no colours)."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, force_terminal=True
    )
    console.print(app.screen._compositor.render_update(full=True))
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


def rows(app: WatchApp) -> list[str]:
    tree = app.tree
    return [tree.state.nodes[nid].label for nid in tree.rows]


async def test_a_finished_run_opens_with_everything(runs) -> None:
    app = WatchApp(STEPS, runs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert " FINISHED   demo  01M8TH8TZVARYSWWAT4K4HPHY5  attempt 1  0.276s" in text
        assert rows(app)[:3] == ["demo()", "» hello", "parallel ×2"]
        for label in ("flaky #2", "flaky #3", "outer", '? name? → "bob"', "» hi bob"):
            assert label in text
        assert "WorkflowFail: nope" in text


async def test_keys_move_open_filter_and_show_an_event_whole(runs) -> None:
    app = WatchApp(STEPS, runs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.following
        await pilot.press("home", "down", "down")
        assert not app.following  # moving by hand stops following
        assert app.state.nodes[app.tree.cursor].label == "parallel ×2"
        await pilot.press("right")
        assert rows(app)[3:5] == ['branch("a")', 'branch("b")']
        assert 'b1 branch("a")' in screen_text(app)
        await pilot.press("left")
        assert 'branch("a")' not in rows(app)
        await pilot.press("slash")
        await pilot.press(*"deep")
        await pilot.pause()
        assert rows(app) == ["demo()", "outer", "inner", "» deep"]
        await pilot.press("escape")
        assert len(rows(app)) > 4
        await pilot.press("f")
        assert app.following
        await pilot.press("home", "enter")
        assert isinstance(app.screen, FullScreen)
        full = screen_text(app)
        assert "op              WORKFLOW_STARTED" in full and "── request ──" in full
        await pilot.press("escape")
        assert not isinstance(app.screen, FullScreen)
        await pilot.press("q")
    assert app.return_code == 0


async def test_an_event_taller_than_the_screen_opens_at_its_top(runs) -> None:
    # The lines were written before the pane had its size, and each deferred write scrolled
    # it to the end: the event opened at its last lines, its id and op above the screen.
    app = WatchApp(STEPS, runs)
    async with app.run_test(size=(100, 14)) as pilot:
        await pilot.pause()
        await pilot.press("home", "enter")
        await pilot.pause()
        assert isinstance(app.screen, FullScreen)
        full = screen_text(app)
        assert "op              WORKFLOW_STARTED" in full, full


async def test_the_scrollbar_of_a_long_tree_hides_no_duration(runs) -> None:
    # More rows than the screen: the vertical scrollbar took the rows' last two cells (the
    # "s" of every duration) and a horizontal one appeared below.
    app = WatchApp(STEPS, runs)
    async with app.run_test(size=(100, 8)) as pilot:
        await pilot.pause()
        await pilot.press("home")
        await pilot.pause()
        assert len(app.tree.rows) > 8
        assert row_text(app, "demo()").rstrip().endswith("0.276s")
        assert app.tree.virtual_size.width <= app.tree.scrollable_content_region.width


async def _select_the_agent_call(app: WatchApp, pilot: Any) -> None:
    """Every node expanded, the (first) agent call selected, the screen redrawn."""
    await pilot.pause()
    app.tree.expanded.update(app.state.nodes)
    app.tree.rebuild()
    agent = next(n for n in app.state.nodes.values() if n.op == "agent.call")
    app.tree.select(agent.id, by_user=True)
    await pilot.pause()


async def test_tools_are_shown_on_t(runs) -> None:
    app = WatchApp(PAIR, runs)
    async with app.run_test(size=SIZE) as pilot:
        await _select_the_agent_call(app, pilot)
        text = screen_text(app)
        assert "› Create the file program.py" in text
        assert "Created program.py: it prints hello, world." in text
        assert "⚒ Write" not in text and "tool lines hidden: t shows them" in text
        await pilot.press("t")
        await pilot.pause()
        text = screen_text(app)
        assert '⚒ Write {"file_path": "program.py"' in text
        assert "↳ result: File created successfully" in text


async def test_pause_on_an_ended_run_changes_nothing(runs) -> None:
    app = WatchApp(STEPS, runs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
    assert not list(runs.glob("*.pause"))


LIVE = """
from godel import input, print, run, step, workflow


@step
async def work(n: int) -> int:
    await run(["sh", "-c", f"echo working {n}; sleep 0.3"])
    return n


@step
async def held() -> None:
    # Live until the test has seen its output in the view (the file `go`), 30 s at most: a
    # loaded machine may draw the first screen after three short steps have ended.
    await run(["sh", "-c", "echo working held; for i in $(seq 600); do [ -e go ] && break; sleep 0.05; done"])


@workflow
async def live() -> str:
    for n in range(3):
        await work(n)
    await held()
    name = await input("name? ")
    await print(f"hi {name}")
    for n in range(3, 40):
        await work(n)
    return name
"""


class ProcessSession:
    """What ``godel run --watch`` lends the view, over a plain subprocess."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.answers: list[str] = []

    def answer(self, text: str) -> None:
        self.answers.append(text)
        assert self.proc.stdin is not None
        self.proc.stdin.write(text.encode() + b"\n")
        self.proc.stdin.flush()

    def stop(self) -> None:
        self.proc.send_signal(2)


def _start(tmp_path: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    (tmp_path / "live.py").write_text(LIVE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_")}
    env["GODEL_AUTO_CHECKPOINT"] = "watch"
    proc = subprocess.Popen(
        [str(GODEL), "run", "live.py", "--no-lint"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    runs = tmp_path / "runs"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        logs = list(runs.glob("*.jsonl")) if runs.is_dir() else []
        if logs:
            return proc, logs[0].stem, runs
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("the run did not start")


async def _until(pilot, predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.1)


@pytest.mark.slow
async def test_a_live_run_grows_is_answered_paused_and_resumed_in_view(tmp_path) -> None:
    proc, run_id, runs = _start(tmp_path)
    session = ProcessSession(proc)
    app = WatchApp(run_id, runs, session=session, poll=0.05)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _until(pilot, lambda: "running" == app.state.status and app.state.root)
            # The screen is redrawn after the state changes: wait for it, do not race it.
            await _until(pilot, lambda: "RUNNING" in screen_text(app))
            # The tree grows and the detail follows the live command's output.
            await _until(pilot, lambda: sum(n.op == "run" for n in app.state.nodes.values()) >= 2)
            await _until(pilot, lambda: "│ working held" in screen_text(app))
            (tmp_path / "go").touch()
            # The input line appears for godel.input, and the answer reaches the run.
            await _until(pilot, lambda: app.query_one("#answer").has_class("shown"))
            await _until(pilot, lambda: "name?  (enter: answer the run; " in screen_text(app))
            # escape leaves the line for the tree and its keys (the run still waits); i returns.
            await pilot.press("escape")
            assert app.focused is app.tree and app.query_one("#answer").has_class("shown")
            await pilot.press("i")
            assert app.focused is app.query_one("#answer")
            await pilot.press(*"zoe", "enter")
            await _until(
                pilot, lambda: any(n.label == "» hi zoe" for n in app.state.nodes.values())
            )
            assert session.answers == ["zoe"]
            # p asks the run to pause: it stops before its next step and the header says so.
            await pilot.press("p")
            await _until(pilot, lambda: app.state.status == "paused")
            await _until(pilot, lambda: " PAUSED " in screen_text(app))
            assert proc.wait(timeout=30) == 0
            # Resumed elsewhere, the same view follows the new attempt to its end.
            env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_")}
            resume = subprocess.run(
                [str(GODEL), "resume", run_id, "--no-lint"],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                timeout=120,
            )
            assert resume.returncode == 0, resume.stderr
            await _until(pilot, lambda: app.state.status == "finished")
            assert app.state.attempt == 2
            await _until(pilot, lambda: "attempt 2" in screen_text(app))
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        assert proc.stdin is not None
        proc.stdin.close()


REWOUND = "01M8TJCF433WYJ7KRPTDQQVRAE"  # data/workflows/rewound.py, then `godel rewind` to `second`


async def test_events_invalidated_by_a_rewind_are_shown_as_such(runs) -> None:
    app = WatchApp(REWOUND, runs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "3 invalidated" in text.splitlines()[0]
        assert "⊘ second → 0.836871297871363" in text
        assert "✓ first → 0.41440192237799145" in text
        assert "rewind 3 invalidated" in text


class RecordingSession:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def answer(self, text: str) -> None:
        self.calls.append(f"answer {text}")

    def stop(self) -> None:
        self.calls.append("stop")


async def test_x_stops_a_run_only_when_the_view_started_it(runs) -> None:
    session = RecordingSession()
    app = WatchApp(STEPS, runs, session=session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "x Stop run" in screen_text(app)
        await pilot.press("x")
    assert session.calls == ["stop"]
    app = WatchApp(STEPS, runs)  # plain `godel watch`: x is not offered and does nothing
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Stop run" not in screen_text(app)
        await pilot.press("x")
        await pilot.press("ctrl+c")
    assert app.return_code == 0


def row_text(app: WatchApp, label: str, nth: int = 0) -> str:
    """The screen line of the ``nth`` tree row whose label is ``label``."""
    lines = [line for line in screen_text(app).splitlines() if f" {label}" in line.split("▎")[0]]
    return lines[nth].split("▎")[0]


async def test_after_a_resume_what_the_crashed_attempt_left_running_is_interrupted(
    writer,
) -> None:
    run_id = writer.crashed_then_resumed()
    later = "2099-01-01T00:00:00.000000+00:00"  # a clock far ahead: nothing may grow to it
    app = WatchApp(run_id, writer.runs, clock=lambda: later)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert " FINISHED   main  " in text and "attempt 2" in text
        assert "◌" not in text
        assert row_text(app, "slow").strip() == "↯ slow interrupted"
        assert row_text(app, "slow", 1).strip().startswith("✓ slow #2")
        old = next(n for n in app.state.nodes.values() if n.status == "INTERRUPTED")
        app.tree.select(old.id, by_user=True)
        await pilot.pause()
        detail = screen_text(app)
        assert "↯ step.enter  slow" in detail and "INTERRUPTED · id " in detail


async def test_a_crashed_run_stops_the_clock_where_it_stopped(writer) -> None:
    # Killed and not resumed: nothing runs, so no time grows (the header said 2m, 3m... and
    # the root ◌ counted on while the header said INTERRUPTED).
    run_id = writer.crashed()
    later = "2099-01-01T00:00:00.000000+00:00"  # a clock far ahead: nothing may grow to it
    app = WatchApp(run_id, writer.runs, clock=lambda: later)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert " INTERRUPTED   main  " in text
        assert re.search(r"INTERRUPTED .* attempt 1  0\.0\d\ds ", text)  # to its last line
        assert "◌" not in text
        assert row_text(app, "main()").strip() == "▾ ↯ main() interrupted"
        assert row_text(app, "slow").strip().startswith("↯ slow interrupted")


async def test_a_run_that_failed_then_finished_shows_no_old_error(writer) -> None:
    run_id = writer.failed_then_finished()
    app = WatchApp(run_id, writer.runs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.tree.select(app.state.root, by_user=True)
        await pilot.pause()
        text = screen_text(app)
        assert " FINISHED   main  " in text
        assert "✓ main() → ok " in row_text(app, "main()")
        assert "WorkflowFail" not in text and "gate closed" not in text


async def test_estimated_costs_are_marked_in_the_header_rows_and_detail(writer) -> None:
    run_id = writer.agent_run()
    app = WatchApp(run_id, writer.runs)
    async with app.run_test(size=SIZE) as pilot:
        await _select_the_agent_call(app, pilot)
        text = screen_text(app)
        assert "  1100 tok  ~$0.0200  " in text.splitlines()[0]
        for label in ("main()", "review", "copilot/gpt-5"):
            assert row_text(app, label).rstrip().endswith(" ~$0.0200"), label
        assert " · 1100 tok · ~$0.0200 · id " in text  # the detail pane's facts


async def test_a_log_the_view_cannot_read_closes_it_with_one_error(runs) -> None:
    log = runs / f"{STEPS}.jsonl"
    (runs / "NEWER.jsonl").write_text(log.read_text().replace('"format":1', '"format":2', 1))
    app = WatchApp("NEWER", runs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
    assert app.return_code == 1
    assert app.error is not None
    assert app.error.format_message().startswith("cannot read run NEWER: ")
    assert "format 2 is newer than this godel reads" in app.error.format_message()


async def test_a_warning_quoting_the_log_is_text_not_markup(runs) -> None:
    # The reader skips a line whose status is not one it knows and says so, quoting it: as
    # markup, "[/x]" raised MarkupError and closed the view with a traceback.
    log = runs / f"{STEPS}.jsonl"
    lines = log.read_text().splitlines()
    lines.insert(3, lines[3].replace('"status":"', '"status":"[/x][bold red]HOSTILE[/] ', 1))
    log.write_text("\n".join(lines) + "\n")
    app = WatchApp(STEPS, runs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause(0.2)
        (notification,) = app._notifications
        # What the toast shows (Textual renders it on screen, where the error was raised).
        assert "status '[/x][bold red]HOSTILE[/] " in Toast(notification).render().plain


async def test_pause_where_the_request_cannot_be_written_is_a_notice(
    runs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """p on a run whose runs dir cannot be written (read-only): an error notice, the view
    stays (it crashed with a traceback)."""
    import errno

    import godel

    def read_only(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(godel, "write_pause_request", read_only)
    app = WatchApp(STEPS, runs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.state.status = "running"  # as seen while the run was live
        app.action_pause()
        await pilot.pause()
        (notification,) = app._notifications
        assert notification.severity == "error"
        assert "cannot write the pause request: Read-only file system" in notification.message
        assert app.is_running
