"""Strict mode through `godel run`: banned imports before the run, at load time and at run time."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from godel.log import EventLog

RANDOMNESS = "use godel.det.random(), godel.det.randint() or godel.det.choice() instead"
NETWORK = "use godel.run(...) or an agent instead"


def write(tmp_path: Path, name: str, source: str) -> None:
    (tmp_path / name).write_text(textwrap.dedent(source))


def run_ids(tmp_path: Path) -> list[str]:
    runs = tmp_path / "runs"
    return sorted(p.stem for p in runs.glob("*.jsonl")) if runs.exists() else []


def test_bare_imports_of_banned_modules_stop_the_run_one_line_each(godel_run, tmp_path):
    write(
        tmp_path,
        "wf.py",
        """\
        import random
        import time as clock
        from subprocess import CalledProcessError
        import datetime, json
        from godel import step, workflow

        @step
        async def later():
            return datetime.timedelta(days=1).days

        @workflow
        async def wf():
            return await later()
        """,
    )
    proc = godel_run("run", "wf.py")
    assert proc.returncode == 1
    shown = str(tmp_path / "wf.py")
    assert proc.stderr.splitlines() == [
        "[godel] strict mode found 3 problem(s); nothing was run:",
        f"{shown}:1: import random (randomness) — {RANDOMNESS}",
        f"{shown}:2: import time (clock) — use godel.det.now() or godel.sleep() instead",
        f"{shown}:3: import subprocess (process) — use godel.run() instead",
        "[godel] fix them, mark reviewed lines with '# godel: noqa', or run with --no-strict",
    ]
    assert run_ids(tmp_path) == []
    # datetime and json stay importable: without the three imports, the run completes.
    source = (tmp_path / "wf.py").read_text().splitlines()
    (tmp_path / "wf.py").write_text("\n".join(source[3:]) + "\n")
    assert godel_run("run", "wf.py").returncode == 0


RUNTIME = """\
import importlib

from godel import step, workflow


@step
async def load(how, name):
    if how == "import_module":
        return str(importlib.import_module(name))
    if how == "__import__":
        return str(__import__(name))
    exec(f"import {name}")
"""


def test_importing_a_loaded_banned_module_at_run_time_is_a_strict_violation(godel_run, tmp_path):
    write(
        tmp_path,
        "wf.py",
        RUNTIME
        + """

@workflow
async def wf(how, name):
    return await load(how, name)
""",
    )
    lines = {"import_module": 9, "__import__": 11, "exec": 12}
    for how, line in lines.items():
        # asyncio has loaded socket long before the workflow runs: it is refused all the same.
        proc = godel_run("run", "wf.py", "--", how, "socket")
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr
        [error] = [ln for ln in proc.stderr.splitlines() if "GodelStrictError" in ln]
        assert re.fullmatch(
            r"\[godel\] strict mode stopped the run after \d+\.\ds: GodelStrictError: godel strict: "
            rf"wf\.py:{line}: import socket \(network\) at run time — {re.escape(NETWORK)}",
            error,
        ), error
        # The run is recorded as failed by the step that made the import.
        log = EventLog.load(run_ids(tmp_path)[-1], tmp_path / "runs")
        step = next(e for e in log.events if e.op == "step.enter")
        assert step.status.value == "FAILED"
        assert step.response["error_type"] == "GodelStrictError"
    # A module strict mode allows loads as usual; so does a banned one with --no-strict.
    assert godel_run("run", "wf.py", "--", "import_module", "json").returncode == 0
    assert godel_run("run", "--no-strict", "wf.py", "--", "exec", "socket").returncode == 0


def test_a_banned_import_while_the_workflow_loads_exits_1_before_anything_runs(godel_run, tmp_path):
    write(
        tmp_path,
        "wf.py",
        """\
        import importlib

        from godel import step, workflow

        NAME = "sock" + "et"  # not a name the scan can read
        importlib.import_module(NAME)

        @step
        async def one():
            return 1

        @workflow
        async def wf():
            return await one()
        """,
    )
    proc = godel_run("run", "wf.py")
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        f"[godel] strict mode stopped loading {tmp_path / 'wf.py'}; nothing was run:",
        f"[godel] wf.py:6: import socket (network) at run time — {NETWORK}",
        "[godel] fix it, mark a reviewed line with '# godel: noqa', or run with --no-strict",
    ]
    assert run_ids(tmp_path) == []


def test_reviewed_imports_marked_noqa_pass_the_scan_and_the_guard(godel_run, tmp_path):
    write(
        tmp_path,
        "wf.py",
        """\
        import time  # godel: noqa

        from godel import print, step, workflow

        @step
        async def measure():
            import random  # godel: noqa
            started = time.monotonic()  # godel: noqa
            return random.__name__, time.monotonic() >= started  # godel: noqa

        @workflow
        async def wf():
            await print(await measure())
        """,
    )
    proc = godel_run("run", "wf.py")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "('random', True)\n"
