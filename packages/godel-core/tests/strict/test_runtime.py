"""Strict mode, layers 2 and 3: the import guard and the audit hook.

Audit hooks are permanent for the life of a process (PEP 578), so every test that installs the
guards runs its script in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

PRELUDE = """\
import asyncio, json, os, shutil, socket, subprocess, sys
from godel.strict.privilege import privileged
from godel.exceptions import GodelStrictError
from godel.strict import install_runtime_guards

tmp = sys.argv[1]
results = {}

def attempt(name, op):
    try:
        op()
    except PermissionError as exc:
        results[name] = "blocked: " + str(exc)
    except GodelStrictError as exc:
        results[name] = "strict: " + json.dumps([[f"{v.file}:{v.line}", v.layer, v.message] for v in exc.violations])
    else:
        results[name] = "ok"
"""


def run_script(tmp_path: Path, body: str, *, helpers: str = "") -> dict[str, Any]:
    script = tmp_path / "script.py"
    script.write_text(PRELUDE + helpers + textwrap.dedent(body) + "\nprint(json.dumps(results))\n")
    # Bytecode writing stays on, to prove the hook lets the import system cache modules.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.run(
        [sys.executable, str(script), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


OPERATIONS = """\
def path(name):
    return os.path.join(tmp, name)

def ops():
    return {
        "open w": lambda: open(path("x.txt"), "w").close(),
        "open a": lambda: open(path("x.txt"), "a").close(),
        "open in __pycache__": lambda: open(path("__pycache__/notes.txt"), "w").close(),
        "os.open": lambda: os.close(os.open(path("y.txt"), os.O_WRONLY | os.O_CREAT)),
        "os.rename": lambda: os.rename(path("victim.txt"), path("renamed.txt")),
        "os.remove": lambda: os.remove(path("victim.txt")),
        "os.mkdir": lambda: os.mkdir(path("newdir")),
        "shutil.rmtree": lambda: shutil.rmtree(path("keepdir")),
        "shutil.move": lambda: shutil.move(path("victim.txt"), path("moved.txt")),
        "subprocess.run": lambda: subprocess.run(["true"], check=True),
        "os.system": lambda: os.system("true"),
        "os.posix_spawn": lambda: os.waitpid(os.posix_spawn("/bin/true", ["true"], dict(os.environ)), 0),
        "create_connection": lambda: socket.create_connection(("127.0.0.1", port)).close(),
        "socket.connect": lambda: raw_connect(),
        "ctypes.CDLL": lambda: ctypes.CDLL("libc.so.6"),
        "ctypes.CDLL(None)": lambda: ctypes.CDLL(None).getpid(),
        "cdll.LoadLibrary(None)": lambda: ctypes.cdll.LoadLibrary(None),
        "pythonapi.system": lambda: ctypes.pythonapi.system(b"true"),
        "_ctypes.dlopen(None)": lambda: ctypes._dlopen(None),
        # Code run in ctypes's own namespace is not ctypes being imported.
        "dlopen from ctypes's namespace": lambda: exec("CDLL(None)", vars(ctypes)),
    }

def raw_connect():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.connect(("127.0.0.1", port))
    finally:
        s.close()
