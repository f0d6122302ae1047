"""`godel run` end to end: the real CLI in a subprocess, its output, exit codes and the log."""

from __future__ import annotations

import json
import os
import queue
import shlex
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import wait_for_file


def write(tmp_path: Path, name: str, source: str) -> Path:
    path = tmp_path / name
    path.write_text(source)
    return path


ECHO_ARGS = """
import json
from godel import workflow, print

@workflow
async def show(*args, **kwargs):
    await print(json.dumps({"args": list(args), "kwargs": kwargs}, sort_keys=True))
"""


def run_ids(tmp_path: Path) -> list[str]:
    runs = tmp_path / "runs"
    return sorted(p.stem for p in runs.glob("*.jsonl")) if runs.exists() else []


def test_run_completes_prints_run_id_and_writes_the_log(godel_run, tmp_path):
    write(tmp_path, "wf.py", ECHO_ARGS)
    proc = godel_run("run", "wf.py", "--", "alice", "model=opus")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"args": ["alice"], "kwargs": {"model": "opus"}}
    (run_id,) = run_ids(tmp_path)
    assert f"[godel] run {run_id}" in proc.stderr
    assert "[godel] completed in" in proc.stderr
    lines = (tmp_path / "runs" / f"{run_id}.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["godel_log"]["run_id"] == run_id
    first = json.loads(lines[1])
    assert first["op"] == "WORKFLOW_STARTED" and first["request"]["kwargs"] == {"model": "opus"}


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        (["q=a=b"], {"args": [], "kwargs": {"q": "a=b"}}),
        (["x="], {"args": [], "kwargs": {"x": ""}}),
        (["1=foo"], {"args": ["1=foo"], "kwargs": {}}),
        (["a", "b", "k=v"], {"args": ["a", "b"], "kwargs": {"k": "v"}}),
    ],
)
def test_argument_edge_cases(godel_run, tmp_path, tokens, expected):
    write(tmp_path, "wf.py", ECHO_ARGS)
    proc = godel_run("run", "wf.py", "--", *tokens)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == expected


ONE_ARG = """
from godel import workflow

@workflow
async def greet(name, model="sonnet"):
    return name
"""


@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        ([], "missing a required argument: 'name'"),
        (["a", "b", "c"], "too many positional arguments"),
        (["name=a", "colour=red"], "unexpected keyword argument 'colour'"),
        (["k=1", "k=2"], "Duplicate keyword argument 'k'"),
    ],
)
def test_argument_errors_exit_2_before_any_run(godel_run, tmp_path, tokens, message):
    write(tmp_path, "wf.py", ONE_ARG)
    proc = godel_run("run", "wf.py", "--", *tokens)
    assert proc.returncode == 2
    assert "argument error" in proc.stderr and message in proc.stderr
    assert "[godel] run " not in proc.stderr
    assert run_ids(tmp_path) == []


def test_workflow_fail_exits_1_with_one_line(godel_run, tmp_path):
    write(
        tmp_path,
        "wf.py",
        """
from godel import workflow, WorkflowFail

@workflow
async def wf():
    raise WorkflowFail("the review found 3 problems")
""",
    )
    proc = godel_run("run", "wf.py")
    assert proc.returncode == 1
    assert (
        "failed after" in proc.stderr and "WorkflowFail: the review found 3 problems" in proc.stderr
    )
    assert "Traceback" not in proc.stderr
    assert "godel resume" in proc.stderr


