"""docs/cli.md's exit-code matrix, checked against the real ``godel`` command, row by row.

Each row of the table under "Commands and exit codes" (command, exit code, situations) has a
scenario below that brings about every situation the row names and checks the exit code; a row
without a scenario, or a scenario without a row, fails. Each command's ``--help`` must list the
same codes as the table.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CLI_MD = REPO / "docs" / "cli.md"
GODEL = Path(sys.executable).parent / "godel"

BASE = """
import os

from godel import WorkflowFail, run, step, workflow


@step
async def build():
    await run(["true"])
    return "built"


@step
async def check():
    if os.environ.get("GATE") == "closed":
        raise WorkflowFail("gate closed")
    return "ok"


@workflow
async def main():
    await build()
    return await check()
"""

# Steps until paused (or interrupted): a run that stays live as long as a test needs.
TICKER = """
from godel import sleep, step, workflow


@step
async def tick(i):
    await sleep(0.05)
    return i


@workflow
async def main():
    for i in range(2000):
        await tick(i)
"""

FILES = {
    "base.py": BASE,
    "ticker.py": TICKER,
    "changed.py": BASE.replace('run(["true"])', 'run(["true", "changed"])'),
    "strict_scan.py": BASE.replace('return "built"', "return str(time.time())").replace(
        "import os", "import os\nimport time"
    ),
    "strict_audit.py": BASE.replace('await run(["true"])', 'open("out.txt", MODE).close()')
    + '\nMODE = "w"\n',
    "strict_guard.py": BASE.replace(
        'await run(["true"])', 'importlib.import_module("ftp" + "lib")'
    ).replace("import os", "import importlib\nimport os"),
    "strict_import.py": 'MODE = "w"\nopen("out.txt", MODE).close()\n' + BASE,
    "lint_error.py": BASE.replace('await run(["true"])', 'run(["true"])'),
    "import_error.py": "import no_such_module_for_godel_tests\n" + BASE,
    "syntax_error.py": BASE.replace("async def check():", "async def check(:"),
    "no_workflow.py": "from godel import step\n\n\n@step\nasync def s():\n    return 1\n",
    "two_workflows.py": BASE + "\n\n@workflow\nasync def other():\n    return await check()\n",
    "boom.py": BASE.replace('raise WorkflowFail("gate closed")', 'raise RuntimeError("boom")'),
    # Fails: a finished run is not resumed at all, so it would not reach the argument check.
    "args.py": (
        "from godel import WorkflowFail, workflow\n\n\n@workflow\nasync def main(o):\n"
        "    raise WorkflowFail('not yet')\n"
    ),
    # `godel repair --agent repair_agents:NAME`: custom agents, no model.
    "repair_agents.py": (
        "import asyncio\n\n\n"
        "async def ok(ctx, tools, **opts):\n    await tools.resume('fine')\n\n\n"
        "async def give_up(ctx, tools, **opts):\n    await tools.give_up('no')\n\n\n"
        "async def crash(ctx, tools, **opts):\n    raise RuntimeError('agent crash')\n\n\n"
        "async def undecided(ctx, tools, **opts):\n    return 'maybe'\n\n\n"
        "async def slow(ctx, tools, **opts):\n    print('waiting', flush=True)\n"
        "    await asyncio.sleep(60)\n"
    ),
}

AMBIGUOUS = ["01M8ZZZZZZZZZZZZZZAAAAAAAA", "01M8ZZZZZZZZZZZZZZBBBBBBBB"]
NEWER = "01M8NEWERZZZZZZZZZZZZZZZZZ"  # a log written by a future godel: unreadable


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_") and k != "PYTHONPATH"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra or {})
    return env


@dataclass
class World:
    """A directory of workflow files and runs dirs, shared by the scenarios.

    ``runs`` holds a finished run (``fin``) and a failed one (``failed``, gate closed);
    ``ambiguous`` two empty logs sharing the prefix ``01M8ZZZZ``; ``newer`` an unreadable log;
    ``empty`` no run at all; ``missing`` does not exist. Scenarios that change a run work on
    ``copy_runs()``.
    """

    root: Path
    fin: str = ""
    failed: str = ""
    plugin_dist: Callable[..., Path] | None = None
    copies: list[Path] = field(default_factory=list)

    def godel(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        path: list[Path] | None = None,
        cwd: Path | None = None,
    ) -> subprocess.CompletedProcess[str]:
        extra = dict(env or {})
        if path:
            extra["PYTHONPATH"] = os.pathsep.join(map(str, path))
        return subprocess.run(
            [str(GODEL), *args],
            cwd=cwd or self.root,
            env=clean_env(extra),
            capture_output=True,
            text=True,
            timeout=120,
        )

    def expect(self, code: int, *args: str, says: str = "", **kwargs) -> str:  # type: ignore[no-untyped-def]
        """Run ``godel ARGS`` and check its exit code (and that stderr contains ``says``)."""
        proc = self.godel(*args, **kwargs)
        report = f"godel {' '.join(args)}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
        assert proc.returncode == code, report
        assert "Traceback" not in proc.stderr, report
        assert says in proc.stderr, report
        return proc.stderr

    def dir(self, name: str) -> str:
        return str(self.root / name)

    def copy_runs(self) -> str:
        """A fresh copy of ``runs`` (its logs name base.py as their workflow file)."""
        target = self.root / f"runs-copy-{len(self.copies)}"
        shutil.copytree(self.root / "runs", target)
        self.copies.append(target)
        return str(target)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("exit-codes")
    for name, source in FILES.items():
        (root / name).write_text(source)
    w = World(root)
    w.expect(0, "run", "base.py")
    w.expect(1, "run", "base.py", env={"GATE": "closed"})
    ids = sorted(p.stem for p in (root / "runs").glob("*.jsonl"))
    w.fin, w.failed = ids
    for run_id in AMBIGUOUS:
        (root / "ambiguous").mkdir(exist_ok=True)
        (root / "ambiguous" / f"{run_id}.jsonl").write_text("")
    (root / "newer").mkdir()
    header = {"godel_log": {"format": 99, "run_id": NEWER}}
    (root / "newer" / f"{NEWER}.jsonl").write_text(json.dumps(header) + "\n")
    (root / "empty").mkdir()
    return w


def events(runs_dir: str, run_id: str) -> list[dict]:  # type: ignore[type-arg]
    lines = (Path(runs_dir) / f"{run_id}.jsonl").read_text().splitlines()[1:]
    final = {}
    for line in lines:
        ev = json.loads(line)
        final[ev["event_id"]] = ev
    return list(final.values())


def event_of(runs_dir: str, run_id: str, op: str, step: str) -> str:
    return next(
        e["event_id"]
        for e in events(runs_dir, run_id)
        if e["op"] == op and e["step_path"] == [step]
    )


# live runs ---------------------------------------------------------------------------------------


class Live:
    """A ``godel run``/``resume`` of the ticker in the background, once it has printed its id."""

    def __init__(self, w: World, *args: str) -> None:
        self.proc = subprocess.Popen(
            [str(GODEL), *args],
            cwd=w.root,
            env=clean_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stderr is not None
        deadline = time.monotonic() + 60
        self.head = ""
        while True:
            line = self.proc.stderr.readline()
            self.head += line
            match = re.match(r"\[godel\] (?:run|resuming run) (\S+)$", line.strip())
            if match:
                self.run_id = match[1]
                return
            if not line or time.monotonic() > deadline:
                self.proc.kill()
                raise AssertionError(f"no run id from godel {' '.join(args)}: {self.head}")

    def end(self) -> tuple[int, str]:
        _out, err = self.proc.communicate(timeout=60)
        return self.proc.returncode, self.head + err


def pause_live(w: World, *args: str) -> None:
    """Start ``godel ARGS`` (a ticker run), pause it: both exit 0, with pause's exact lines."""
    live = Live(w, *args)
    runs = w.dir("runs")
    sentinel = ""
    try:
        out = w.expect(0, "pause", live.run_id[-8:], "--runs-dir", runs)
        lines = out.splitlines()
        assert lines[0] == f"[godel] pause requested for run {live.run_id}"
        assert lines[1].startswith(f"[godel] sentinel: {runs}{os.sep}") and live.run_id in lines[1]
        sentinel = lines[1].split(": ", 1)[1]
        assert lines[2:] == [f"[godel] resume with: godel resume {live.run_id} --runs-dir {runs}"]
    finally:
        code, err = live.end()
    assert code == 0 and "[godel] paused after" in err, err
    assert not Path(sentinel).exists(), "the paused run removed the pause request"
    (root,) = [e for e in events(runs, live.run_id) if e["op"] == "WORKFLOW_STARTED"]
    assert root["status"] == "PAUSED" and root["response"]["reason"] == "CLI pause"


