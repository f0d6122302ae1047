"""godel next to its peers: godel-py 3.18.1, DBOS Transact (SQLite) and LangGraph (SQLite).

Not a CI dependency: the peers live in a scratch virtualenv outside the repository (default
``~/.cache/godel-bench/peers``, created on first use with pip from PyPI). godel-py is run as a
black box, through its public decorators and its ``godel`` command.

Three workloads, each written idiomatically from the peer's own documentation:

``steps``    N trivial durable steps in a row, inside one durable workflow, run to the end
``fanout``   one workflow that fans out K trivial durable steps and waits for them all
``resume``   a workflow of N trivial steps whose process died just after them (``os._exit``
             in the step that follows); the time for a fresh process to recover it: the N
             completed steps come back from the store, and the last one runs live

How each maps onto godel's concepts:

===========  =================================  ====================================  =======================================
godel        godel-py 3.18.1                    DBOS Transact                         LangGraph (functional API)
===========  =================================  ====================================  =======================================
@workflow    @workflow (same API)               @DBOS.workflow()                      @entrypoint(checkpointer=SqliteSaver)
@step        @step                              @DBOS.step()                          @task (``.result()`` waits for it)
parallel     parallel                           queue.enqueue of the step, one        futures of @task calls, each
                                                handle per branch (get_result)        ``.result()``
run log      runs/<id>.jsonl                    SQLite system database                SQLite checkpoint database
resume       ``godel resume ID FILE``           DBOS.launch() recovers pending        ``invoke(None, config)`` with the
                                                workflows; retrieve_workflow().       same thread_id: completed tasks'
                                                get_result()                          results come from their saved writes
===========  =================================  ====================================  =======================================

Every figure is measured inside the workload's own process (imports and the interpreter's start
excluded) and is the median of ``--repeat`` runs, each in a fresh directory. Durability differs:
godel fsyncs a run's log at its start and end and before each side effect (none here);
godel-py never fsyncs; DBOS and LangGraph commit an SQLite transaction per step (SQLite's own
fsync policy). The ratio column is the peer's time over godel's: above 1 means godel is faster.

    .venv/bin/python bench/peers.py                   # N = 1,000 steps, K = 100 branches
    .venv/bin/python bench/peers.py --steps 10000 --branches 1000
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

PEERS = {
    "godel-py": ["godel-py==3.18.1"],
    "dbos": ["dbos==3.4.0"],
    "langgraph": ["langgraph==1.2.24", "langgraph-checkpoint-sqlite==3.1.2"],
}
DEFAULT_VENV = Path.home() / ".cache" / "godel-bench" / "peers"

# The godel workloads, the same file for godel and for godel-py (the API is the same).
GODEL_STEPS = """
import os
from godel import step, workflow

@step
async def trivial(i):
    return i

@step
async def last(n):
    if os.environ.get("BENCH_CRASH") == "1":
        os._exit(3)  # the process dies: N steps are done, this one never ends
    return n

@workflow
async def steps(n):
    n = int(n)
    for i in range(n):
        await trivial(i)
    return await last(n)
"""

GODEL_FANOUT = """
from godel import parallel, step, workflow

@step
async def trivial(i):
    return i

@workflow
async def fanout(k):
    return len(await parallel(*(trivial(i) for i in range(int(k)))))
"""

GODEL_DRIVER = """
import asyncio, importlib.util, json, os, sys, time
mode, n, here, cli = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

def load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(here, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod

if mode in ("steps", "crash"):
    wf = load("wf_steps").steps
    start = time.perf_counter()
    asyncio.run(wf(n))
elif mode == "fanout":
    wf = load("wf_fanout").fanout
    start = time.perf_counter()
    asyncio.run(wf(n))
else:  # resume: the command a user types, in this process (its imports already done)
    module, _, func = cli.partition(":")
    main = getattr(__import__(module, fromlist=[func]), func)
    run_id = next(p for p in os.listdir("runs") if p.endswith(".jsonl"))[: -len(".jsonl")]
    argv = ["resume", run_id, os.path.join(here, "wf_steps.py"), "--no-strict", "--no-lint"]
    sys.argv = ["godel", *argv]
    start = time.perf_counter()
    try:
        code = main(argv) if "godel_cli" in module else main()
    except SystemExit as exc:
        code = exc.code
    if code not in (0, None):
        sys.exit(f"resume exited {code}")
print(json.dumps({"seconds": time.perf_counter() - start}))
"""

DBOS_DRIVER = """
import json, os, sys, time
from dbos import DBOS, SetWorkflowID

mode, n = sys.argv[1], int(sys.argv[2])
DBOS(config={"name": "godel-bench", "system_database_url": "sqlite:///" + os.path.abspath("dbos.sqlite"),
              "run_admin_server": False})

@DBOS.step()
def trivial(i):
    return i

@DBOS.step()
def last(n):
    if os.environ.get("BENCH_CRASH") == "1":
        os._exit(3)
    return n

@DBOS.workflow()
def steps(n):
    for i in range(n):
        trivial(i)
    return last(n)

@DBOS.workflow()
def fanout(k):
    queue = DBOS.retrieve_queue("fanout")
    handles = [queue.enqueue(trivial, i) for i in range(k)]
    return len([h.get_result() for h in handles])

if mode == "resume":
    start = time.perf_counter()
    DBOS.launch()  # recovers the pending workflow of the process that died
    DBOS.retrieve_workflow("bench-steps").get_result()
else:
    DBOS.launch()
    # DBOS polls a queue every second by default: poll often, or the fan-out is mostly waiting.
    DBOS.register_queue("fanout", polling_interval_sec=0.01)
    start = time.perf_counter()
    with SetWorkflowID("bench-steps" if mode in ("steps", "crash") else "bench-fanout"):
        (fanout if mode == "fanout" else steps)(n)
print(json.dumps({"seconds": time.perf_counter() - start}))
DBOS.destroy()
"""

LANGGRAPH_DRIVER = """
import json, os, sqlite3, sys, time
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.func import entrypoint, task

mode, n = sys.argv[1], int(sys.argv[2])
saver = SqliteSaver(sqlite3.connect("langgraph.sqlite", check_same_thread=False))

@task
def trivial(i):
    return i

@task
def last(n):
    if os.environ.get("BENCH_CRASH") == "1":
        os._exit(3)
    return n

@entrypoint(checkpointer=saver)
def steps(n):
    for i in range(n):
        trivial(i).result()
    return last(n).result()

@entrypoint(checkpointer=saver)
def fanout(k):
    futures = [trivial(i) for i in range(k)]
    return len([f.result() for f in futures])

config = {"configurable": {"thread_id": "bench"}}
start = time.perf_counter()
if mode == "resume":
    steps.invoke(None, config)  # the same thread: completed tasks are not run again
else:
    (fanout if mode == "fanout" else steps).invoke(n, config)
print(json.dumps({"seconds": time.perf_counter() - start}))
"""


def ensure_venv(path: Path) -> Path:
    """The scratch virtualenv's python, created and filled on first use."""
    python = path / "bin" / "python"
    stamp = path / ".godel-bench-installed"
    wanted = " ".join(spec for specs in PEERS.values() for spec in specs)
    if stamp.is_file() and stamp.read_text() == wanted:
        return python
    if not python.exists():
        print(f"creating {path} (once)...", file=sys.stderr, flush=True)
        venv.create(path, with_pip=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *wanted.split()], check=True)
    stamp.write_text(wanted)
    return python


