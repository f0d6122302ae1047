"""Strict mode, layer 1: the AST scan of one source (triggers, near misses, aliases, noqa)."""

from __future__ import annotations

import ast
import sys
import textwrap
from pathlib import Path

import pytest

from godel.strict import BANNED_CALLS, BANNED_MODULES, format_violations, scan_source
from godel.strict.violation import StrictViolation

# Banned on import because every call of theirs is: most triggers below import one of them to
# name the call they test. ``calls`` checks those import reports and sets them aside.
CALL_MODULES = {
    "time": "import time (clock) — use godel.det.now() or godel.sleep() instead",
    "random": "import random (randomness) — use godel.det.random(), godel.det.randint() or "
    "godel.det.choice() instead",
    "secrets": "import secrets (randomness) — use godel.det.uuid4(), godel.det.randint() or "
    "godel.det.choice() instead",
    "subprocess": "import subprocess (process) — use godel.run() instead",
}


def found(source: str) -> list[str]:
    """``"line: message"`` for each violation in ``source``."""
    return [f"{v.line}: {v.message}" for v in scan_source(textwrap.dedent(source), "wf.py")]


def imports_of_call_modules(source: str) -> list[str]:
    """What the scan must say about ``source``'s imports of ``CALL_MODULES`` (in line order)."""
    expected = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            if name in CALL_MODULES:
                expected.append((node.lineno, f"{node.lineno}: {CALL_MODULES[name]}"))
    return [text for _, text in sorted(expected)]


def calls(source: str) -> list[str]:
    """``found(source)`` without the reports of its imports of ``CALL_MODULES``, which must be
    exactly one per imported module."""
    source = textwrap.dedent(source)
    everything = found(source)
    imports = [line for line in everything if line.split(": ", 1)[1] in CALL_MODULES.values()]
    assert imports == imports_of_call_modules(source)
    return [line for line in everything if line not in imports]


def only(source: str) -> str:
    """The message of the one violation in ``source`` (besides its ``CALL_MODULES`` imports)."""
    [line] = calls(source)
    assert all(v.layer == "ast" for v in scan_source(textwrap.dedent(source), "wf.py"))
    return line.split(": ", 1)[1]


