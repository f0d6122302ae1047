"""What strict mode bans, and what to use instead.

One table per kind of thing, shared by the three layers so that the scan, the import guard and
the audit hook give the same advice, and read by the linter's PL003 and PL012 so that a lint and
a strict run never disagree about what is non-deterministic. Keys are canonical dotted names:
``import time as t; t.time()`` is reported as ``time.time()``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import TypeVar

_V = TypeVar("_V")

# The escape hatches, as they appear in messages.
NOW = "godel.det.now()"
SLEEP = "godel.sleep()"
RANDOM = "godel.det.random()"
RANDINT = "godel.det.randint()"
CHOICE = "godel.det.choice()"
UUID = "godel.det.uuid4()"
RUN = "godel.run()"
WRITE = "godel.write_text()"
NETWORK = "godel.run(...) or an agent"
PARALLEL = "godel.parallel() or godel.run()"
WORKER = "godel.run() or a @step that does the work"
TEMPDIR = 'godel.run(["mktemp", "-d"])'


def _table(
    category: str, module: str, hatch: str, *attrs: str
) -> dict[tuple[str, str], tuple[str, str]]:
    return {(module, attr): (category, hatch) for attr in attrs}


_CALLS: dict[tuple[str, str], tuple[str, str]] = {
    # Clocks: a replay would read a different time than the recorded run did.
    **_table(
        "clock",
        "time",
        NOW,
        "time",
        "time_ns",
        "monotonic",
        "monotonic_ns",
        "perf_counter",
        "perf_counter_ns",
        "process_time",
        "process_time_ns",
        "thread_time",
        "thread_time_ns",
        "clock_gettime",
        "clock_gettime_ns",
    ),
    **_table(
        "clock", "datetime", NOW, "datetime.now", "datetime.today", "datetime.utcnow", "date.today"
    ),
    **_table("clock", "anyio", NOW, "current_time"),
    # Sleeps: godel.sleep is recorded, so a replay does not wait again.
    **_table("sleep", "time", SLEEP, "sleep"),
    **_table("sleep", "asyncio", SLEEP, "sleep"),
    **_table("sleep", "anyio", SLEEP, "sleep", "sleep_until"),
    # Randomness: a replay would draw different values.
    **_table(
        "random",
        "random",
        RANDOM,
        "random",
        "uniform",
        "triangular",
        "gauss",
        "normalvariate",
        "lognormvariate",
        "expovariate",
        "vonmisesvariate",
        "gammavariate",
        "betavariate",
        "paretovariate",
        "weibullvariate",
        "binomialvariate",
        "choices",
        "shuffle",
        "sample",
        "randbytes",
        "SystemRandom",
    ),
    # A generator is deterministic once seeded, but the scan cannot tell a fixed seed from one
    # read off the clock.
    **_table("seedable", "random", RANDOM, "Random"),
    **_table("random", "random", RANDINT, "randint", "randrange", "getrandbits"),
    **_table("random", "random", CHOICE, "choice"),
    **_table("uuid", "uuid", UUID, "uuid1", "uuid4", "uuid6", "uuid7"),
    **_table("random", "os", UUID, "urandom", "getrandom"),
    **_table("random", "secrets", UUID, "token_bytes", "token_hex", "token_urlsafe"),
    **_table("random", "secrets", RANDINT, "randbelow", "randbits"),
    **_table("random", "secrets", CHOICE, "choice"),
    **_table("random", "secrets", RANDOM, "SystemRandom"),
    # Processes: godel.run records the command and its output; a replay does not run it again.
    **_table(
        "process",
        "subprocess",
        RUN,
        "run",
        "call",
        "check_call",
        "check_output",
        "Popen",
        "getoutput",
        "getstatusoutput",
    ),
    **_table(
        "process",
        "os",
        RUN,
        "system",
        "popen",
        "fork",
        "forkpty",
        "posix_spawn",
        "posix_spawnp",
        "spawnl",
        "spawnle",
        "spawnlp",
        "spawnlpe",
        "spawnv",
        "spawnve",
        "spawnvp",
        "spawnvpe",
        "execl",
        "execle",
        "execlp",
        "execlpe",
        "execv",
        "execve",
        "execvp",
        "execvpe",
        "startfile",
    ),
    **_table("process", "asyncio", RUN, "create_subprocess_exec", "create_subprocess_shell"),
    **_table("process", "anyio", RUN, "run_process", "open_process"),
    **_table("process", "pty", RUN, "spawn"),
    # File-system changes: a replay would do them twice, or a resume would find them half done.
    **_table(
        "file",
        "os",
        RUN,
        "remove",
        "unlink",
        "rename",
        "renames",
        "replace",
        "rmdir",
        "removedirs",
        "mkdir",
        "makedirs",
        "symlink",
        "link",
        "mkfifo",  # create files, and no audit event says so
        "mknod",
    ),
    **_table("file", "os", WRITE, "truncate"),
    **_table(
        "file",
        "shutil",
        RUN,
        "rmtree",
        "move",
        "copy",
        "copy2",
        "copyfile",
        "copytree",
        "copymode",
        "copystat",
        "chown",
        "make_archive",
        "unpack_archive",
    ),
    **_table(
        "file",
        "tempfile",
        TEMPDIR,
        "mkstemp",
        "mkdtemp",
        "NamedTemporaryFile",
        "TemporaryFile",
        "SpooledTemporaryFile",
        "TemporaryDirectory",
    ),
    # Workers (threads, worker processes): work godel does not schedule runs in any order against
    # the run's own effects, and a replay cannot put it back where it was.
    **_table("worker", "asyncio", WORKER, "to_thread"),
    **_table("worker", "anyio", WORKER, "to_thread.run_sync", "to_process.run_sync"),
    # Network through modules that are allowed for other reasons.
    **_table(
        "network",
        "asyncio",
        NETWORK,
        "open_connection",
        "start_server",
        "open_unix_connection",
        "start_unix_server",
    ),
    **_table(
        "network",
        "anyio",
        NETWORK,
        "connect_tcp",
        "connect_unix",
        "create_tcp_listener",
        "create_unix_listener",
        "create_udp_socket",
        "create_connected_udp_socket",
        "getaddrinfo",
    ),
}

BANNED_CALLS: dict[tuple[str, str], str] = {key: hatch for key, (_, hatch) in _CALLS.items()}
"""(module, attribute path) -> escape hatch. Calls are banned; so are references to the
functions (``run_in_executor(None, time.sleep, 1)``), but not to classes (annotations)."""

CALL_CATEGORIES: dict[tuple[str, str], str] = {key: cat for key, (cat, _) in _CALLS.items()}
"""(module, attribute path) -> what a replay could not repeat: ``clock``, ``sleep``, ``random``,
``uuid``, ``seedable``, ``process``, ``file``, ``network`` or ``worker``. The linter reports by
category."""

EVENT_LOOPS: frozenset[str] = frozenset(
    {"asyncio.get_running_loop", "asyncio.get_event_loop", "asyncio.new_event_loop"}
)
"""Calls that return an asyncio event loop: a method called on one directly is judged by
``LOOP_METHODS`` (``asyncio.get_running_loop().time()``)."""

LOOP_METHODS: dict[str, str] = {"time": NOW, "run_in_executor": WORKER}
"""Event-loop methods -> escape hatch: ``loop.time()`` is a monotonic clock."""

ANY_RECEIVER_METHODS: frozenset[str] = frozenset({"run_in_executor"})
"""Of ``LOOP_METHODS``, those banned whatever the receiver (``loop.run_in_executor(...)``, with
``loop`` a variable the scan cannot type): no other object has a method of that name."""

IMPLICIT_NOW_CALLS: dict[tuple[str, str], int] = {
    ("time", "strftime"): 1,
    ("time", "localtime"): 0,
    ("time", "gmtime"): 0,
    ("time", "ctime"): 0,
    ("time", "asctime"): 0,
}
"""Calls that read the clock only when the time argument is left out: banned when called with at
most this many positional arguments (``time.strftime("%Y")``), allowed with an explicit time
(``time.strftime("%Y", struct)``). Their escape hatch is ``godel.det.now()``."""

SLEEP_CALLS: frozenset[str] = frozenset({"time.sleep", "asyncio.sleep", "anyio.sleep"})
"""Sleeps allowed as ``sleep(0)``: a bare yield to the scheduler reads no clock."""

FILE_OPENERS: dict[str, int] = {
    "builtins.open": 1,
    "io.open": 1,
    "codecs.open": 1,
    "gzip.open": 1,
    "bz2.open": 1,
    "lzma.open": 1,
    "tarfile.open": 1,
    "zipfile.ZipFile": 1,
    "anyio.open_file": 1,
    "aiofiles.open": 1,
}
"""Calls that open a file -> the index of their positional ``mode`` argument. Banned with a
literal mode that writes; escape hatch ``godel.write_text()``."""

WRITE_MODE_CHARS = frozenset("wxa+")


def dotted(table: Mapping[tuple[str, str], _V]) -> dict[str, _V]:
    """A table keyed by ``(module, attribute path)`` keyed by the dotted name instead."""
    return {f"{module}.{attr}": value for (module, attr), value in table.items()}


_IMPLICIT_NOW = dotted(IMPLICIT_NOW_CALLS)


def star_exports() -> dict[str, set[str]]:
    """Module -> the names ``from module import *`` binds that lead to a call strict mode
    judges: ``datetime.datetime.now`` puts ``now`` under ``datetime.datetime`` and
    ``datetime`` (the class) under ``datetime``. The scan and the linter resolve star imports
    through it."""
    global _star
    if _star is None:
        found: dict[str, set[str]] = {}
        for name in (*dotted(BANNED_CALLS), *_IMPLICIT_NOW, *FILE_OPENERS, *EVENT_LOOPS):
            while "." in name:
                name, _, attr = name.rpartition(".")
                found.setdefault(name, set()).add(attr)
        _star = found
    return _star


_star: dict[str, set[str]] | None = None


def is_zero_sleep(name: str, call: ast.Call) -> bool:
    """``time.sleep(0)`` and the like (``SLEEP_CALLS``), which are allowed."""
    if name not in SLEEP_CALLS or len(call.args) != 1 or call.keywords:
        return False
    arg = call.args[0]
    return isinstance(arg, ast.Constant) and arg.value == 0


def reads_clock_implicitly(name: str, call: ast.Call) -> bool:
    """``time.strftime("%Y")``: one of ``IMPLICIT_NOW_CALLS`` called without its time."""
    limit = _IMPLICIT_NOW.get(name)
    return limit is not None and len(call.args) <= limit and not call.keywords


def open_mode(call: ast.Call, position: int) -> str | None:
    """The literal ``mode`` argument of an open-like call, if there is one."""
    node: ast.AST | None = call.args[position] if len(call.args) > position else None
    for kw in call.keywords:
        if kw.arg == "mode":
            node = kw.value
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def writes(mode: str) -> bool:
    """Whether an ``open`` mode writes (``"w"``, ``"a"``, ``"x"``, anything with ``"+"``)."""
    return not WRITE_MODE_CHARS.isdisjoint(mode)


MODULE_CATEGORIES: dict[str, str] = {
    **dict.fromkeys(
        (
            "requests",
            "httpx",
            "aiohttp",
            "urllib3",
            "websockets",
            "urllib.request",
            "http.client",
            "http.server",
            "socket",
            "socketserver",
            "ftplib",
            "smtplib",
            "imaplib",
            "poplib",
            "telnetlib",
            "xmlrpc.client",
            "xmlrpc.server",
        ),
        "network",
    ),
    **dict.fromkeys(
        ("threading", "_thread", "multiprocessing", "concurrent.futures"), "concurrency"
    ),
    # A C function writes files and starts processes without any audited Python function
    # (cffi's ``dlopen`` is not even audited).
    **dict.fromkeys(("ctypes", "_ctypes", "cffi"), "native code"),
    # Modules whose every call strict mode bans (the tables above): importing one has no use in
    # workflow code. ``time``'s few pure helpers (``strptime``, ``strftime`` with a time) have
    # ``datetime`` equivalents; ``subprocess``'s types and exceptions only serve code that runs
    # processes. Modules with pure uses as well stay importable and only their calls are
    # reported: ``datetime`` (``timedelta``), ``os`` (``os.path``), ``uuid`` (``uuid5``),
    # ``asyncio``, ``shutil``, ``tempfile``.
    "time": "clock",
    "random": "randomness",
    "secrets": "randomness",
    "subprocess": "process",
    # godel's own way past the audit hook, for its primitives' I/O: not for workflow code.
    "godel.strict.privilege": "godel's escape from strict mode",
    "godel.io.privileged": "godel's escape from strict mode",
}
"""Banned module -> why: ``network``, ``concurrency``, ``native code``, ``clock``,
``randomness``, ``process``, or ``godel's escape from strict mode``."""