def signal_live(w: World, sig: signal.Signals, code: int) -> None:
    live = Live(w, "run", "ticker.py")
    time.sleep(0.3)
    live.proc.send_signal(sig)
    got, err = live.end()
    assert got == code and "interrupted" in err, err


# scenarios ---------------------------------------------------------------------------------------

Scenario = Callable[[World], None]
SCENARIOS: dict[tuple[str, int], Scenario] = {}


def scenario(command: str, code: int) -> Callable[[Scenario], Scenario]:
    def register(fn: Scenario) -> Scenario:
        SCENARIOS[(command, code)] = fn
        return fn

    return register


@scenario("run", 0)
def _(w: World) -> None:
    w.expect(0, "run", "base.py", "--runs-dir", w.dir("scratch"), says="[godel] completed in")
    pause_live(w, "run", "ticker.py")


@scenario("run", 1)
def _(w: World) -> None:
    scratch = w.dir("scratch")
    w.expect(1, "run", "base.py", "--runs-dir", scratch, env={"GATE": "closed"}, says="gate closed")
    before = set(Path(scratch).glob("*.jsonl"))
    w.expect(1, "run", "strict_scan.py", "--runs-dir", scratch, says="time.time")
    w.expect(1, "run", "lint_error.py", "--runs-dir", scratch, says="PL001")
    w.expect(1, "run", "syntax_error.py", "--runs-dir", scratch, says="syntax error")
    assert set(Path(scratch).glob("*.jsonl")) == before, "refused before anything was written"
    w.expect(1, "run", "strict_import.py", "--runs-dir", scratch, says="godel strict:")
    w.expect(
        1, "run", "strict_audit.py", "--runs-dir", scratch, says="PermissionError: godel strict"
    )
    w.expect(1, "run", "strict_guard.py", "--runs-dir", scratch, says="GodelStrictError")


