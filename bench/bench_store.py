"""Store benchmark: the PostgreSQL store next to the file store, and DBOS Transact on the same
server, for N durable steps.

Per godel store: the cost of a step (a ``@step`` recording one ``det`` value: 4 log lines) with
durability ``default`` (committed at each side effect's start and soon after its end) and
``always`` (every line committed: what DBOS does for every step); how fast a resume replays a
run of N cached steps; and how long ``godel show`` (a fresh process) takes on it.
DBOS Transact (from PyPI, installed in a scratch venv outside the repository, ``--dbos-venv``)
runs N ``@DBOS.step``s in one ``@DBOS.workflow`` against a database of the same server.

    .venv/bin/python bench/bench_store.py            # starts a throwaway server (initdb)
    .venv/bin/python bench/bench_store.py --url postgresql://...  # an existing one (store init done)
    .venv/bin/python bench/bench_store.py --no-dbos  # without the DBOS row
    .venv/bin/python bench/bench_store.py --scaling  # also lines/s per connection, K runs at once
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from _common import table

import godel
from godel import det, step, workflow
from godel.engine.workflow import RunOptions, execute

FAIL = [False]  # the resume workload's runs fail after their steps, so that a resume replays


@step
async def one(i):
    return det.random()


@workflow
async def many(n):
    for i in range(n):
        await one(i)
    if FAIL[0]:
        raise RuntimeError("stop here, so that resume has N cached steps to replay")
    return n


DBOS_SCRIPT = """
import json, sys, time
from dbos import DBOS

url, n = sys.argv[1], int(sys.argv[2])
DBOS(config={"name": "godel-bench", "system_database_url": url})

@DBOS.step()
def one(i):
    return i * 2

@DBOS.workflow()
def many(n):
    total = 0
    for i in range(n):
        total += one(i)
    return total

DBOS.launch()
many(10)  # warm up: connections, schema
start = time.perf_counter()
many(n)
took = time.perf_counter() - start
print(json.dumps({"per_step_us": took / n * 1e6}))
DBOS.destroy()
"""


def run_many(n: int, where: Any, durability: str, fail: bool = False) -> tuple[str, float]:
    os.environ["GODEL_DURABILITY"] = durability
    ids: list[str] = []
    FAIL[0] = fail
    start = time.perf_counter()
    try:
        anyio.run(
            execute,
            many.__godel_workflow__,
            (n,),
            {},
            RunOptions(runs_dir=where, transcript=False, on_start=lambda r, _p: ids.append(r)),
        )
    except RuntimeError:
        if not fail:
            raise
    took = time.perf_counter() - start
    FAIL[0] = False
    return ids[0], took


def resume_ms(n: int, where: Any) -> float:
    run_id, _ = run_many(n, where, "default", fail=True)
    start = time.perf_counter()
    anyio.run(lambda: godel.resume(many, run_id, runs_dir=where, transcript=False))
    return (time.perf_counter() - start) * 1e3


def show_ms(run_id: str, env: dict[str, str]) -> float:
    godel_bin = Path(sys.executable).with_name("godel")
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        done = subprocess.run(
            [str(godel_bin), "show", run_id], env=env, capture_output=True, text=True
        )
        best = min(best, time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"godel show failed: {done.stderr}")
    return best * 1e3


def measure(name: str, n: int, where: Any, env: dict[str, str]) -> list[Any]:
    _, took_default = run_many(n, where, "default")
    run_id, took_always = run_many(n, where, "always")
    return [
        name,
        n,
        took_default / n * 1e6,
        took_always / n * 1e6,
        resume_ms(n, where),
        show_ms(run_id, env),
    ]


def dbos_row(n: int, url: str, venv: Path) -> list[Any] | None:
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"(no DBOS row: no {python}; `bench/peers.py` creates that venv with DBOS in it)")
        return None
    done = subprocess.run(
        [str(python), "-c", DBOS_SCRIPT, url, str(n)], capture_output=True, text=True
    )
    if done.returncode != 0:
        print(f"(DBOS failed: {done.stderr.strip().splitlines()[-1:]})")
        return None
    per_step = json.loads(done.stdout.strip().splitlines()[-1])["per_step_us"]
    version = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('dbos'))"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return [f"DBOS Transact {version}", n, "", per_step, "", ""]


SCALING_WORKFLOW = """
from godel import det, step, workflow