def test_a_megabyte_error_message_is_not_a_megabyte_line(godel_run, tmp_path):
    # The log keeps the whole message; the status line and show's header show 2,000 characters.
    write(
        tmp_path,
        "wf.py",
        """
from godel import workflow

@workflow
async def wf():
    raise ValueError("x" * 1_000_000 + "END")
""",
    )
    proc = godel_run("run", "wf.py")
    assert proc.returncode == 2
    (line,) = [ln for ln in proc.stderr.splitlines() if "error after" in ln]
    assert len(line) < 2200 and "… (998,003 more characters) (at " in line
    (run_id,) = run_ids(tmp_path)
    shown = godel_run("show", run_id)
    (error,) = [ln for ln in shown.stdout.splitlines() if ln.startswith("error ")]
    assert len(error) < 2100 and error.endswith("…")
    kept = [p.read_text() for p in (tmp_path / "runs").rglob("*") if p.is_file()]
    assert any("x" * 999_000 + "END" in text for text in kept)  # the log or its blob sidecar


def test_unexpected_error_exits_2_traceback_only_with_debug(godel_run, tmp_path):
    write(
        tmp_path,
        "wf.py",
        """
from godel import workflow

@workflow
async def wf():
    return {}["missing"]
""",
    )
    proc = godel_run("run", "wf.py")
    assert proc.returncode == 2
    assert "KeyError: 'missing'" in proc.stderr and "Traceback" not in proc.stderr
    assert "KeyError: 'missing' (at " in proc.stderr and "wf.py:6)" in proc.stderr  # the bug's line
    (run_id,) = run_ids(tmp_path)
    root = [
        json.loads(x) for x in (tmp_path / "runs" / f"{run_id}.jsonl").read_text().splitlines()
    ][-1]
    assert root["status"] == "FAILED" and "Traceback" in root["response"]["traceback"]
    debug = godel_run("run", "wf.py", "--debug")
    assert debug.returncode == 2 and "Traceback" in debug.stderr


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("x = 1\n", "no @workflow function found"),
        (
            "from godel import workflow\n@workflow\nasync def a(): pass\n@workflow\nasync def b(): pass\n",
            "defines 2 workflows (a, b)",
        ),
        ("def broken(:\n", "syntax error"),
        ("import no_such_module_xyz\n", "ModuleNotFoundError"),
    ],
)
def test_bad_workflow_files_exit_2_with_one_clear_line(godel_run, tmp_path, source, message):
    write(tmp_path, "wf.py", source)
    proc = godel_run("run", "wf.py", "--no-lint", "--no-strict")
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("raised", "shown"),
    [
        ("asyncio.CancelledError()", "error after"),  # not a signal's cancellation
        ("Base('own')", "Base: own"),  # a BaseException of the workflow's own
        ("Unprintable()", "Unprintable"),  # whose __str__ fails
    ],
)
def test_a_base_exception_from_a_step_is_one_line(godel_run, tmp_path, raised, shown):
    write(
        tmp_path,
        "wf.py",
        f"""
import asyncio
from godel import step, workflow

class Base(BaseException):
    pass

class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no str for you")

@step
async def s():
    raise {raised}

@workflow
async def wf():
    await s()
""",
    )
    proc = godel_run("run", "wf.py", "--no-lint")
    assert proc.returncode == 2, proc.stderr
    assert shown in proc.stderr and "Traceback" not in proc.stderr
    assert "godel resume" in proc.stderr


def test_missing_file_and_unknown_option(godel_run, tmp_path):
    proc = godel_run("run", "nope.py")
    assert proc.returncode == 2 and "workflow not found: 'nope.py'" in proc.stderr
    too_long = "a" * 300 + ".py"  # a name the file system refuses (ENAMETOOLONG)
    proc = godel_run("run", too_long)
    assert proc.returncode == 2 and "workflow not found" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    write(tmp_path, "wf.py", ONE_ARG)
    proc = godel_run("run", "wf.py", "--frobnicate")
    assert proc.returncode == 2 and "No such option" in proc.stderr