TRIGGERS = [
    # time, through every way of naming it
    ("import time\ntime.time()", "time.time() — use godel.det.now() instead"),
    ("import time as t\nt.monotonic()", "time.monotonic() — use godel.det.now() instead"),
    ("from time import time as now\nnow()", "time.time() — use godel.det.now() instead"),
    (
        "from time import perf_counter_ns\nperf_counter_ns()",
        "time.perf_counter_ns() — use godel.det.now() instead",
    ),
    ("from time import sleep as s\ns(1)", "time.sleep() — use godel.sleep() instead"),
    (
        "import datetime\ndatetime.datetime.now()",
        "datetime.datetime.now() — use godel.det.now() instead",
    ),
    (
        "import datetime as dt\ndt.datetime.now()",
        "datetime.datetime.now() — use godel.det.now() instead",
    ),
    (
        "from datetime import datetime\ndatetime.now()",
        "datetime.datetime.now() — use godel.det.now() instead",
    ),
    (
        "from datetime import datetime as D\nD.utcnow()",
        "datetime.datetime.utcnow() — use godel.det.now() instead",
    ),
    (
        "from datetime import date\ndate.today()",
        "datetime.date.today() — use godel.det.now() instead",
    ),
    (
        "import asyncio\nasync def f():\n    await asyncio.sleep(1)",
        "asyncio.sleep() — use godel.sleep() instead",
    ),
    (
        "import anyio\nasync def f():\n    await anyio.sleep(0.5)",
        "anyio.sleep() — use godel.sleep() instead",
    ),
    (
        "import time\ntime.strftime('%Y-%m-%d')",
        "time.strftime() without an explicit time — use godel.det.now() instead",
    ),
    # randomness
    ("import random\nrandom.random()", "random.random() — use godel.det.random() instead"),
    ("import random\nrandom.choice([1, 2])", "random.choice() — use godel.det.choice() instead"),
    ("import random as r\nr.randint(1, 6)", "random.randint() — use godel.det.randint() instead"),
    (
        "from random import shuffle\nshuffle(items)",
        "random.shuffle() — use godel.det.random() instead",
    ),
    ("import random\nrng = random.Random(4)", "random.Random() — use godel.det.random() instead"),
    (
        "from random import SystemRandom\nSystemRandom()",
        "random.SystemRandom() — use godel.det.random() instead",
    ),
    ("import uuid\nuuid.uuid4()", "uuid.uuid4() — use godel.det.uuid4() instead"),
    ("import os\nos.urandom(8)", "os.urandom() — use godel.det.uuid4() instead"),
    ("import secrets\nsecrets.token_hex()", "secrets.token_hex() — use godel.det.uuid4() instead"),
    # processes
    ("import subprocess\nsubprocess.run(['ls'])", "subprocess.run() — use godel.run() instead"),
    (
        "import subprocess as sp\nsp.check_output('ls')",
        "subprocess.check_output() — use godel.run() instead",
    ),
    ("from subprocess import Popen\nPopen(['ls'])", "subprocess.Popen() — use godel.run() instead"),
    ("import os\nos.system('ls')", "os.system() — use godel.run() instead"),
    ("import os\nos.popen('ls')", "os.popen() — use godel.run() instead"),
    ("import os\nos.execv('/bin/ls', ['ls'])", "os.execv() — use godel.run() instead"),
    ("import os\nos.fork()", "os.fork() — use godel.run() instead"),
    (
        "import os\nos.posix_spawn('/bin/true', ['true'], {})",
        "os.posix_spawn() — use godel.run() instead",
    ),
    (
        "import asyncio\nasync def f():\n    await asyncio.create_subprocess_exec('ls')",
        "asyncio.create_subprocess_exec() — use godel.run() instead",
    ),
    (
        "import anyio\nasync def f():\n    await anyio.run_process(['ls'])",
        "anyio.run_process() — use godel.run() instead",
    ),
    # files
    ("open(p, 'w')", 'open(..., "w") — use godel.write_text() instead'),
    ("open(p, mode='a')", 'open(..., "a") — use godel.write_text() instead'),
    ("open(p, 'r+')", 'open(..., "r+") — use godel.write_text() instead'),
    ("import io\nio.open(p, 'wb')", 'io.open(..., "wb") — use godel.write_text() instead'),
    (
        "import anyio\nasync def f():\n    await anyio.open_file(p, 'a')",
        'anyio.open_file(..., "a") — use godel.write_text() instead',
    ),
    (
        "from pathlib import Path\nPath(out).write_text('x')",
        "Path(out).write_text() — use godel.write_text() instead",
    ),
    ("def f(p):\n    p.write_bytes(b'')", "p.write_bytes() — use godel.write_text() instead"),
    ("from pathlib import Path\nPath(p).unlink()", "Path(p).unlink() — use godel.run() instead"),
    ("def f(p):\n    p.rename('q')", "p.rename() — use godel.run() instead"),
    ("def f(p):\n    p.replace(target)", "p.replace() — use godel.run() instead"),
    ("def f(p):\n    p.mkdir(parents=True)", "p.mkdir() — use godel.run() instead"),
    ("def f(p):\n    p.touch()", "p.touch() — use godel.write_text() instead"),
    ("def f(p):\n    return p.open('w')", 'p.open("w") — use godel.write_text() instead'),
    (
        "import pathlib\npathlib.Path.write_text(p, 'x')",
        "pathlib.Path.write_text() — use godel.write_text() instead",
    ),
    ("import os\nos.remove(p)", "os.remove() — use godel.run() instead"),
    ("import os\nos.makedirs(p)", "os.makedirs() — use godel.run() instead"),
    ("import os\nos.rename(a, b)", "os.rename() — use godel.run() instead"),
    ("import shutil\nshutil.rmtree(p)", "shutil.rmtree() — use godel.run() instead"),
    ("from shutil import copytree\ncopytree(a, b)", "shutil.copytree() — use godel.run() instead"),
    (
        "import os\nos.open(p, os.O_WRONLY | os.O_CREAT)",
        "os.open() with write flags — use godel.write_text() instead",
    ),
    (
        "import tempfile\ntempfile.mkdtemp()",
        'tempfile.mkdtemp() — use godel.run(["mktemp", "-d"]) instead',
    ),
    # network and concurrency modules
    ("import requests", "import requests (network) — use godel.run(...) or an agent instead"),
    (
        "import requests.adapters",
        "import requests.adapters (network) — use godel.run(...) or an agent instead",
    ),
    (
        "from requests import get",
        "import requests (network) — use godel.run(...) or an agent instead",
    ),
    ("import httpx as h", "import httpx (network) — use godel.run(...) or an agent instead"),
    ("import aiohttp", "import aiohttp (network) — use godel.run(...) or an agent instead"),
    (
        "import urllib.request",
        "import urllib.request (network) — use godel.run(...) or an agent instead",
    ),
    (
        "from urllib import request",
        "import urllib.request (network) — use godel.run(...) or an agent instead",
    ),
    (
        "from http import client",
        "import http.client (network) — use godel.run(...) or an agent instead",
    ),
    ("import socket", "import socket (network) — use godel.run(...) or an agent instead"),
    ("import ftplib", "import ftplib (network) — use godel.run(...) or an agent instead"),
    ("import smtplib", "import smtplib (network) — use godel.run(...) or an agent instead"),
    (
        "import threading",
        "import threading (concurrency) — use godel.parallel() or godel.run() instead",
    ),
    (
        "import multiprocessing as mp",
        "import multiprocessing (concurrency) — use godel.parallel() or godel.run() instead",
    ),
    (
        "from concurrent.futures import ThreadPoolExecutor",
        "import concurrent.futures (concurrency) — use godel.parallel() or godel.run() instead",
    ),
    (
        "from concurrent import futures",
        "import concurrent.futures (concurrency) — use godel.parallel() or godel.run() instead",
    ),
    (
        "import importlib\nimportlib.import_module('socket')",
        "import socket (network) — use godel.run(...) or an agent instead",
    ),
    (
        "import importlib\nimportlib.__import__('socket')",
        "import socket (network) — use godel.run(...) or an agent instead",
    ),
    (
        "__import__('threading')",
        "import threading (concurrency) — use godel.parallel() or godel.run() instead",
    ),
    # banned functions passed around instead of called
    (
        "import functools, time\nfunctools.partial(time.sleep, 1)",
        "time.sleep used as a value — use godel.sleep() instead",
    ),
    (
        "from datetime import datetime\nfield(default_factory=datetime.now)",
        "datetime.datetime.now used as a value — use godel.det.now() instead",
    ),
    (
        "import random\nkey = random.random",
        "random.random used as a value — use godel.det.random() instead",
    ),
]


