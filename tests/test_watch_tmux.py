"""``godel watch`` in a real terminal: tmux runs `godel run --watch` on examples/parallel_review.py
(claude and copilot reviewing in parallel, the real CLIs against the fake model server), a
second pane runs `godel watch` on the same run, and `capture-pane` reads both screens.

Checked: the steps and the final status in both panes, the streamed answer in the detail pane,
`godel.input()` answered through the view's input line, and Ctrl+C in the watcher leaving the
run running. tmux comes from Debian's packages (`.ci/run` installs it).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
pytestmark = [pytest.mark.agents, pytest.mark.slow]


class Tmux:
    """One tmux server of our own (its own socket), one window split in two panes."""

    def __init__(self, socket: str, cwd: Path, env_path: str) -> None:
        self.base = ["tmux", "-L", socket]
        self.cwd = cwd
        shell = ["bash", "--norc", "--noprofile"]
        self("new-session", "-d", "-s", "w", "-x", "150", "-y", "50", "-c", str(cwd), *shell)
        self("split-window", "-v", "-t", "w", "-c", str(cwd), *shell)
        for pane in (0, 1):
            self.type(pane, f"export PATH={shlex.quote(env_path)} PS1='$ '; clear")

    def __call__(self, *args: str) -> str:
        return subprocess.run(
            [*self.base, *args], capture_output=True, text=True, check=True, timeout=30
        ).stdout

    def type(self, pane: int, line: str) -> None:
        self("send-keys", "-t", f"w.{pane}", "-l", line)
        self("send-keys", "-t", f"w.{pane}", "Enter")

    def keys(self, pane: int, *keys: str) -> None:
        self("send-keys", "-t", f"w.{pane}", *keys)

    def screen(self, pane: int) -> str:
        return self("capture-pane", "-p", "-t", f"w.{pane}")

    def wait(self, pane: int, check: Callable[[str], bool], what: str, timeout: float = 90) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen(pane)
            if check(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"pane {pane}: no {what} after {timeout}s:\n{text}")
            time.sleep(0.2)

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True, timeout=30)


@pytest.fixture
def tmux(tmp_path: Path, require_cli):
    require_cli("claude")
    require_cli("copilot")
    if shutil.which("tmux") is None:
        message = "tmux is not installed (apt-get install -y tmux; .ci/run does it)"
        if os.environ.get("GODEL_REQUIRE_AGENT_CLIS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    path = os.pathsep.join([str(BIN), os.environ.get("PATH", "")])
    term = Tmux(f"godel-watch-test-{os.getpid()}", tmp_path, path)
    try:
        yield term
    finally:
        term.close()


def test_run_watch_and_a_second_watcher_in_a_real_terminal(tmux: Tmux, tmp_path: Path) -> None:
    script = REPO / "examples" / "parallel_review.fake-model.json"
    example = REPO / "examples" / "parallel_review.py"
    tmux.type(
        0,
        f"{shlex.quote(sys.executable)} -m godel.testing.fake_model --script {script} -- "
        f"godel run {example} --watch; echo EXIT=$?",
    )
    runs = tmp_path / "runs"
    deadline = time.monotonic() + 60
    while not (runs.is_dir() and list(runs.glob("*.jsonl"))):
        assert time.monotonic() < deadline, tmux.screen(0)
        time.sleep(0.1)
    run_id = next(runs.glob("*.jsonl")).stem

    # The run's view: the steps, then the input line of godel.input.
    view = tmux.wait(0, lambda s: "(enter: answer the run;" in s, "input line")
    assert "RUNNING" in view and "parallel_review" in view and run_id in view
    assert "parallel ×2" in view and "» claude: Looks good to me." in view
    assert "» copilot: Approve." in view

    # A second watcher on the same run sees it wait; Ctrl+C leaves it and the run goes on.
    tmux.type(1, f"godel watch {run_id[-8:]}; echo WATCH_EXIT=$?")
    other = tmux.wait(1, lambda s: "waiting for an answer in the run's terminal" in s, "waiting")
    assert "RUNNING" in other and "merge the patch? [y/n]" in other
    tmux.keys(1, "C-c")
    tmux.wait(1, lambda s: "WATCH_EXIT=0" in s, "watcher exit")
    assert "(enter: answer the run;" in tmux.screen(0)  # the run still waits for its answer
    assert '"op":"WORKFLOW_STARTED"' in (runs / f"{run_id}.jsonl").read_text()
    assert '"status":"FINISHED"' not in (runs / f"{run_id}.jsonl").read_text().splitlines()[-1]

    # Watch again, then answer in the run's view: both follow the run to its end.
    tmux.type(1, "clear")
    tmux.type(1, f"godel watch {run_id}; echo WATCH_EXIT=$?")
    tmux.wait(1, lambda s: "RUNNING" in s, "second watcher")
    tmux.keys(0, "y", "Enter")
    done = tmux.wait(0, lambda s: " FINISHED " in s, "the end, in the run's view")
    assert '? merge the patch? [y/n] → "y"' in done and "» patch merged" in done
    other = tmux.wait(1, lambda s: " FINISHED " in s, "the end, in the watcher")
    assert "» patch merged" in other and "250 tok" in other

    # The streamed answer, in the watcher's detail pane: filter to claude's call, select it.
    tmux.keys(1, "/")
    tmux.wait(1, lambda s: "filter: text in the tree" in s, "the filter line")
    tmux.keys(1, "-l", "claude/sonnet")
    tmux.wait(
        1,
        lambda s: not any("copilot" in line.split("▎")[0] for line in s.splitlines()),
        "the filtered tree",
    )
    tmux.keys(1, "Enter")  # back to the tree, filtered to the call and its ancestors
    time.sleep(0.5)
    tmux.keys(1, "End")
    detail = tmux.wait(1, lambda s: "The f-string reads better" in s, "the streamed answer")
    assert "› Review this patch as claude." in detail
    tmux.keys(1, "q")
    tmux.wait(1, lambda s: "WATCH_EXIT=0" in s, "watcher exit")

    # Leaving the run's view: the terminal holds what `godel run` printed, and its status.
    tmux.keys(0, "q")
    # The typed command line holds "EXIT=$?" too: wait for the line the shell prints.
    end = tmux.wait(0, lambda s: re.search(r"^EXIT=\d+", s, re.M) is not None, "the run's exit")
    assert f"[godel] run {run_id}" in end
    assert "merge the patch? [y/n] y" in end and "patch merged" in end
    assert "[godel] completed in" in end and "EXIT=0" in end