@scenario("run", 2)
def _(w: World) -> None:
    w.expect(2, "run", "base.py", "--frobnicate", says="No such option")
    w.expect(2, "run", "base.py", "--", "extra", says="argument error")
    w.expect(2, "run", "nope.py", says="workflow not found: 'nope.py'")
    w.expect(2, "run", "import_error.py", says="cannot import")
    w.expect(2, "run", "syntax_error.py", "--no-strict", "--no-lint", says="syntax error")
    w.expect(2, "run", "no_workflow.py", says="no @workflow")
    w.expect(2, "run", "two_workflows.py", says="defines 2 workflows")
    scratch = w.dir("scratch")
    w.expect(2, "run", "boom.py", "--runs-dir", scratch, env={"GATE": "closed"}, says="boom")


@scenario("run", 130)
def _(w: World) -> None:
    signal_live(w, signal.SIGINT, 130)


@scenario("run", 143)
def _(w: World) -> None:
    signal_live(w, signal.SIGTERM, 143)


@scenario("run", 129)
def _(w: World) -> None:
    signal_live(w, signal.SIGHUP, 129)


@scenario("resume", 0)
def _(w: World) -> None:
    runs = w.copy_runs()
    w.expect(0, "resume", w.failed, "--runs-dir", runs, says="[godel] resumed run completed in")
    runs, run_id = paused_ticker(w)
    live = Live(w, "resume", run_id, "--runs-dir", runs)
    w.expect(0, "pause", live.run_id, "--runs-dir", runs)
    code, err = live.end()
    assert code == 0 and "[godel] paused after" in err, err


@scenario("resume", 1)
def _(w: World) -> None:
    w.expect(1, "resume", w.failed, "--runs-dir", w.dir("missing"), says="No runs/ directory found")
    w.expect(
        1, "resume", "ZZZZZZZZ", "--runs-dir", w.dir("runs"), says='No run matching "ZZZZZZZZ"'
    )
    w.expect(1, "resume", "01M8ZZZZ", "--runs-dir", w.dir("ambiguous"), says="Ambiguous prefix")
    w.expect(1, "resume", NEWER, "--runs-dir", w.dir("newer"), says="cannot read run")
    runs = w.copy_runs()
    w.expect(1, "resume", w.failed, "--runs-dir", runs, env={"GATE": "closed"}, says="gate closed")
    w.expect(1, "resume", w.failed, "strict_scan.py", "--runs-dir", runs, says="time.time")
    w.expect(1, "resume", w.failed, "lint_error.py", "--runs-dir", runs, says="PL001")


@scenario("resume", 2)
def _(w: World) -> None:
    runs = w.copy_runs()
    w.expect(2, "resume", says="Missing argument")
    w.expect(
        2, "resume", w.failed, "nope.py", "--runs-dir", runs, says="workflow not found: 'nope.py'"
    )
    w.expect(2, "resume", w.failed, "import_error.py", "--runs-dir", runs, says="cannot import")
    w.expect(2, "resume", w.failed, "no_workflow.py", "--runs-dir", runs, says="no @workflow")
    w.expect(2, "resume", w.failed, "two_workflows.py", "--runs-dir", runs, says="2 workflows")
    w.expect(2, "resume", w.failed, "changed.py", "--runs-dir", runs, says="request changed")
    # A run started from Python with an argument JSON cannot hold.
    code = (
        "import sys, anyio\nsys.path.insert(0, '.')\nfrom args import main\n"
        "try:\n    anyio.run(main, object())\nexcept Exception:\n    pass\n"
    )
    subprocess.run(
        [sys.executable, "-c", code],
        cwd=w.root,
        env=clean_env({"GODEL_RUNS_DIR": w.dir("objects")}),
        check=True,
        capture_output=True,
    )
    (run_id,) = [p.stem for p in (w.root / "objects").glob("*.jsonl")]
    w.expect(
        2, "resume", run_id, "args.py", "--runs-dir", w.dir("objects"), says="non-serialisable"
    )
    live = Live(w, "run", "ticker.py", "--runs-dir", runs)
    try:
        w.expect(2, "resume", live.run_id, "--runs-dir", runs, says="in use")
    finally:
        w.expect(0, "pause", live.run_id, "--runs-dir", runs)
        assert live.end()[0] == 0


def paused_ticker(w: World) -> tuple[str, str]:
    """A runs dir copy holding a paused ticker run, and that run's id."""
    runs = w.copy_runs()
    live = Live(w, "run", "ticker.py", "--runs-dir", runs)
    w.expect(0, "pause", live.run_id, "--runs-dir", runs)
    assert live.end()[0] == 0
    return runs, live.run_id


def signal_resume(w: World, sig: signal.Signals, code: int) -> None:
    runs, run_id = paused_ticker(w)
    live = Live(w, "resume", run_id, "--runs-dir", runs)
    time.sleep(0.3)
    live.proc.send_signal(sig)
    got, err = live.end()
    assert got == code and "interrupted" in err, err


@scenario("resume", 130)
def _(w: World) -> None:
    signal_resume(w, signal.SIGINT, 130)


@scenario("resume", 143)
def _(w: World) -> None:
    signal_resume(w, signal.SIGTERM, 143)