@pytest.mark.parametrize(
    ("source", "message"), TRIGGERS, ids=[t[1].split(" — ")[0] for t in TRIGGERS]
)
def test_trigger(source: str, message: str) -> None:
    assert only(source) == message


NEAR_MISSES = {
    "own function named time": "def time():\n    return 1\ntime()",
    "own function named sleep": "async def sleep(x):\n    pass\nasync def f():\n    await sleep(1)",
    "own function named random": "def random():\n    return 4\nrandom()",
    "methods on self": "class A:\n    def f(self):\n        return self.random() + self.time() + self.sleep(1)",
    "attribute named time": "x = obj.time\nobj.sleep(1)\nobj.now()",
    "godel.det and godel.sleep": "import godel\nasync def f():\n    godel.det.random(); godel.det.now()\n    await godel.sleep(1)",
    "det imported from godel": "from godel import det\ndet.now(); det.uuid4(); det.randint(1, 2); det.choice([1])",
    "sleep imported from godel": "from godel import sleep\nasync def f():\n    await sleep(1)",
    "godel.write_text": "import godel\nasync def f(p):\n    await godel.write_text(p, 'x')",
    "write_text imported from godel": "from godel import write_text\nasync def f(p):\n    await write_text(p, 'x')",
    "godel.io imported by name": "from godel import io as gio\nasync def f(p):\n    await gio.write_text(p, 'x')",
    "godel aliased": "import godel as g\nasync def f(p):\n    await g.write_text(p, 'x'); await g.sleep(2)",
    "reads": "open(p)\nopen(p, 'r')\nopen(p, 'rb')\nopen(p, encoding='utf-8')\nopen(p, mode='rt')",
    "harmless datetime": (
        "import datetime\ndatetime.timedelta(days=1)\ndatetime.datetime.fromisoformat(s)\n"
        "datetime.datetime(2020, 1, 1)\ndatetime.date(2020, 1, 1).isoformat()"
    ),
    "time with an explicit time": "import time\ntime.strftime('%Y', t)\ntime.gmtime(0)\ntime.localtime(ts)",
    "sleep(0) yields to the loop": "import asyncio\nasync def f():\n    await asyncio.sleep(0)",
    "banned text in strings and comments": "x = \"time.time() subprocess.run(x) open(p, 'w')\"  # time.sleep(1)",
    "json and os imported": "import json, os\nimport os.path\njson.dumps({})\nos.path.join('a', 'b')\nos.getcwd()",
    "str.replace and dataframe rename": "s = 'a-b'.replace('-', '_')\ndf.rename(columns={'a': 'b'})",
    "dataclasses.replace": "import dataclasses\ndataclasses.replace(obj)",
    "subprocess names that are not calls": (
        "import subprocess\nfrom subprocess import CalledProcessError, PIPE\n"
        "def f(p: subprocess.Popen) -> subprocess.CompletedProcess: ...\n"
        "try:\n    pass\nexcept CalledProcessError:\n    pass"
    ),
    "random.Random as an annotation": "import random\ndef f(rng: random.Random) -> None: ...",
    "deterministic uuids": "import uuid\nuuid.uuid5(uuid.NAMESPACE_URL, 'x')\nuuid.UUID(s)",
    "parameter shadows a module": "import time\ndef f(time):\n    return time.time()",
    "local shadows a module": "import time\ndef f():\n    time = Clock()\n    return time.time()",
    "comprehension variable shadows a module": "import time\nx = [time.time() for time in clocks]",
    "zip member named like a mode": "def f(zf):\n    return zf.open('a.txt')",
    "read-only os.open": "import os\nos.open(p, os.O_RDONLY)",
}