def test_workflow_can_import_a_sibling_module(godel_run, tmp_path, godel_bin, cli_env):
    write(tmp_path, "helpers.py", "GREETING = 'hi from helpers'\n")
    sub = tmp_path / "elsewhere"
    sub.mkdir()
    write(
        tmp_path,
        "wf.py",
        """
from godel import workflow, print
from helpers import GREETING

@workflow
async def wf():
    await print(GREETING)
""",
    )
    proc = subprocess.run(
        [str(godel_bin), "run", str(tmp_path / "wf.py")],
        cwd=sub,
        capture_output=True,
        text=True,
        env=cli_env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "hi from helpers"


def test_strict_violation_in_a_helper_module_stops_the_run(godel_run, tmp_path):
    write(tmp_path, "helpers.py", "import time\n\ndef stamp():\n    return time.time()\n")
    write(
        tmp_path,
        "wf.py",
        """
from godel import workflow
from helpers import stamp

@workflow
async def wf():
    return stamp()
""",
    )
    proc = godel_run("run", "wf.py")
    assert proc.returncode == 1
    assert "helpers.py:4" in proc.stderr and "time.time" in proc.stderr
    assert run_ids(tmp_path) == []
    relaxed = godel_run("run", "wf.py", "--no-strict")
    assert relaxed.returncode == 0, relaxed.stderr


PARALLEL_IDENTITY = """
import anyio
from godel import workflow, step, parallel, det

@step
async def pick(label):
    return label

async def branch(label, delay):
    await anyio.sleep(float(delay))   # godel: noqa
    return await pick(label)

@workflow
async def wf(dx, dy):
    return await parallel(branch("x", dx), branch("y", dy))
"""


def test_parallel_identity_does_not_depend_on_timing(godel_run, tmp_path):
    write(tmp_path, "wf.py", PARALLEL_IDENTITY)
    for delays in (("0", "0.05"), ("0.05", "0")):
        proc = godel_run("run", "wf.py", "--no-strict", "--", *delays)
        assert proc.returncode == 0, proc.stderr
    tables = []
    for run_id in sorted(run_ids(tmp_path)):
        events = [
            json.loads(x)
            for x in (tmp_path / "runs" / f"{run_id}.jsonl").read_text().splitlines()[1:]
        ]
        steps = {e["event_id"]: e for e in events if e["op"] == "step.enter"}
        tables.append(
            sorted(
                (tuple(e["step_path"]), e["invocation_seq"], e["request"]["args"][0])
                for e in steps.values()
            )
        )
    assert tables[0] == tables[1]
    assert [t[0] for t in tables[0]] == [("[0]", "pick"), ("[1]", "pick")]


SLEEPER = """
from godel import workflow, step, run

@step
async def work():
    await run(["sh", "-c", "sleep 300 & echo $! > grandchild.pid; wait"])

@workflow
async def wf():
    await work()
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for(path: Path, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_text().strip()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} never appeared")
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)]
)
def test_signal_with_a_live_child_kills_the_process_group(tmp_path, sig, code, start_run):
    write(tmp_path, "wf.py", SLEEPER)
    proc = start_run(tmp_path)
    pidfile = tmp_path / "grandchild.pid"
    _wait_for(pidfile)
    grandchild = int(pidfile.read_text())
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err
    assert "interrupted" in err and "godel resume" in err
    deadline = time.monotonic() + 10
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild)
    (run_id,) = run_ids(tmp_path)
    events = [
        json.loads(x) for x in (tmp_path / "runs" / f"{run_id}.jsonl").read_text().splitlines()[1:]
    ]
    final = {e["event_id"]: e for e in events}
    root = next(e for e in final.values() if e["op"] == "WORKFLOW_STARTED")
    assert root["status"] == "FAILED" and root["response"]["error_type"] == "Interrupted"


BUSY = """
from godel import step, workflow, write_text

@step
async def spin():
    await write_text("spinning", "1")
    n = 0
    while True:  # plain Python that never gives the event loop control
        n += 1

@workflow
async def wf():
    await spin()
"""


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_a_step_that_never_awaits(tmp_path, sig, code, start_run):
    write(tmp_path, "wf.py", BUSY)
    proc = start_run(tmp_path)
    _wait_for(tmp_path / "spinning")
    time.sleep(0.2)
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err
    assert "interrupted" in err and "godel resume" in err
    (run_id,) = run_ids(tmp_path)
    lines = (tmp_path / "runs" / f"{run_id}.jsonl").read_text().splitlines()[1:]
    final = {e["event_id"]: e for e in map(json.loads, lines)}
    name = signal.Signals(sig).name
    for op in ("WORKFLOW_STARTED", "step.enter"):
        (event,) = [e for e in final.values() if e["op"] == op]
        assert event["status"] == "FAILED", event
        assert event["response"]["error_type"] == "Interrupted"
        assert event["response"]["error"] == f"interrupted by {name}"


LINT_ERROR = """
from godel import workflow, step, run

@step
async def fire_and_forget():
    run(["true"])
    return 1

@workflow
async def wf():
    return await fire_and_forget()
"""


def test_lint_errors_stop_run_and_resume_before_any_event(godel_run, tmp_path):
    write(tmp_path, "wf.py", LINT_ERROR)
    proc = godel_run("run", "wf.py")
    assert proc.returncode == 1  # the reference's exit status for lint errors (section 13.2)
    assert (
        "Lint errors found — refusing to run:" in proc.stderr
        and "PL001" in proc.stderr
        and "wf.py:6:" in proc.stderr
    )
    assert run_ids(tmp_path) == []
    # A clean file whose run fails (a finished run would not be resumed at all, issue 12).
    clean = LINT_ERROR.replace('    run(["true"])\n', '    await run(["false"])\n')
    write(tmp_path, "wf.py", clean)
    assert godel_run("run", "wf.py").returncode == 1
    (run_id,) = run_ids(tmp_path)
    write(tmp_path, "wf.py", LINT_ERROR)
    resumed = godel_run("resume", run_id)
    assert resumed.returncode == 1 and "PL001" in resumed.stderr


def test_lint_warnings_are_printed_and_the_run_goes_on(godel_run, tmp_path):
    write(
        tmp_path,
        "wf.py",
        """
from godel import workflow

@workflow
async def wf():
    print("plain print")
""",
    )
    proc = godel_run("run", "wf.py")
    assert proc.returncode == 0, proc.stderr
    assert "PL008" in proc.stderr or "PL006" in proc.stderr
    assert "plain print" in proc.stdout


def test_a_workflow_printing_what_the_terminal_cannot_show_still_runs(tmp_path):
    """A terminal's encoding must not fail a run: what it cannot show becomes ``?``."""
    import sys

    write(
        tmp_path,
        "wf.py",
        """
from godel import print, workflow

@workflow
async def wf():
    await print("héllo → wörld ✓")
""",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_")}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "godel"), "run", "wf.py"],
        capture_output=True,
        cwd=tmp_path,
        env={**env, "PYTHONIOENCODING": "ascii"},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert done.stdout == b"h?llo ? w?rld ?\n"


@pytest.mark.slow
def test_ctrl_c_while_the_workflow_file_is_imported_exits_130(tmp_path, start_run):
    write(
        tmp_path,
        "wf.py",
        "from godel import write_text\nimport os\nopen('importing', 'w').close()\nwhile True:\n    pass\n",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_")}
    proc = start_run(tmp_path, env={**env, "GODEL_STRICT": "0", "GODEL_LINT": "0"})
    wait_for_file(tmp_path / "importing")
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert err.strip().endswith("[godel] interrupted") and "Aborted" not in err


GATED = """
import os
from godel import WorkflowFail, step, workflow

@step
async def gate():
    if not os.path.exists("open"):
        raise WorkflowFail("closed")

@workflow
async def wf():
    await gate()
"""


def test_the_resume_hint_works_as_printed_with_a_runs_dir(godel_run, tmp_path):
    write(tmp_path, "wf.py", GATED)
    failed = godel_run("run", "wf.py", "--runs-dir", "my runs")
    assert failed.returncode == 1
    hint = failed.stderr.splitlines()[-1]
    assert hint.startswith("[godel] resume with: godel resume ") and "--runs-dir 'my runs'" in hint
    (tmp_path / "open").touch()
    again = godel_run(*shlex.split(hint.split(": ", 1)[1])[1:])
    assert again.returncode == 0, again.stderr


def test_the_resume_hint_works_as_printed_with_a_store(godel_run, tmp_path):
    """``--store URL`` on the command: the hint names it, or ``godel resume`` finds no run."""
    write(tmp_path, "wf.py", GATED)
    url = (tmp_path / "shared runs").as_uri()
    failed = godel_run("run", "wf.py", "--store", url)
    assert failed.returncode == 1
    hint = failed.stderr.splitlines()[-1]
    assert (
        hint.startswith("[godel] resume with: godel resume ")
        and f"--store {shlex.quote(url)}" in hint
    )
    (tmp_path / "open").touch()
    again = godel_run(*shlex.split(hint.split(": ", 1)[1])[1:])
    assert again.returncode == 0, again.stderr


def test_sys_exit_in_a_step_is_recorded_as_its_failure_with_the_status(godel_run, tmp_path):
    """The workflow's own decision, not an interruption: resume runs the step again."""
    write(
        tmp_path,
        "wf.py",
        """
import sys
from godel import step, workflow

@step
async def s():
    sys.exit(3)

@workflow
async def wf():
    await s()
""",
    )
    proc = godel_run("run", "wf.py", "--no-lint", "--no-strict")
    assert proc.returncode == 1 and "the workflow called sys.exit(3)" in proc.stderr
    (run_id,) = run_ids(tmp_path)
    lines = (tmp_path / "runs" / f"{run_id}.jsonl").read_text().splitlines()[1:]
    final = {e["event_id"]: e for e in map(json.loads, lines)}
    for event in final.values():
        assert event["status"] == "FAILED"
        assert (event["response"]["error_type"], event["response"]["error"]) == ("SystemExit", "3")


def test_a_keyboard_interrupt_raised_by_the_code_exits_130(godel_run, tmp_path):
    # The log records it as "interrupted by SIGINT"; the exit status says the same (as godel-py:
    # KeyboardInterrupt -> 130), not an unexpected error (2).
    write(
        tmp_path,
        "wf.py",
        """
from godel import step, workflow

@step
async def s():
    raise KeyboardInterrupt

@workflow
async def wf():
    await s()
""",
    )
    proc = godel_run("run", "wf.py", "--no-lint")
    assert proc.returncode == 130, proc.stderr
    assert "interrupted after" in proc.stderr and "godel resume" in proc.stderr


def test_an_error_message_is_shown_not_obeyed() -> None:
    """The status line quotes the exception, which may quote command output or an agent's text:
    an escape sequence in it must not reach the terminal (a title, a cleared screen)."""
    from godel_cli.runner import one_line

    exc = RuntimeError("bad \x1b]0;TITLE\x07 \x9b2J\nnext \u202erev\x1b[2J")
    exc.__notes__ = ["in parallel branch 1 (step 'a\x1b[31m')"]  # add_note: 3.11+
    text = one_line(exc)
    assert text == (
        "RuntimeError: bad \ufffd]0;TITLE\ufffd \ufffd2J (in parallel branch 1 (step 'a\ufffd[31m'))"
        "\nnext \ufffdrev\ufffd[2J"
    )


@pytest.mark.parametrize(
    ("source", "message", "line"),
    [
        ("import no_such_module_xyz\n", "ModuleNotFoundError", 2),
        ("x = undefined_name\n", "NameError", 2),
        ("import sys\nsys.exit(4)\n", "it called sys.exit(4) while loading", 3),
        ("from helper import X\n", "KeyError: 'NOPE_XYZ'", None),
    ],
)
def test_an_import_failure_names_the_line_it_failed_at(godel_run, tmp_path, source, message, line):
    write(tmp_path, "helper.py", "import os\n\nX = os.environ['NOPE_XYZ']\n")
    write(tmp_path, "wf.py", "from godel import workflow\n" + source)
    proc = godel_run("run", "wf.py", "--no-lint", "--no-strict")
    # sys.exit() at import time used to end godel silently with the file's own status.
    assert proc.returncode == 2, proc.stderr
    where = f"wf.py:{line}" if line else "helper.py:3"
    (shown,) = proc.stderr.splitlines()
    assert message in shown and shown.endswith(f"{where})"), shown


def test_resume_debug_prints_the_traceback_of_an_import_failure(godel_run, tmp_path):
    source = "from godel import workflow, WorkflowFail\n\n@workflow\nasync def wf():\n    raise WorkflowFail('no')\n"
    write(tmp_path, "wf.py", source)
    assert godel_run("run", "wf.py", "--no-lint").returncode == 1
    (run_id,) = run_ids(tmp_path)
    write(tmp_path, "wf.py", source + "import no_such_module_xyz\n")
    plain = godel_run("resume", run_id, "--no-lint")
    assert plain.returncode == 2 and "Traceback" not in plain.stderr
    debug = godel_run("resume", run_id, "--no-lint", "--debug")
    assert debug.returncode == 2 and "Traceback" in debug.stderr, debug.stderr


def test_a_workflow_named_like_a_standard_module_does_not_hide_it(godel_run, tmp_path):
    # queue.py beside godel's imports used to be what asyncio got: a godel traceback, exit 1.
    source = "import logging\nfrom godel import workflow\n\n@workflow\nasync def wf():\n    return logging.getLogger('x').name\n"
    write(tmp_path, "queue.py", source)
    write(tmp_path, "logging.py", "raise RuntimeError('not the standard library')\n")
    write(tmp_path, "shlex.py", "def helper():\n    return 4\n")  # godel's CLI imports shlex late
    proc = godel_run("run", "queue.py", "--no-lint")
    assert proc.returncode == 0, proc.stderr
    assert "[godel] completed in" in proc.stderr


def test_a_module_beside_the_workflow_hidden_by_pythons_own_is_named(godel_run, tmp_path):
    # The folder comes last on sys.path, so `import queue` is Python's: say why `helper` is
    # missing, at import and at run time.
    write(tmp_path, "queue.py", "def helper():\n    return 4\n")
    body = "from godel import workflow\n\n@workflow\nasync def wf():\n    return queue.helper()\n"
    write(tmp_path, "run_time.py", "import queue\n" + body)
    write(tmp_path, "import_time.py", "import queue\nqueue.helper()\n" + body)
    note = f"[godel] note: `import queue` gives {queue.__file__}, not {tmp_path / 'queue.py'}"
    for name, code in (("run_time.py", 2), ("import_time.py", 2)):
        proc = godel_run("run", name, "--no-lint")
        assert proc.returncode == code, proc.stderr
        assert "module 'queue' has no attribute 'helper'" in proc.stderr
        assert note in proc.stderr and "Traceback" not in proc.stderr


def test_importing_an_agent_whose_package_is_missing_says_what_to_install(godel_run, tmp_path):
    # docs/installation.md: `from godel.agents import claude_code` without godel-claude is
    # Python's generic ImportError; the registry's line names the package to install.
    body = "from godel import workflow\n\n@workflow\nasync def wf():\n    return 1\n"
    write(tmp_path, "wf.py", "from godel.agents import claude_code\n" + body)
    proc = godel_run("run", "wf.py", "--no-lint", env={"GODEL_DISABLE_PLUGINS": "claude"})
    assert proc.returncode == 2, proc.stderr
    assert "cannot import name 'claude_code' from 'godel.agents'" in proc.stderr
    assert "[godel] note: no agent named 'claude_code' is installed" in proc.stderr
    assert "install it with: pip install godel-claude" in proc.stderr
    assert "Traceback" not in proc.stderr