@scenario("resume", 129)
def _(w: World) -> None:
    signal_resume(w, signal.SIGHUP, 129)


@scenario("show", 0)
def _(w: World) -> None:
    w.expect(0, "show", w.fin, "--runs-dir", w.dir("runs"))
    check = event_of(w.dir("runs"), w.fin, "step.enter", "check")
    w.expect(0, "show", w.fin[-8:], "--full", check[-8:], env={"GODEL_RUNS_DIR": w.dir("runs")})


@scenario("show", 1)
def _(w: World) -> None:
    w.expect(1, "show", w.fin, "--runs-dir", w.dir("missing"), says="No runs/ directory found at")
    w.expect(1, "show", "ZZZZZZZZ", "--runs-dir", w.dir("runs"), says='No run matching "ZZZZZZZZ"')
    w.expect(
        1,
        "show",
        "01M8ZZZZ",
        "--runs-dir",
        w.dir("ambiguous"),
        says='Ambiguous prefix "01M8ZZZZ" — matches: [',
    )
    w.expect(1, "show", "a/b", "--runs-dir", w.dir("runs"), says="invalid run id")
    w.expect(
        1,
        "show",
        w.fin,
        "--full",
        "ZZZZZZZZ",
        "--runs-dir",
        w.dir("runs"),
        says="Event ID not found",
    )
    w.expect(1, "show", NEWER, "--runs-dir", w.dir("newer"), says="cannot read run")


@scenario("show", 2)
def _(w: World) -> None:
    w.expect(2, "show", says="Missing argument")


@scenario("tail", 0)
def _(w: World) -> None:
    w.expect(0, "tail", w.fin, "--runs-dir", w.dir("runs"))
    w.expect(0, "tail", w.fin, "--no-follow", "--runs-dir", w.dir("runs"))


@scenario("tail", 1)
def _(w: World) -> None:
    ambiguous = w.dir("ambiguous")
    for flags in ((), ("--no-wait",), ("--no-follow",)):
        w.expect(1, "tail", "01M8ZZZZ", *flags, "--runs-dir", ambiguous, says="Ambiguous prefix")
        w.expect(1, "tail", "a/b", *flags, "--runs-dir", ambiguous, says="invalid run id")
        w.expect(1, "tail", NEWER, *flags, "--runs-dir", w.dir("newer"), says="cannot read run")
    for flag in ("--no-wait", "--no-follow"):
        w.expect(
            1, "tail", "ZZZZZZZZ", flag, "--runs-dir", w.dir("missing"), says="No runs/ directory"
        )
        w.expect(1, "tail", "ZZZZZZZZ", flag, "--runs-dir", w.dir("runs"), says="No run matching")


@scenario("tail", 2)
def _(w: World) -> None:
    w.expect(2, "tail", w.fin, "--format", "xml", says="Invalid value")