@pytest.mark.parametrize("source", NEAR_MISSES.values(), ids=NEAR_MISSES.keys())
def test_near_miss(source: str) -> None:
    assert calls(source) == []


IMPORTS_ONLY = {
    "a bare import": ("import random", ["1: " + CALL_MODULES["random"]]),
    "an unused import among others": (
        "import json, subprocess, os",
        ["1: " + CALL_MODULES["subprocess"]],
    ),
    "from-imports of harmless names": (
        "from time import strftime, struct_time\nfrom subprocess import CalledProcessError",
        ["1: " + CALL_MODULES["time"], "2: " + CALL_MODULES["subprocess"]],
    ),
    "a function-level import": (
        "def f():\n    import secrets\n    return secrets",
        ["2: " + CALL_MODULES["secrets"]],
    ),
    "an aliased import": ("import time as clock\nx = clock", ["1: " + CALL_MODULES["time"]]),
    "a dynamic import": (
        "import importlib\nimportlib.import_module('random')",
        ["2: " + CALL_MODULES["random"]],
    ),
}


@pytest.mark.parametrize(("source", "expected"), IMPORTS_ONLY.values(), ids=IMPORTS_ONLY.keys())
def test_modules_whose_every_call_is_banned_are_banned_on_import(
    source: str, expected: list[str]
) -> None:
    assert found(source) == expected


def test_modules_with_pure_uses_stay_importable() -> None:
    source = """\
        import datetime, os, uuid, asyncio, shutil, tempfile, json
        from datetime import timedelta
        from os import path
        from uuid import uuid5
    """
    assert found(source) == []