def one(python: str, driver: str, mode: str, n: int, cli: str, env: dict[str, str]) -> float:
    """One workload in a fresh directory; ``resume`` first runs the crashing attempt."""
    with tempfile.TemporaryDirectory(prefix="godel-peers-") as d:
        here = Path(d)
        (here / "wf_steps.py").write_text(GODEL_STEPS)
        (here / "wf_fanout.py").write_text(GODEL_FANOUT)
        (here / "driver.py").write_text(driver)
        args = [python, str(here / "driver.py"), "", str(n), str(here), cli]
        base = {**env, "GODEL_DURABILITY": "default"}
        if mode == "resume":
            crash = subprocess.run(
                [*args[:2], "crash", *args[3:]],
                cwd=here,
                env={**base, "BENCH_CRASH": "1"},
                capture_output=True,
                text=True,
            )
            if crash.returncode != 3:
                raise RuntimeError(
                    f"{driver[:30]!r} crash run exited {crash.returncode}: {crash.stderr[-800:]}"
                )
        done = subprocess.run(
            [*args[:2], mode, *args[3:]], cwd=here, env=base, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"{mode} exited {done.returncode}: {done.stderr[-1500:]}")
        return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=1000, help="N for steps and resume")
    parser.add_argument("--branches", type=int, default=100, help="K for fanout")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV, help="the peers' virtualenv")
    parser.add_argument("--only", nargs="*", default=None, help="peers to run (default: all)")
    opts = parser.parse_args(argv)
    peer_python = str(ensure_venv(opts.venv))
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GODEL_", "PYTHONPATH"))}
    clean["PYTHONDONTWRITEBYTECODE"] = ""
    systems = {
        "godel": (sys.executable, GODEL_DRIVER, "godel_cli.main:main"),
        "godel-py": (peer_python, GODEL_DRIVER, "godel.cli:main"),
        "dbos": (peer_python, DBOS_DRIVER, ""),
        "langgraph": (peer_python, LANGGRAPH_DRIVER, ""),
    }
    chosen = ["godel", *[p for p in PEERS if opts.only is None or p in opts.only]]
    workloads = [("steps", opts.steps), ("fanout", opts.branches), ("resume", opts.steps)]
    results: dict[tuple[str, str], float] = {}
    for name in chosen:
        python, driver, cli = systems[name]
        for mode, n in workloads:
            times = [one(python, driver, mode, n, cli, clean) for _ in range(opts.repeat)]
            results[(name, mode)] = statistics.median(times)
            print(
                f"  {name:10} {mode:7} n={n:<7} {results[(name, mode)] * 1e3:10.1f} ms",
                file=sys.stderr,
                flush=True,
            )
    print()
    print(f"median of {opts.repeat} runs; N = {opts.steps:,} steps, K = {opts.branches:,} branches")
    head = f"| {'workload':22} |" + "".join(f" {name:>20} |" for name in chosen)
    print(head)
    print("|" + "-" * 24 + "|" + "".join("-" * 21 + ":|" for _ in chosen))
    for mode, n in workloads:
        label = {
            "steps": f"{n:,} steps",
            "fanout": f"fan-out of {n:,}",
            "resume": f"resume {n:,} steps",
        }[mode]
        godel = results[("godel", mode)]
        cells = []
        for name in chosen:
            secs = results[(name, mode)]
            per = secs / n * 1e6
            cells.append(f"{per:,.0f} µs" + ("" if name == "godel" else f" ({secs / godel:.1f}x)"))
        print(f"| {label:22} |" + "".join(f" {c:>20} |" for c in cells))
    print("(µs per step or branch; in parentheses, the peer's time over godel's)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