@step(name="one")
async def one(i: int):
    return det.random()


@workflow
async def main(n="200"):
    for i in range(int(n)):
        await one(i)
    return n
"""


def scaling(url: str) -> None:
    """Lines per second on one connection by commit batch size, and K concurrent runs."""
    from godel.store import open_store

    store = open_store(url)
    line = json.dumps({"op": "run", "status": "FINISHED", "response": {"stdout": "y" * 400}})
    for every in (1, 10, 100):
        rows = store.run_store(f"scaling-{every}", durability="default")  # type: ignore[attr-defined]
        rows.lock()
        rows.create(b'{"godel_log":{}}\n')
        n = 3000
        start = time.perf_counter()
        for i in range(n):
            rows.append(line.encode() + b"\n", sync=i % every == 0)
        rows.close()
        print(
            f"one connection, a commit every {every} lines: {n / (time.perf_counter() - start):,.0f} lines/s"
        )
    godel_bin = str(Path(sys.executable).with_name("godel"))
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "wf.py").write_text(SCALING_WORKFLOW)
        env = {**os.environ, "GODEL_STORE": url}
        for k in (1, 8, 32):
            start = time.perf_counter()
            procs = [
                subprocess.Popen([godel_bin, "run", "wf.py"], cwd=d, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for _ in range(k)
            ]  # fmt: skip
            failed = sum(p.wait() != 0 for p in procs)
            took = time.perf_counter() - start
            print(
                f"{k} concurrent runs of 200 steps: {took:.1f} s, "
                f"{k * 200 * 4 / took:,.0f} lines/s in all, {failed} failed"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="N=200 only")
    parser.add_argument("--url", help="an existing PostgreSQL store (godel store init done)")
    parser.add_argument("--no-dbos", action="store_true")
    parser.add_argument(
        "--scaling", action="store_true", help="also: lines/s per connection, concurrent runs"
    )
    parser.add_argument(
        "--dbos-venv",
        type=Path,
        default=Path.home() / ".cache" / "godel-bench" / "peers",  # peers.py's, with dbos 3.4.0
    )
    opts = parser.parse_args(argv)
    sizes = [200] if opts.quick else [200, 2000]
    server = None
    url = opts.url
    if url is None:
        from godel_postgres.testing import PgServer, find_bin

        if find_bin("initdb") is None:
            print("(no PostgreSQL: install Debian's postgresql package, or pass --url)")
            return 0
        server = PgServer().start()
        url = server.create_db("bench")
        subprocess.run(
            [str(Path(sys.executable).with_name("godel")), "store", "init", url],
            check=True,
            capture_output=True,
        )
    rows = []
    try:
        from godel.store import open_store

        store = open_store(url)
        with tempfile.TemporaryDirectory() as d:
            file_env = {**os.environ, "GODEL_RUNS_DIR": d}
            file_env.pop("GODEL_STORE", None)
            pg_env = {**os.environ, "GODEL_STORE": url}
            for n in sizes:
                rows.append(measure("file", n, Path(d), file_env))
                rows.append(measure("postgres", n, store, pg_env))
                if not opts.no_dbos:
                    dbos_url = server.create_db(f"dbos{n}") if server else url
                    row = dbos_row(n, dbos_url, opts.dbos_venv)
                    if row is not None:
                        rows.append(row)
        if opts.scaling:
            scaling(url)
        store.close()
    finally:
        if server is not None:
            server.stop()
    print(
        "per step: one @step recording a det value (4 log lines); resume: replaying N cached "
        "steps; show: `godel show` in a fresh process, best of 3"
    )
    print(
        table(
            ["store", "N", "step us (default)", "step us (always)", "resume ms", "show ms"],
            rows,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