def test_class_attributes_do_not_shadow_a_module_inside_methods() -> None:
    source = """\
        import time
        class A:
            time = 3
            def f(self):
                return time.time()
    """
    assert calls(source) == ["5: time.time() — use godel.det.now() instead"]


def test_function_local_imports_and_global_declarations() -> None:
    source = """\
        def setup():
            global clock
            import time as clock
        def f():
            import random
            return random.random(), clock.time()
    """
    assert calls(source) == [
        "6: random.random() — use godel.det.random() instead",
        "6: time.time() — use godel.det.now() instead",
    ]


def test_star_import() -> None:
    assert only("from time import *\nsleep(1)") == "time.sleep() — use godel.sleep() instead"


def test_a_chain_through_a_call_is_judged_at_the_call() -> None:
    # ``random.Random()`` is reported once; what is done with the instance afterwards is not.
    assert calls("import random\nrandom.Random().random()") == [
        "2: random.Random() — use godel.det.random() instead"
    ]


def test_every_violation_is_reported_at_once_in_line_order() -> None:
    source = """\
        import requests
        import time, subprocess
        from datetime import datetime

        async def wf():
            subprocess.run(["ls"])
            stamp = datetime.now()
            time.sleep(1)
            open("out.txt", "w")
    """
    violations = scan_source(textwrap.dedent(source), "wf.py")
    assert [(v.line, v.col) for v in violations] == [
        (1, 0),
        (2, 0),
        (2, 0),
        (6, 4),
        (7, 12),
        (8, 4),
        (9, 4),
    ]
    assert format_violations(violations) == "\n".join(
        [
            "wf.py:1: import requests (network) — use godel.run(...) or an agent instead",
            "wf.py:2: " + CALL_MODULES["time"],
            "wf.py:2: " + CALL_MODULES["subprocess"],
            "wf.py:6: subprocess.run() — use godel.run() instead",
            "wf.py:7: datetime.datetime.now() — use godel.det.now() instead",
            "wf.py:8: time.sleep() — use godel.sleep() instead",
            'wf.py:9: open(..., "w") — use godel.write_text() instead',
        ]
    )


def test_noqa_suppresses_only_its_own_line() -> None:
    source = """\
        import time
        time.time()  # godel: noqa
        time.time()  #godel:noqa
        time.time()  # godel: noqa: strict
        time.time()  # godel: noqa: PL003, strict
        time.time()  # godel: noqa: PL003 strict
        time.time()  # godel: noqa - reviewed
        time.time()  # godel: noqa: PL003
        time.time()  # godel: noqa: stricter
        time.time()
        time.time(); x = "# godel: noqa"
        time.time()  # godel: noqa: PL003 -- strict review pending
        time.time()  # godel: noqa: reviewed, strict
        time.time()  # godel: NOQA : Strict , PL004 (checked by hand)
    """
    # The grammar of docs/lint.md, which the linter reads too: the codes come first, and text
    # after them is ignored (it does not name a code).
    assert [line.split(":")[0] for line in calls(source)] == ["8", "9", "10", "11", "12", "13"]


def test_noqa_on_an_import_line() -> None:
    assert found("import threading  # godel: noqa\nimport socket") == [
        "2: import socket (network) — use godel.run(...) or an agent instead"
    ]


def test_an_alias_chain_too_long_to_follow_is_a_violation_not_a_crash() -> None:
    source = "import time\na0 = time\n" + "".join(f"a{i + 1} = a{i}\n" for i in range(5000))
    [violation] = scan_source(source + "a5000.time()\n", "wf.py")
    assert (violation.file, violation.line) == ("wf.py", 0)
    assert "strict mode cannot check this file" in violation.message


def test_syntax_error_is_a_violation_with_its_location() -> None:
    violations = scan_source("x = 1\ndef f(:\n    pass\n", "bad.py")
    assert len(violations) == 1
    v = violations[0]
    assert (v.file, v.line, v.layer) == ("bad.py", 2, "ast")
    assert v.message.startswith("syntax error: ")


