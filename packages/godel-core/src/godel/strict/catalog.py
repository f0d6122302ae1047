"""What strict mode bans, and what to use instead.

One table per kind of thing, shared by the three layers so that the scan, the import guard and
the audit hook give the same advice. Keys are canonical dotted names: ``import time as t;
t.time()`` is reported as ``time.time()``.
"""

from __future__ import annotations

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
TEMPDIR = 'godel.run(["mktemp", "-d"])'


def _table(module: str, hatch: str, *attrs: str) -> dict[tuple[str, str], str]:
    return {(module, attr): hatch for attr in attrs}


BANNED_CALLS: dict[tuple[str, str], str] = {
    # Clocks: a replay would read a different time than the recorded run did.
    **_table(
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
    **_table("datetime", NOW, "datetime.now", "datetime.today", "datetime.utcnow", "date.today"),
    **_table("anyio", NOW, "current_time"),
    # Sleeps: godel.sleep is recorded, so a replay does not wait again.
    **_table("time", SLEEP, "sleep"),
    **_table("asyncio", SLEEP, "sleep"),
    **_table("anyio", SLEEP, "sleep", "sleep_until"),
    # Randomness: a replay would draw different values.
    **_table(
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
        "Random",
        "SystemRandom",
    ),
    **_table("random", RANDINT, "randint", "randrange", "getrandbits"),
    **_table("random", CHOICE, "choice"),
    **_table("uuid", UUID, "uuid1", "uuid4", "uuid6", "uuid7"),
    **_table("os", UUID, "urandom", "getrandom"),
    **_table("secrets", UUID, "token_bytes", "token_hex", "token_urlsafe"),
    **_table("secrets", RANDINT, "randbelow", "randbits"),
    **_table("secrets", CHOICE, "choice"),
    **_table("secrets", RANDOM, "SystemRandom"),
    # Processes: godel.run records the command and its output; a replay does not run it again.
    **_table(
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
    **_table("asyncio", RUN, "create_subprocess_exec", "create_subprocess_shell"),
    **_table("anyio", RUN, "run_process", "open_process"),
    **_table("pty", RUN, "spawn"),
    # File-system changes: a replay would do them twice, or a resume would find them half done.
    **_table(
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
    ),
    **_table("os", WRITE, "truncate"),
    **_table(
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
        "tempfile",
        TEMPDIR,
        "mkstemp",
        "mkdtemp",
        "NamedTemporaryFile",
        "TemporaryFile",
        "SpooledTemporaryFile",
        "TemporaryDirectory",
    ),
    # Network through modules that are allowed for other reasons.
    **_table(
        "asyncio",
        NETWORK,
        "open_connection",
        "start_server",
        "open_unix_connection",
        "start_unix_server",
    ),
    **_table(
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
"""(module, attribute path) -> escape hatch. Calls are banned; so are references to the
functions (``run_in_executor(None, time.sleep, 1)``), but not to classes (annotations)."""

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
}
"""Banned module -> why: ``network`` or ``concurrency``."""

CATEGORY_HATCH: dict[str, str] = {"network": NETWORK, "concurrency": PARALLEL}

BANNED_MODULES: frozenset[str] = frozenset(MODULE_CATEGORIES)
"""Modules whose import is banned (a submodule of one is banned too)."""


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
    """``import requests (network) — use godel.run(...) or an agent instead``."""
    category = MODULE_CATEGORIES[banned]
    return f"import {name} ({category}){where} — use {CATEGORY_HATCH[category]} instead"
