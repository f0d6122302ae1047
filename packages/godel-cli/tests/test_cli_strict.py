"""Strict mode through `godel run`: banned imports before the run, at load time and at run time,
and a table of escape attempts, each caught or a documented limitation."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import textwrap
from pathlib import Path

import pytest

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


# -- Escape attempts ------------------------------------------------------------------------------
# Every known way around strict mode, through `godel run`: caught by a layer (with its exact
# words), or a limitation that docs/strict.md lists under "What strict mode does not catch". The
# next gap found is one more row. Each row's code follows HEADER in a wf.py that FOOTER runs; a
# `#!` marks the line of each violation the scan reports (in order), and every row's attempt to
# escape creates the file `escaped` (which a caught row must not leave behind).

HEADER = """\
from godel import step, workflow


def work():
    return 1

"""
FOOTER = """

@workflow
async def wf():
    return str(await attempt())
"""
TOUCH = 'b"touch escaped"'
THREAD = "use godel.run() or a @step that does the work instead"
NATIVE = "use godel.run() instead"
NOW = "use godel.det.now() instead"
SELF = "None, the running program"


@dataclasses.dataclass(frozen=True)
class Escape:
    name: str
    code: str
    layer: str  # "scan", "guard" (the import guard), "audit" (the audit hook) or "limitation"
    says: tuple[
        str, ...
    ] = ()  # scan: a message per `#!`; guard, audit: the error after "godel strict: "
    doc: str = ""  # a limitation: how docs/strict.md names it

    @property
    def source(self) -> str:
        return HEADER + textwrap.dedent(self.code) + FOOTER


ESCAPES = [
    # Native code: a C function writes files and starts processes behind every audited function.
    Escape(
        "import ctypes",
        f"""\
        import ctypes  #!

        @step
        async def attempt():
            return ctypes.CDLL(None).system({TOUCH})
        """,
        "scan",
        (f"import ctypes (native code) — {NATIVE}",),
    ),
    Escape(
        "from ctypes import pythonapi",
        f"""\
        from ctypes import pythonapi  #!

        @step
        async def attempt():
            return pythonapi.system({TOUCH})
        """,
        "scan",
        (f"import ctypes (native code) — {NATIVE}",),
    ),
    Escape(
        "import cffi",
        f"""\
        import cffi  #!

        @step
        async def attempt():
            return cffi.FFI().dlopen(None).system({TOUCH})
        """,
        "scan",
        (f"import cffi (native code) — {NATIVE}",),
    ),
    Escape(
        "ctypes imported by a computed name",
        f"""\
        import importlib

        @step
        async def attempt():
            ctypes = importlib.import_module("c" + "types")  #!
            return ctypes.CDLL(None).system({TOUCH})
        """,
        "guard",
        (f"import ctypes (native code) at run time — {NATIVE}",),
    ),
    *(
        Escape(
            f"reviewed import ctypes, then {label}",
            f"""\
            import ctypes  # godel: noqa

            @step
            async def attempt():
                return {call}
            """,
            "audit",
            (f"workflow code cannot {what} — {NATIVE}",),
        )
        for label, call, what in [
            ("CDLL(None)", f"ctypes.CDLL(None).system({TOUCH})", f"load native libraries ({SELF})"),
            (
                "PyDLL(None)",
                f"ctypes.PyDLL(None).system({TOUCH})",
                f"load native libraries ({SELF})",
            ),
            (
                "cdll.LoadLibrary(None)",
                f"ctypes.cdll.LoadLibrary(None).system({TOUCH})",
                f"load native libraries ({SELF})",
            ),
            (
                "CDLL(libc)",
                f'ctypes.CDLL("libc.so.6").system({TOUCH})',
                "load native libraries (libc.so.6)",
            ),
            ("pythonapi", f"ctypes.pythonapi.system({TOUCH})", "call native functions (system)"),
        ]
    ),
    # Aliases made by a plain assignment are followed like imports.
    Escape(
        "clock = time; clock.time()",
        """\
        import time  # godel: noqa
        clock = time

        @step
        async def attempt():
            return clock.time()  #!
        """,
        "scan",
        (f"time.time() — {NOW}",),
    ),
    Escape(
        "X = datetime.datetime; X.now()",
        """\
        import datetime
        X = datetime.datetime

        @step
        async def attempt():
            return X.now()  #!
        """,
        "scan",
        (f"datetime.datetime.now() — {NOW}",),
    ),
    Escape(
        "now = datetime.datetime.now; now()",
        """\
        import datetime
        now = datetime.datetime.now  #!

        @step
        async def attempt():
            return now()  #!
        """,
        "scan",
        (f"datetime.datetime.now used as a value — {NOW}", f"datetime.datetime.now() — {NOW}"),
    ),
    # Threads: work godel does not schedule, in no fixed order against the run's effects.
    Escape(
        "asyncio.to_thread",
        """\
        import asyncio

        @step
        async def attempt():
            return await asyncio.to_thread(work)  #!
        """,
        "scan",
        (f"asyncio.to_thread() — {THREAD}",),
    ),
    Escape(
        "loop.run_in_executor",
        """\
        import asyncio

        @step
        async def attempt():
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(None, work)  #!
        """,
        "scan",
        (f"loop.run_in_executor() — {THREAD}",),
    ),
    Escape(
        "anyio.to_thread.run_sync",
        """\
        import anyio

        @step
        async def attempt():
            return await anyio.to_thread.run_sync(work)  #!
        """,
        "scan",
        (f"anyio.to_thread.run_sync() — {THREAD}",),
    ),
    Escape(
        "anyio.to_process.run_sync",
        """\
        from anyio import to_process

        @step
        async def attempt():
            return await to_process.run_sync(work)  #!
        """,
        "scan",
        (f"anyio.to_process.run_sync() — {THREAD}",),
    ),
    Escape(
        "threading.Thread",
        """\
        import threading  #!

        @step
        async def attempt():
            threading.Thread(target=work).start()
        """,
        "scan",
        ("import threading (concurrency) — use godel.parallel() or godel.run() instead",),
    ),
    Escape(
        "concurrent.futures executor",
        """\
        from concurrent.futures import ThreadPoolExecutor  #!

        @step
        async def attempt():
            return ThreadPoolExecutor().submit(work).result()
        """,
        "scan",
        ("import concurrent.futures (concurrency) — use godel.parallel() or godel.run() instead",),
    ),
    # The event loop's clock.
    Escape(
        "asyncio.get_running_loop().time()",
        """\
        import asyncio

        @step
        async def attempt():
            return asyncio.get_running_loop().time()  #!
        """,
        "scan",
        (f"asyncio.get_running_loop().time() — {NOW}",),
    ),
    # Limitations: each goes through, and the docs say so and why.
    Escape(
        "loop.time() on a variable",
        """\
        import asyncio

        @step
        async def attempt():
            loop = asyncio.get_running_loop()
            return loop.time()
        """,
        "limitation",
        doc="`loop = asyncio.get_running_loop(); loop.time()`",
    ),
    Escape(
        "an alias made by unpacking",
        """\
        import datetime
        X, Y = datetime.datetime, None

        @step
        async def attempt():
            return X.now()
        """,
        "limitation",
        doc="`X, Y = datetime.datetime, None; X.now()`",
    ),
    Escape(
        "getattr",
        """\
        import datetime

        @step
        async def attempt():
            return getattr(datetime.datetime, "now")()
        """,
        "limitation",
        doc='`getattr(datetime.datetime, "now")()`',
    ),
    Escape(
        "a thread a library starts",
        """\
        import logging.handlers, queue

        @step
        async def attempt():
            listener = logging.handlers.QueueListener(queue.SimpleQueue())
            listener.start()
            listener.stop()
        """,
        "limitation",
        doc="`logging.handlers.QueueListener`",
    ),
    Escape(
        "a native function pointer made from an address",
        """\
        import ctypes  # godel: noqa

        @step
        async def attempt():
            kind = ctypes.CFUNCTYPE(ctypes.c_int)
            address = ctypes.cast(kind(work), ctypes.c_void_p).value
            return kind(address)()
        """,
        "limitation",
        doc="`ctypes.CFUNCTYPE(ctypes.c_int)(address)()`",
    ),
]


@pytest.mark.parametrize("escape", ESCAPES, ids=[e.name for e in ESCAPES])
def test_escape_attempt(godel_run, tmp_path: Path, escape: Escape) -> None:
    (tmp_path / "wf.py").write_text(escape.source)
    proc = godel_run("run", "wf.py")
    lines = proc.stderr.splitlines()
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "escaped").exists()
    if escape.layer == "limitation":
        assert proc.returncode == 0, proc.stderr
        return
    assert proc.returncode == 1, proc.stderr
    if escape.layer == "scan":
        shown = str(tmp_path / "wf.py")
        marked = [
            n
            for n, text in enumerate(escape.source.splitlines(), 1)
            for _ in range(text.count("#!"))
        ]
        assert len(marked) == len(escape.says)
        assert lines == [
            f"[godel] strict mode found {len(marked)} problem(s); nothing was run:",
            *(f"{shown}:{n}: {message}" for n, message in zip(marked, escape.says, strict=True)),
            "[godel] fix them, mark reviewed lines with '# godel: noqa', or run with --no-strict",
        ]
        assert run_ids(tmp_path) == []
        return
    [said] = escape.says
    if escape.layer == "guard":
        [line] = [n for n, text in enumerate(escape.source.splitlines(), 1) if "#!" in text]
        error, said = "GodelStrictError", f"wf.py:{line}: {said}"
    else:
        error = "PermissionError"
    [run_id] = run_ids(tmp_path)
    assert len(lines) == 5, lines
    assert lines[:2] == [
        f"[godel] run {run_id}",
        f"[godel] audit log: {tmp_path / 'runs' / run_id}.jsonl",
    ]
    assert re.fullmatch(
        rf"\[godel\] strict mode stopped the run after \d+\.\ds: {error}: godel strict: "
        + re.escape(said),
        lines[2],
    ), lines[2]
    assert lines[3:] == [
        "[godel] use the escape hatch it names, or run with --no-strict",
        f"[godel] resume with: godel resume {run_id}",
    ]


def test_every_limitation_is_listed_in_the_docs() -> None:
    doc = (Path(__file__).resolve().parents[3] / "docs" / "strict.md").read_text()
    section = doc.split("## What strict mode does not catch\n", 1)[1].split("\n## ", 1)[0]
    section = " ".join(section.split())  # a snippet may be wrapped across lines
    limitations = [e for e in ESCAPES if e.layer == "limitation"]
    assert limitations and all(e.doc for e in limitations)
    assert [e.doc for e in limitations if e.doc not in section] == []


def test_lint_follows_the_aliases_the_scan_follows(godel_bin, cli_env, tmp_path: Path) -> None:
    # One resolver serves both: PL003 names what an alias stands for.
    write(
        tmp_path,
        "wf.py",
        """\
        import datetime
        from godel import step

        X = datetime.datetime

        @step
        async def stamp():
            return X.now()
        """,
    )
    proc = subprocess.run(
        [str(godel_bin), "lint", "--select", "PL003", "wf.py"],
        cwd=tmp_path,
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[:2] == [
        "wf.py:8:11: PL003 error: 'X.now' is non-deterministic; use godel.det equivalents",
        "    hint: 'X.now' is datetime.datetime.now; use godel.det.now(): godel.det records the "
        "value, so a resumed run sees the same one",
    ]