CATEGORY_HATCH: dict[str, str] = {
    "network": NETWORK,
    "concurrency": PARALLEL,
    "native code": RUN,
    "clock": f"{NOW} or {SLEEP}",
    "randomness": f"{RANDOM}, {RANDINT} or {CHOICE}",
    "process": RUN,
    "godel's escape from strict mode": "a godel primitive (godel.run(), godel.write_text()...) or --no-strict",
}
_MODULE_HATCH: dict[str, str] = {"secrets": f"{UUID}, {RANDINT} or {CHOICE}"}

BANNED_MODULES: frozenset[str] = frozenset(MODULE_CATEGORIES)
"""Modules whose import is banned (a submodule of one is banned too)."""

BANNED_TOPS: frozenset[str] = frozenset(m.partition(".")[0] for m in BANNED_MODULES)
"""Top-level names of ``BANNED_MODULES``: an import of anything else needs no closer look."""


def banned_module(name: str) -> str | None:
    """The entry of ``BANNED_MODULES`` that ``name`` is, or is a submodule of, else None."""
    if name in BANNED_MODULES:
        return name
    dot = name.find(".")
    while dot != -1:
        if name[:dot] in BANNED_MODULES:
            return name[:dot]
        dot = name.find(".", dot + 1)
    return None


def import_message(name: str, banned: str, where: str = "") -> str:
    """``import requests (network) — use godel.run(...) or an agent instead``; ``where`` goes
    after the category (`` at run time``)."""
    category = MODULE_CATEGORIES[banned]
    hatch = _MODULE_HATCH.get(banned) or CATEGORY_HATCH[category]
    return f"import {name} ({category}){where} — use {hatch} instead"