def test_format_violations_without_a_line() -> None:
    violations = [
        StrictViolation("wf.py", 3, 0, "time.time() — use godel.det.now() instead", "ast"),
        StrictViolation("<runtime>", 0, 0, "import smtplib (network) — use x instead", "import"),
    ]
    assert format_violations(violations) == (
        "wf.py:3: time.time() — use godel.det.now() instead\n"
        "<runtime>: import smtplib (network) — use x instead"
    )
    assert format_violations([]) == ""


def test_catalog_shape() -> None:
    assert ("datetime", "datetime.now") in BANNED_CALLS
    assert ("time", "sleep") in BANNED_CALLS
    for (module, attr), hatch in BANNED_CALLS.items():
        assert module and attr and not attr.startswith(".")
        assert hatch.startswith("godel."), (module, attr, hatch)
    assert {
        "requests",
        "httpx",
        "aiohttp",
        "urllib.request",
        "http.client",
        "socket",
        "ftplib",
        "smtplib",
        "threading",
        "multiprocessing",
        "concurrent.futures",
    } <= BANNED_MODULES
    # Modules every call of which is banned are banned on import; the others are not.
    assert {"time", "random", "secrets", "subprocess"} <= BANNED_MODULES
    assert not {"os", "json", "asyncio", "datetime", "uuid", "urllib", "http"} & BANNED_MODULES


def test_deeply_nested_code_does_not_exhaust_the_stack() -> None:
    # Deeper than the recursion limit, yet still parsable: the scan must not recurse per node.
    source = "import time\nx = " + " + ".join(["1"] * 2500) + "\ny = time.time()\n"
    assert calls(source) == ["3: time.time() — use godel.det.now() instead"]


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("x = " + " + ".join(["1"] * 20000) + "\n", "maximum recursion depth"),
        # The parser's MemoryError has no text; 3.13's parser names the overflow itself.
        ("x = " + "-" * 100_000 + "1\n", ("MemoryError", "Parser stack overflowed")),
    ],
)
def test_unparsable_depth_is_a_violation_not_a_crash(
    source: str, why: str | tuple[str, ...]
) -> None:
    violations = scan_source(source, "deep.py")
    if not violations and sys.version_info < (3, 11):
        return  # Python 3.10's parser reads the long flat sum, and then it is a clean file
    [v] = violations
    assert (v.file, v.line, v.layer) == ("deep.py", 0, "ast")
    whys = (why,) if isinstance(why, str) else why
    assert v.message.startswith(tuple(f"cannot parse: {w}" for w in whys)), v.message


def test_the_docs_name_every_banned_module_and_escape_hatch() -> None:
    doc = (Path(__file__).resolve().parents[4] / "docs" / "strict.md").read_text()
    missing = sorted(
        m for m in BANNED_MODULES if f"`{m}`" not in doc and f"`import {m}`" not in doc
    )
    assert missing == []
    hatches = {h.split("(")[0] for h in BANNED_CALLS.values()}
    assert sorted(h for h in hatches if f"`{h}(" not in doc) == []
    assert "# godel: noqa" in doc and "--no-strict" in doc


def test_imports_under_type_checking_only_name_types() -> None:
    source = """\
    import typing
    from typing import TYPE_CHECKING

    if TYPE_CHECKING:
        import subprocess
        from concurrent.futures import Executor
    if typing.TYPE_CHECKING:
        import socket
    else:
        import random
    """
    assert [line.split(":")[0] for line in found(source)] == ["10"]


def test_star_imports_walrus_aliases_fifos_and_godels_own_escape() -> None:
    source = """\
    from datetime import *
    from asyncio import *
    import datetime as dt
    import os
    from godel.io import privileged
    import godel.strict.privilege

    a = datetime.now()
    b = get_running_loop().time()
    c = (X := dt.datetime).now()
    os.mkfifo("pipe")
    os.mknod("node")
    d = timedelta(seconds=1)
    """
    assert [line.split(":")[0] for line in found(source)] == ["5", "6", "8", "9", "10", "11", "12"]