"""


def test_audit_hook_blocks_side_effects_and_lets_privileged_code_through(tmp_path: Path) -> None:
    results = run_script(
        tmp_path,
        helpers=OPERATIONS,
        body="""\
        (server := socket.socket()).bind(("127.0.0.1", 0))
        server.listen(8)
        port = server.getsockname()[1]
        open(path("freshmod.py"), "w").write("VALUE = 41\\n")
        open(path("victim.txt"), "w").write("keep me")
        os.mkdir(path("keepdir"))

        install_runtime_guards()
        install_runtime_guards()  # idempotent

        # What workflow code may still do: import (and cache bytecode), read, run an event loop.
        sys.path.insert(0, tmp)
        import freshmod, decimal, fractions
        # The import guard lets a reviewed import of ctypes through; importing it dlopens the
        # running program for ctypes.pythonapi, which the hook allows (libraries import ctypes).
        import ctypes  # godel: noqa
        results["import"] = str(freshmod.VALUE + 1)
        results["pycache"] = str(any(n.startswith("freshmod.") for n in os.listdir(path("__pycache__"))))
        results["read"] = open(path("victim.txt")).read()

        async def loop_work():
            await asyncio.sleep(0.01)
            await asyncio.gather(*(asyncio.sleep(0) for _ in range(10)))
            return "loop ok"
        results["asyncio"] = asyncio.run(loop_work())
        # gettempdir() finds its directory by creating and deleting a file there: allowed.
        import tempfile
        tempfile.tempdir = None
        os.environ["TMPDIR"] = tmp
        results["gettempdir"] = tempfile.gettempdir()

        for name, op in ops().items():
            attempt(name, op)
        results["victim"] = open(path("victim.txt")).read()
        results["keepdir"] = str(os.path.isdir(path("keepdir")))
        results["created"] = sorted(
            set(os.listdir(tmp)) - {"script.py", "freshmod.py", "victim.txt", "keepdir", "__pycache__"})

        # godel's own native call (the parent-death signal of agent CLIs) is privileged.
        from godel.process.group import _prctl
        results["godel's prctl"] = str(_prctl() is not None)

        # godel's own I/O runs inside privileged(): the same operations go through.
        with privileged():
            for name, op in ops().items():
                if name in ("os.remove", "shutil.move"):
                    open(path("victim.txt"), "w").write("again")
                attempt("privileged " + name, op)
    """,
    )
    assert results["import"] == "42"
    assert results["pycache"] == "True"
    assert results["read"] == "keep me"
    assert results["asyncio"] == "loop ok"
    assert results["gettempdir"] == str(tmp_path)
    assert results["godel's prctl"] == str(sys.platform.startswith("linux"))
    expected = {
        "open w": "cannot write files (",
        "open a": "cannot write files (",
        "open in __pycache__": "cannot write files (",
        "os.open": "cannot write files (",
        "os.rename": "cannot rename files (",
        "os.remove": "cannot delete files (",
        "os.mkdir": "cannot create directories (",
        "shutil.rmtree": "cannot delete directories (",
        "shutil.move": "cannot move files (",
        "subprocess.run": "cannot start processes (['true'])",
        "os.system": "cannot start processes (true)",
        "os.posix_spawn": "cannot start processes (['true'])",
        "create_connection": "cannot use the network (127.0.0.1:",
        "socket.connect": "cannot use the network (",
        "ctypes.CDLL": "cannot load native libraries (libc.so.6)",
        "ctypes.CDLL(None)": "cannot load native libraries (None, the running program)",
        "cdll.LoadLibrary(None)": "cannot load native libraries (None, the running program)",
        "pythonapi.system": "cannot call native functions (system)",
        "_ctypes.dlopen(None)": "cannot load native libraries (None, the running program)",
        "dlopen from ctypes's namespace": "cannot load native libraries (None, the running program)",
    }
    for name, what in expected.items():
        assert results[name].startswith("blocked: godel strict: workflow code " + what), (
            name,
            results[name],
        )
        assert " — use godel." in results[name], results[name]
    assert "flags O_WRONLY|O_CREAT" in results["os.open"]
    assert results["open w"].endswith("— use godel.write_text() instead")
    assert results["subprocess.run"].endswith("— use godel.run() instead")
    assert results["victim"] == "keep me"  # neither renamed, moved nor deleted
    assert results["keepdir"] == "True"
    assert results["created"] == []  # x.txt, y.txt and newdir were never created
    for name in expected:
        assert results["privileged " + name] == "ok", (name, results["privileged " + name])


def test_privilege_follows_the_task_that_holds_it(tmp_path: Path) -> None:
    # godel.run creates its process from inside a task; the contextvar travels with the task,
    # and a sibling task that is not privileged stays blocked.
    results = run_script(
        tmp_path,
        """\
        install_runtime_guards()

        async def spawn():
            proc = await asyncio.create_subprocess_exec("true")
            return await proc.wait()

        async def privileged_spawn():
            with privileged():
                return await spawn()

        async def main():
            results["privileged task"] = str(await privileged_spawn())
            try:
                await spawn()
                results["plain task"] = "ok"
            except PermissionError as exc:
                results["plain task"] = "blocked: " + str(exc)
        asyncio.run(main())
    """,
    )
    assert results["privileged task"] == "0"
    assert results["plain task"].startswith(
        "blocked: godel strict: workflow code cannot start processes"
    )


def test_import_guard_blocks_user_imports_of_banned_modules(tmp_path: Path) -> None:
    results = run_script(
        tmp_path,
        """\
        import importlib, pkgutil
        results["socket preloaded"] = str("socket" in sys.modules)
        results["smtplib preloaded"] = str("smtplib" in sys.modules)
        install_runtime_guards()
        install_runtime_guards()
        from godel.strict.guard import ImportGuard
        results["guards"] = str(sum(isinstance(f, ImportGuard) for f in sys.meta_path))

        attempt("import smtplib", lambda: __import__("smtplib"))
        attempt("import_module ftplib", lambda: importlib.import_module("ftplib"))
        results["smtplib left behind"] = str("smtplib" in sys.modules)
        # Loaded already (by asyncio, or by this script): refused all the same.
        attempt("import socket", lambda: __import__("socket"))
        attempt("import_module subprocess", lambda: importlib.import_module("subprocess"))
        attempt("importlib.__import__ socket", lambda: importlib.__import__("socket"))
        attempt("exec import time", lambda: exec("import time"))
        attempt("from urllib import request", lambda: exec("from urllib import request"))
        # Called the C API's way (a list fromlist) by code that names __import__: refused too.
        attempt("import time, C style", lambda: __import__("time", globals(), globals(), [], 0))
        # C code importing what it needs is not the user's import (strftime imports time).
        import datetime
        day = datetime.datetime(2024, 3, 5)
        attempt("strftime", lambda: day.strftime("%Y-%m-%d") + format(day, "%d") + f"{day:%H}")
        # A reviewed line, as for the scan.
        attempt("noqa", lambda: __import__("random"))  # godel: noqa: strict
        # The standard library imports what it needs: http.cookiejar pulls in urllib.request,
        # and pkgutil imports the module a name points at.
        attempt("import http.cookiejar", lambda: __import__("http.cookiejar"))
        results["urllib.request loaded"] = str("urllib.request" in sys.modules)
        attempt("pkgutil.resolve_name", lambda: pkgutil.resolve_name("socket:socket"))
        # godel's own imports are privileged.
        with privileged():
            attempt("privileged import smtplib", lambda: __import__("smtplib"))
        # Code outside the roots given is not the workflow's: it is not judged.
        install_runtime_guards([os.path.join(tmp, "elsewhere")])
        attempt("outside the roots", lambda: __import__("socket"))
    """,
    )
    assert results["socket preloaded"] == "True" and results["smtplib preloaded"] == "False"
    assert results["guards"] == "1"
    refused = {
        "import smtplib": "import smtplib (network)",
        "import_module ftplib": "import ftplib (network)",
        "import socket": "import socket (network)",
        "import_module subprocess": "import subprocess (process)",
        "importlib.__import__ socket": "import socket (network)",
        "exec import time": "import time (clock)",
        "from urllib import request": "import urllib.request (network)",
        "import time, C style": "import time (clock)",
    }
    script = (tmp_path / "script.py").read_text().splitlines()
    for name, what in refused.items():
        assert results[name].startswith("strict: "), (name, results[name])
        [[where, layer, message]] = json.loads(results[name][len("strict: ") :])
        # Named by the line of user code that asked for it.
        line = next(i for i, text in enumerate(script, 1) if f'attempt("{name}"' in text)
        assert (where, layer) == (f"script.py:{line}", "import"), name
        assert message.startswith(f"{what} at run time — use godel."), message
    assert results["smtplib left behind"] == "False"
    assert results["noqa"] == "ok"
    assert results["strftime"] == "ok"
    assert results["import http.cookiejar"] == "ok"
    assert results["urllib.request loaded"] == "True"
    assert results["pkgutil.resolve_name"] == "ok"
    assert results["privileged import smtplib"] == "ok"
    assert results["outside the roots"] == "ok"


def test_guards_are_not_installed_by_importing_or_scanning(tmp_path: Path) -> None:
    results = run_script(
        tmp_path,
        """\
        from godel.strict import scan_source
        scan_source("import time\\ntime.time()\\n")
        attempt("write without guards", lambda: open(os.path.join(tmp, "free.txt"), "w").close())
        attempt("import smtplib without guards", lambda: __import__("smtplib"))
    """,
    )
    assert results == {"write without guards": "ok", "import smtplib without guards": "ok"}