@scenario("tail", 130)
def _(w: World) -> None:
    proc = subprocess.Popen(
        [str(GODEL), "tail", "ZZZZZZZZ", "--runs-dir", w.dir("empty")],
        cwd=w.root,
        env=clean_env(),
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    assert "waiting for run" in proc.stderr.readline()
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "Traceback" not in err, err


@scenario("watch", 0)
def _(w: World) -> None:
    w.expect(0, "watch", w.fin, "--plain", "--runs-dir", w.dir("runs"))
    plain = w.godel("watch", w.fin, "-p", "--runs-dir", w.dir("runs"))
    assert "── finished in" in plain.stdout, plain.stdout


@scenario("watch", 1)
def _(w: World) -> None:
    w.expect(1, "watch", w.fin, "-p", "--runs-dir", w.dir("missing"), says="No runs/ directory")
    w.expect(1, "watch", "ZZZZZZZZ", "-p", "--runs-dir", w.dir("runs"), says="No run matching")


@scenario("watch", 2)
def _(w: World) -> None:
    w.expect(2, "watch", says="Missing argument")


def start_ui(w: World) -> tuple[subprocess.Popen[str], str]:
    """``godel ui`` serving the world's runs, and the URL it printed."""
    proc = subprocess.Popen(
        [str(GODEL), "ui", "--runs-dir", w.dir("runs"), "--port", "0"],
        cwd=w.root,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=\S+", url)
    return proc, url


@scenario("ui", 0)
def _(w: World) -> None:
    proc, _url = start_ui(w)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "Traceback" not in err, err


@scenario("ui", 143)
def _(w: World) -> None:
    # SIGTERM as soon as the URL is out (the server may not have taken the signal yet), and
    # once it answers: either way one `stopped` line and 143, as `godel run` exits.
    for wait in (False, True):
        proc, url = start_ui(w)
        if wait:
            with urllib.request.urlopen(url, timeout=30) as page:
                assert page.status == 200
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
        assert proc.returncode == 143, err
        assert err.splitlines()[-1] == "[godel] stopped (SIGTERM)" and "Traceback" not in err


@scenario("ui", 1)
def _(w: World) -> None:
    w.expect(1, "ui", "--runs-dir", w.dir("missing"), says="No runs/ directory found")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = str(taken.getsockname()[1])
        w.expect(1, "ui", "--runs-dir", w.dir("runs"), "--port", port, says="is in use")
    w.expect(
        1,
        "ui",
        env={"GODEL_DISABLE_PLUGINS": "web"},
        says="`godel ui` needs the godel-web package: pip install godel-web",
    )


@scenario("ui", 2)
def _(w: World) -> None:
    w.expect(2, "ui", "--port", "http")


@scenario("pause", 0)
def _(w: World) -> None:
    pause_live(w, "run", "ticker.py")
    # Not live: the request is written all the same (3.x does), with a warning.
    runs = w.copy_runs()
    out = w.expect(0, "pause", w.fin, env={"GODEL_RUNS_DIR": runs}, says="is not running")
    sentinel = Path(out.splitlines()[1].removeprefix("[godel] sentinel: "))
    assert sentinel.is_relative_to(runs), "the runs dir the run uses"
    request = json.loads(sentinel.read_text())
    assert request["reason"] == "CLI pause" and request["requested_ts"]
    w.expect(0, "pause", w.fin, "--reason", "lunch", "--runs-dir", runs)
    assert json.loads(sentinel.read_text())["reason"] == "lunch"


@scenario("pause", 1)
def _(w: World) -> None:
    w.expect(1, "pause", w.fin, "--runs-dir", w.dir("missing"), says="No runs/ directory found at")
    w.expect(1, "pause", "ZZZZZZZZ", "--runs-dir", w.dir("runs"), says='No run matching "ZZZZZZZZ"')


@scenario("pause", 2)
def _(w: World) -> None:
    w.expect(2, "pause", says="Missing argument")


@scenario("pause", 3)
def _(w: World) -> None:
    w.expect(3, "pause", "01M8ZZZZ", "--runs-dir", w.dir("ambiguous"), says="Ambiguous prefix")
    for bad in ("../x", "a b", "x" * 129):
        w.expect(3, "pause", bad, "--runs-dir", w.dir("runs"), says="invalid run id")


@scenario("rewind", 0)
def _(w: World) -> None:
    runs = w.copy_runs()
    check = event_of(runs, w.fin, "step.enter", "check")
    w.expect(0, "rewind", w.fin, "--to", check[-8:], "--runs-dir", runs, says="[godel] rewound run")


@scenario("rewind", 1)
def _(w: World) -> None:
    runs = w.copy_runs()
    w.expect(1, "resume", w.failed, "--runs-dir", runs, env={"GATE": "closed"})
    resume = next(e["event_id"] for e in events(runs, w.failed) if e["op"] == "RESUME")
    w.expect(
        1, "rewind", w.fin, "--to", "X", "--runs-dir", w.dir("missing"), says="No runs/ directory"
    )
    w.expect(1, "rewind", "ZZZZZZZZ", "--to", "X", "--runs-dir", runs, says="No run matching")
    w.expect(1, "rewind", w.fin, "--to", ",", "--runs-dir", runs, says="No event IDs provided")
    w.expect(1, "rewind", w.fin, "--to", "ZZZZZZZZ", "--runs-dir", runs, says="Event ID not found")
    w.expect(1, "rewind", w.failed, "--to", resume, "--runs-dir", runs, says="metadata event")
    live = Live(w, "run", "ticker.py", "--runs-dir", runs)
    try:
        w.expect(1, "rewind", live.run_id, "--to", "X", "--runs-dir", runs, says="in use")
    finally:
        w.expect(0, "pause", live.run_id, "--runs-dir", runs)
        assert live.end()[0] == 0


@scenario("rewind", 2)
def _(w: World) -> None:
    runs = w.copy_runs()
    build = event_of(runs, w.fin, "step.enter", "build")
    out = w.expect(2, "rewind", w.fin, "--to", build, "--runs-dir", runs, says="rewind refused")
    assert "blocking event" in out
    w.expect(2, "rewind", w.fin, "--runs-dir", runs, says="Missing option '--to'")


@scenario("rewind", 3)
def _(w: World) -> None:
    runs = w.copy_runs()
    w.expect(
        3,
        "rewind",
        "01M8ZZZZ",
        "--to",
        "X",
        "--runs-dir",
        w.dir("ambiguous"),
        says="Ambiguous prefix",
    )
    w.expect(3, "rewind", "../x", "--to", "X", "--runs-dir", runs, says="invalid run id")
    ids = [e["event_id"] for e in events(runs, w.fin)]
    shared = next(n for n in range(26, 0, -1) if len({i[:n] for i in ids}) == 1)
    assert shared >= 4  # events a moment apart share their time prefix
    w.expect(
        3, "rewind", w.fin, "--to", ids[0][:shared], "--runs-dir", runs, says="Ambiguous event id"
    )


@scenario("runs list", 0)
def _(w: World) -> None:
    w.expect(0, "runs", "list", "--runs-dir", w.dir("runs"))
    w.expect(0, "runs", "list", "--runs-dir", w.dir("empty"), says="no runs in")


@scenario("runs list", 1)
def _(w: World) -> None:
    w.expect(1, "runs", "list", "--runs-dir", w.dir("missing"), says="No runs/ directory found at")
    w.expect(1, "runs", "list", "--json", env={"GODEL_RUNS_DIR": w.dir("missing")})


@scenario("runs list", 2)
def _(w: World) -> None:
    w.expect(2, "runs", "list", "--status", "sideways", says="Invalid value")


@scenario("runs export", 0)
def _(w: World) -> None:
    out = w.dir("exported")
    w.expect(0, "runs", "export", w.fin, out, "--runs-dir", w.dir("runs"), says="exported run")
    w.expect(0, "runs", "export", w.fin, out, "--force", "--runs-dir", w.dir("runs"))


@scenario("runs export", 1)
def _(w: World) -> None:
    w.expect(1, "runs", "export", "01M8NOSUCH", w.dir("x"), "--runs-dir", w.dir("runs"))
    target = w.dir("exported-twice")
    w.expect(0, "runs", "export", w.fin, target, "--runs-dir", w.dir("runs"))
    w.expect(1, "runs", "export", w.fin, target, "--runs-dir", w.dir("runs"), says="already exists")
    w.expect(1, "runs", "export", w.fin, w.dir("x"), "--runs-dir", w.dir("missing"))
    w.expect(1, "runs", "export", "01ZZZZZZ", w.dir("x"), "--runs-dir", w.dir("runs"))
    w.expect(1, "runs", "export", w.fin, "mysql://db/x", "--runs-dir", w.dir("runs"))


@scenario("runs export", 2)
def _(w: World) -> None:
    w.expect(2, "runs", "export", w.fin, says="Missing argument")


@scenario("cost", 0)
def _(w: World) -> None:
    w.expect(0, "cost", "--runs-dir", w.dir("runs"))
    w.expect(0, "cost", w.fin, "--by", "step", "--json", "--runs-dir", w.dir("runs"))


@scenario("cost", 1)
def _(w: World) -> None:
    w.expect(1, "cost", "--runs-dir", w.dir("missing"), says="No runs/ directory found at")
    w.expect(1, "cost", "01M8NOSUCH", "--runs-dir", w.dir("runs"), says="No run matching")


@scenario("cost", 2)
def _(w: World) -> None:
    w.expect(2, "cost", "--since", "yesterday", says="is not a date")
    w.expect(2, "cost", "--by", "colour", says="Invalid value")


@scenario("test", 0)
def _(w: World) -> None:
    w.expect(0, "test", w.fin, "base.py", "--runs-dir", w.dir("runs"), says="PASS run")


@scenario("test", 1)
def _(w: World) -> None:
    w.expect(1, "test", w.fin, "changed.py", "--runs-dir", w.dir("runs"), says="FAIL run")
    w.expect(1, "test", "01M8NOSUCH", "--runs-dir", w.dir("runs"), says="no run '01M8NOSUCH'")


@scenario("test", 2)
def _(w: World) -> None:
    w.expect(2, "test", says="Missing argument")
    w.expect(2, "test", w.fin, "import_error.py", "--runs-dir", w.dir("runs"))


@scenario("runs import", 0)
def _(w: World) -> None:
    into = w.dir("imported")
    w.expect(0, "runs", "import", w.dir("runs"), "--runs-dir", into, says="copied run")
    log = str(Path(w.dir("runs")) / f"{w.fin}.jsonl")
    w.expect(0, "runs", "import", log, "--runs-dir", into, says="already in")


@scenario("runs import", 1)
def _(w: World) -> None:
    into = w.dir("imported-1")
    w.expect(1, "runs", "import", w.dir("missing"), "--runs-dir", into, says="no runs folder")
    w.expect(1, "runs", "import", "nope.jsonl", "--runs-dir", into, says="no run log at")


@scenario("runs import", 2)
def _(w: World) -> None:
    w.expect(2, "runs", "import", says="Missing argument")


@scenario("store init", 0)
def _(w: World) -> None:
    w.expect(0, "store", "init", Path(w.dir("new-store")).as_uri(), says="store ready")


@scenario("store init", 1)
def _(w: World) -> None:
    w.expect(1, "store", "init", "mysql://db/x", says="no store for URL scheme 'mysql'")
    w.expect(
        1,
        "store",
        "init",
        f"postgresql://godel@/db?host={w.dir('no-server')}",
        says="cannot connect to",
    )
    in_the_way = Path(w.dir("a-file"))
    in_the_way.write_text("not a folder\n")
    w.expect(1, "store", "init", in_the_way.as_uri(), says="a file is in the way")
    # Two slashes make "runs" a host, not the folder /runs; %00 names no folder at all.
    w.expect(1, "store", "init", "file://runs/x", says="names the host 'runs'")
    w.expect(1, "store", "init", in_the_way.as_uri() + "%00", says="holds a NUL character")
    w.expect(1, "store", "init", w.dir("n" * 300), says="cannot make the runs folder")
    w.expect(1, "store", "init", "file://", says="it names no folder")


@scenario("store init", 2)
def _(w: World) -> None:
    w.expect(2, "store", "init", says="Missing argument")
    w.expect(2, "store", "init", "", says="URL is empty")  # not the working directory


@scenario("lint", 0)
def _(w: World) -> None:
    w.expect(0, "lint", "base.py")


@scenario("lint", 1)
def _(w: World) -> None:
    w.expect(1, "lint", "lint_error.py")


@scenario("lint", 2)
def _(w: World) -> None:
    w.expect(2, "lint", "--format", "xml", "base.py")
    # A --select where nothing is a rule would check nothing and pass: a typo, refused.
    w.expect(2, "lint", "--select", "PL01", "base.py", says="names no installed rule")


@scenario("plugins", 0)
def _(w: World) -> None:
    w.expect(0, "plugins")


@scenario("plugins", 1)
def _(w: World) -> None:
    assert w.plugin_dist is not None
    w.expect(1, "plugins", path=[w.plugin_dist("godel-broken")])
    w.expect(1, "plugins", path=[w.plugin_dist("godel-dupe")])


@scenario("plugins", 2)
def _(w: World) -> None:
    assert w.plugin_dist is not None
    w.expect(2, "plugins", "--nope", says="No such option")
    w.expect(2, "plugins", path=[w.plugin_dist("godel-clash")])


# projects, configuration, named workflows, guides -------------------------------------------------


def home_env(w: World, **extra: str) -> dict[str, str]:
    """A ``$GODEL_HOME`` of the test's own, with one user workflow, ``base``."""
    home = w.root / "godel-home"
    (home / "workflows").mkdir(parents=True, exist_ok=True)
    (home / "workflows" / "base.py").write_text(BASE)
    return {"GODEL_HOME": str(home), **extra}


@scenario("init", 0)
def _(w: World) -> None:
    fresh = w.root / "init-fresh"
    fresh.mkdir()
    w.expect(0, "init", "--example", cwd=fresh, env=home_env(w))
    w.expect(0, "init", cwd=fresh, env=home_env(w))  # everything exists: skipped, still 0


@scenario("init", 1)
def _(w: World) -> None:
    blocked = w.root / "init-blocked"
    blocked.mkdir()
    (blocked / ".godel").write_text("a file")
    w.expect(1, "init", cwd=blocked, env=home_env(w), says="cannot create .godel/")


@scenario("init", 2)
def _(w: World) -> None:
    w.expect(2, "init", "--nope", env=home_env(w), says="No such option")
    broken = w.root / "init-broken"
    (broken / ".godel").mkdir(parents=True)
    (broken / ".godel" / "settings.json").write_text("{")
    w.expect(2, "init", cwd=broken, env=home_env(w), says="malformed JSON")


@scenario("config path", 0)
def _(w: World) -> None:
    w.expect(0, "config", "path", env=home_env(w))


@scenario("config path", 2)
def _(w: World) -> None:
    w.expect(2, "config", "path", "--nope", env=home_env(w), says="No such option")
    w.expect(
        2, "config", "path", env=home_env(w, GODEL_DURABILITY="bogus"), says="GODEL_DURABILITY"
    )


@scenario("config show", 0)
def _(w: World) -> None:
    w.expect(0, "config", "show", env=home_env(w))
    w.expect(0, "config", "show", "--json", env=home_env(w))


@scenario("config show", 2)
def _(w: World) -> None:
    w.expect(2, "config", "show", "--yaml", env=home_env(w), says="No such option")
    env = home_env(w, GODEL_DURABILITY="bogus")
    w.expect(2, "config", "show", "--json", env=env, says="configuration error")


@scenario("workflows list", 0)
def _(w: World) -> None:
    w.expect(0, "workflows", "list", env=home_env(w))
    w.expect(0, "workflows", "list", env={"GODEL_HOME": w.dir("empty")})  # none: still 0


@scenario("workflows list", 2)
def _(w: World) -> None:
    w.expect(2, "workflows", "list", "--nope", env=home_env(w), says="No such option")
    w.expect(2, "workflows", "list", env=home_env(w, GODEL_DURABILITY="bogus"))


@scenario("workflows which", 0)
def _(w: World) -> None:
    w.expect(0, "workflows", "which", "base", env=home_env(w))
    w.expect(0, "workflows", "which", "ticker.py", env=home_env(w))  # a file is itself


@scenario("workflows which", 1)
def _(w: World) -> None:
    w.expect(1, "workflows", "which", "nope", env=home_env(w), says="available: base")
    # A name longer than a file name may be (ENAMETOOLONG): not found, not a traceback.
    w.expect(1, "workflows", "which", "n" * 300, env=home_env(w), says="available: base")


@scenario("workflows which", 2)
def _(w: World) -> None:
    w.expect(2, "workflows", "which", env=home_env(w), says="Missing argument")
    w.expect(2, "workflows", "which", "base", env=home_env(w, GODEL_DURABILITY="bogus"))


@scenario("guide", 0)
def _(w: World) -> None:
    w.expect(0, "guide")
    w.expect(0, "guide", "runner")


@scenario("guide", 1)
def _(w: World) -> None:
    w.expect(1, "guide", "nope", says="unknown guide: 'nope'")


@scenario("guide", 2)
def _(w: World) -> None:
    w.expect(2, "guide", "cli", "extra", says="unexpected extra argument")


@scenario("repair", 0)
def _(w: World) -> None:
    runs = w.copy_runs()
    w.expect(0, "repair", w.failed, "--dry-run", "--runs-dir", runs, says="(state: FAILED)")
    w.expect(
        0,
        "repair",
        w.failed,
        "--agent",
        "repair_agents:ok",
        "--runs-dir",
        runs,
        says="intervention complete in",
    )


@scenario("repair", 1)
def _(w: World) -> None:
    runs = w.copy_runs()
    w.expect(1, "repair", w.failed, "--runs-dir", w.dir("missing"), says="No runs/ directory")
    w.expect(1, "repair", "ZZZZZZZZ", "--runs-dir", runs, says="No run matching")
    w.expect(1, "repair", "01M8ZZZZ", "--runs-dir", w.dir("ambiguous"), says="Ambiguous prefix")
    w.expect(1, "repair", NEWER, "--runs-dir", w.dir("newer"), says="cannot read run")
    w.expect(
        1,
        "repair",
        w.failed,
        "--agent",
        "repair_agents:ok",
        "--resume",
        "--runs-dir",
        runs,
        env={"GATE": "closed"},
        says="[godel] failed after",
    )
    w.expect(
        1,
        "repair",
        w.failed,
        "--agent",
        "repair_agents:give_up",
        "--runs-dir",
        runs,
        says="gave up",
    )


@scenario("repair", 2)
def _(w: World) -> None:
    runs = w.copy_runs()
    w.expect(2, "repair", w.fin, "--runs-dir", runs, says="refusing to repair run in state")
    w.expect(2, "repair", w.failed, "--agent", "nope", "--runs-dir", runs, says="bad --agent")
    w.expect(
        2, "repair", w.failed, "--backend", "nope", "--runs-dir", runs, says="unknown --backend"
    )
    w.expect(2, "repair", says="Missing argument")
    live = Live(w, "run", "ticker.py", "--runs-dir", runs)
    try:
        w.expect(2, "repair", live.run_id, "--runs-dir", runs, says="in use")
    finally:
        live.proc.kill()
        live.end()


@scenario("repair", 3)
def _(w: World) -> None:
    runs = w.copy_runs()
    for agent, says in (("crash", "agent crashed"), ("undecided", "unexpected outcome")):
        w.expect(
            3,
            "repair",
            w.failed,
            "--agent",
            f"repair_agents:{agent}",
            "--runs-dir",
            runs,
            says=says,
        )


@scenario("repair", 130)
def _(w: World) -> None:
    runs = w.copy_runs()
    proc = subprocess.Popen(
        [str(GODEL), "repair", w.failed, "--agent", "repair_agents:slow", "--runs-dir", runs],
        cwd=w.root,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == "waiting\n"
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "[godel] interrupted after" in err, err


@scenario("mcp", 0)
def _(w: World) -> None:
    proc = subprocess.run(
        [str(GODEL), "mcp", "--runs-dir", w.dir("runs")],
        cwd=w.root,
        env=clean_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr


@scenario("mcp", 130)
def _(w: World) -> None:
    proc = subprocess.Popen(
        [str(GODEL), "mcp", "--runs-dir", w.dir("runs")],
        cwd=w.root,
        env=clean_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    hello = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t"}}
    proc.stdin.write(
        json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": hello})
    )
    proc.stdin.write("\n")
    proc.stdin.flush()
    assert '"id":1' in proc.stdout.readline().replace(" ", "")  # serving: in its event loop
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    # Python 3.10's asyncio runner ends on Ctrl+C with CancelledError, not KeyboardInterrupt
    assert proc.returncode == 130 and "[godel] interrupted" in err, err
    assert "Traceback" not in err


@scenario("mcp", 1)
def _(w: World) -> None:
    shadow = w.root / "no-mcp" / "mcp"
    shadow.mkdir(parents=True, exist_ok=True)
    (shadow / "__init__.py").write_text("raise ImportError('not installed')\n")
    w.expect(1, "mcp", path=[shadow.parent], says="godel mcp needs the mcp package")


@scenario("mcp", 2)
def _(w: World) -> None:
    w.expect(2, "mcp", "--bogus", says="No such option")


# the tests ---------------------------------------------------------------------------------------


def documented() -> dict[tuple[str, int], str]:
    """(command, exit code) → the situations, from docs/cli.md's table."""
    section = CLI_MD.read_text().split("## Commands and exit codes", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `godel ([a-z ]+)` \| (\d+) \| (.+) \|$", section, re.MULTILINE)
    table = {(cmd, int(code)): text for cmd, code, text in rows}
    assert len(table) == len(rows), "one row per command and exit code"
    return table


@pytest.mark.slow
@pytest.mark.parametrize(("command", "code"), sorted(documented()))
def test_the_documented_exit_code(world: World, plugin_dist, command: str, code: int) -> None:
    world.plugin_dist = plugin_dist
    SCENARIOS[(command, code)](world)


def test_every_row_has_a_scenario_and_every_scenario_a_row() -> None:
    assert sorted(SCENARIOS) == sorted(documented())


def help_codes(text: str) -> set[int]:
    """The codes an ``Exit codes:`` paragraph lists (``143 by SIGTERM`` counts too)."""
    block = text.split("Exit codes:", 1)[1].split("\n\n", 1)[0]
    codes = {int(c) for c in re.findall(r"^\s+(\d+)\s", block, re.MULTILINE)}
    return codes | {int(c) for c in re.findall(r"\b(\d+) by SIG", block)}


@pytest.mark.parametrize("command", sorted({cmd for cmd, _ in documented()}))
def test_help_states_the_documented_exit_codes(command: str) -> None:
    proc = subprocess.run(
        [str(GODEL), *command.split(), "--help"], capture_output=True, text=True, env=clean_env()
    )
    assert proc.returncode == 0, proc.stderr
    assert help_codes(proc.stdout) == {c for cmd, c in documented() if cmd == command}
