"""The speed issue's table, row by row: each figure, its floor measured in the same run, the target.

Rows (the floor in brackets):

1. ``godel run empty.py`` (one ``@workflow`` returning None), the whole process
   [``python -c "import asyncio"``]; target 90 ms, that is 1.8x a 50 ms floor. A second row
   sets it against the floor of godel's own stack: a click command that runs an empty coroutine
   with ``asyncio.run`` (a run loads anyio's backend only when it uses it: ``godel_cli.cancel``)
2. one ``parallel`` branch, K = 1,000 trivial steps in one ``parallel`` [no-op coroutines plus
   the bytes appended with ``os.write``]; target 30 µs
3. a trivial ``@step``, per step, N = 100 to 10,000 (100,000 with ``--full``) [the same]; target
   15 µs, flat in N
4. audit-log bytes per trivial step; target 600
5. resume: cached steps replayed per second at N = 10,000 (a run whose last step failed, so
   that every step before it is replayed) [a ``json.loads`` loop over the same log]; target
   80,000/s
6. ``godel show`` and ``godel tail --no-follow`` on 10,000 steps, as subprocesses
   [``python -c pass`` plus the ``json.loads`` loop]; target 0.15 s
7. ``godel --help`` over ``python -c pass``; target +30 ms. Printed from the help cache
   (``godel_cli.help_cache``); a second row gives it rendered by click (the first time, or with
   ``GODEL_HELP_CACHE=0``) against ``python -c "import click"``
8. peak RSS of a 100,000-step run (its own process) [``python -c "import asyncio"``]; target 60 MB
9. ``run(["true"])`` over a plain asyncio exec with one fsync per call; target +40 µs (the
   median difference of rounds that run the two in turn: the disk's fsyncs are noisy)

Then the growth check: per-unit cost at the largest N over the smallest, for steps, branches,
resume, show and tail (1.0 = linear). Times are medians of ``--repeat`` runs; start-up rows
time whole processes, with the bytecode on disk as after a ``pip install``
(``_common.started_as_installed``). Nothing asserts: a noisy machine moves the times, so read
the ratios.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import anyio
from _common import started_as_installed, table
from bench_engine import (
    _durability,
    _parallel,
    _runs,
    engine_cost,
    floor_append,
    floor_noop,
    subprocess_floor,
)
from bench_engine import _steps as _timed_steps

import godel
from godel import step, workflow
from godel.engine.workflow import RunOptions, WorkflowSpec, execute

BIN = Path(sys.executable).parent

# What any click command running a coroutine pays, before godel does anything.
STACK_FLOOR = (
    "import asyncio, click\n"
    "async def main(): pass\n"
    "@click.command()\n"
    "def cli(): asyncio.run(main())\n"
    "cli()\n"
)
LINE = (
    b'{"event_id":"01M85ZAGNGH986BRCV1N96CCZS","run_id":"01M85ZAGMTXEN3GMN6DBDMT6X9","seq":3,'
    b'"parent_id":"01M85ZAGNDKP9F7KFYY74BAYMA","step_path":["trivial"],"op":"step.enter"}\n'
)


@step
async def trivial() -> None:
    return None


_fail_last = [False]


@step
async def last(n: int) -> int:
    if _fail_last[0]:
        raise RuntimeError("the first attempt fails here, after every other step")
    return n


@workflow
async def replayed(n: int) -> int:
    for _ in range(n):
        await trivial()
    return await last(n)


async def _steps(n: int) -> None:
    for _ in range(n):
        await trivial()


def median_time(repeat: int, fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def proc(
    cmd: list[str], repeat: int, cwd: Path | None = None, env: dict[str, str] | None = None
) -> float:
    environ = {**os.environ, **env} if env else None
    return median_time(
        repeat,
        lambda: subprocess.run(cmd, check=True, capture_output=True, cwd=cwd, env=environ),
    )


def build(n: int, runs: Path) -> str:
    ids: list[str] = []
    opts = RunOptions(runs_dir=runs, transcript=False, on_start=lambda r, _p: ids.append(r))
    anyio.run(execute, WorkflowSpec(_steps, "steps"), (n,), {}, opts)
    return ids[0]


def json_floor(path: Path, repeat: int) -> float:
    def load() -> None:
        with open(path) as f:
            for line in f:
                json.loads(line)

    return median_time(repeat, load)


def resume_rate(n: int, repeat: int) -> tuple[float, float]:
    """Seconds to resume a run of ``n`` finished steps whose last step failed, and the floor."""
    took, floors = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as d:
            runs = Path(d)
            ids: list[str] = []
            _fail_last[0] = True
            try:
                anyio.run(
                    execute,
                    replayed.__godel_workflow__,
                    (n,),
                    {},
                    RunOptions(
                        runs, transcript=False, on_start=lambda r, _p, ids=ids: ids.append(r)
                    ),
                )
            except RuntimeError:
                pass
            _fail_last[0] = False
            start = time.perf_counter()
            anyio.run(
                functools.partial(godel.resume, replayed, ids[0], runs_dir=runs, transcript=False)
            )
            took.append(time.perf_counter() - start)
            floors.append(json_floor(runs / f"{ids[0]}.jsonl", 1))
    return statistics.median(took), statistics.median(floors)


RSS_CHILD = textwrap.dedent(
    """
    import sys, tempfile, anyio
    from pathlib import Path
    from godel import step
    from godel.engine.workflow import RunOptions, WorkflowSpec, execute

    @step
    async def trivial():
        return None

    async def steps(n):
        for _ in range(n):
            await trivial()

    def peak():  # VmHWM: this process's own peak (ru_maxrss counts the parent's pages a fork copied)
        status = open("/proc/self/status").read()
        return int(status.split("VmHWM:")[1].split()[0])

    with tempfile.TemporaryDirectory() as d:
        anyio.run(execute, WorkflowSpec(steps, "steps"), (int(sys.argv[1]),), {},
                  RunOptions(runs_dir=Path(d), transcript=False))
    print(peak())
    """
)


def peak_rss_kib(code: str, *args: str) -> int:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True
    )
    return int(out.stdout.split()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller N, fewer repeats")
    parser.add_argument("--full", action="store_true", help="growth up to N = 100,000")
    parser.add_argument("--repeat", type=int, default=5)
    opts = parser.parse_args(argv)
    started_as_installed()
    repeat = 3 if opts.quick else opts.repeat
    sizes = [100, 1_000] if opts.quick else [100, 1_000, 10_000]
    if opts.full:
        sizes.append(100_000)
    big = sizes[-1] if opts.quick else 10_000
    godel_bin = str(BIN / "godel")
    rows: list[list[object]] = []
    growth: list[list[object]] = []

    def row(what: str, value: float, unit: str, floor: float | None, target: str, ok: bool) -> None:
        ratio = "" if not floor else f"{value / floor:.2f}x"
        rows.append(
            [
                what,
                f"{value:,.2f} {unit}" if unit == "s" else f"{value:,.1f} {unit}",
                "" if floor is None else f"{floor:,.2f}" if unit == "s" else f"{floor:,.1f}",
                ratio,
                target,
                "yes" if ok else "NO",
            ]
        )

    # 1. the fixed cost of a run, the whole process
    with tempfile.TemporaryDirectory() as d:
        here = Path(d)
        (here / "empty.py").write_text(
            "from godel import workflow\n\n\n@workflow\nasync def main():\n    return None\n"
        )
        # Two runs first: the first records the pre-flight's pass (and creates runs/).
        for _ in range(2):
            subprocess.run(
                [godel_bin, "run", "empty.py"], check=True, capture_output=True, cwd=here
            )
        run_ms = proc([godel_bin, "run", "empty.py"], repeat, cwd=here) * 1e3
        asyncio_ms = proc([sys.executable, "-c", "import asyncio"], repeat) * 1e3
        stack_ms = proc([sys.executable, "-c", STACK_FLOOR], repeat) * 1e3
        pass_ms = proc([sys.executable, "-c", "pass"], repeat) * 1e3
        subprocess.run([godel_bin, "--help"], check=True, capture_output=True)  # recorded
        help_ms = proc([godel_bin, "--help"], repeat) * 1e3
        rendered_ms = proc([godel_bin, "--help"], repeat, env={"GODEL_HELP_CACHE": "0"}) * 1e3
        click_ms = proc([sys.executable, "-c", "import click"], repeat) * 1e3
    row(
        "godel run empty.py", run_ms, "ms", asyncio_ms, "≤ 90 ms (1.8x)", run_ms <= 1.8 * asyncio_ms
    )
    row("  vs click + asyncio.run", run_ms, "ms", stack_ms, "(the stack's floor)", True)

    # 2. a parallel branch, and 3. a trivial step, at every N
    for k in sizes:
        cost = engine_cost(_parallel, k) / k * 1e6
        floor = (floor_noop(k) + floor_append(k, LINE, 1)) / k * 1e6
        growth.append(["parallel branch", k, cost])
        if k == min(1_000, sizes[-1]):
            row(f"parallel branch (K={k:,})", cost, "µs", floor, "≤ 30 µs", cost <= 30)
    for n in sizes:
        cost = engine_cost(_timed_steps, n) / n * 1e6
        floor = (floor_noop(n) + floor_append(n, LINE, 1)) / n * 1e6
        growth.append(["trivial @step", n, cost])
        row(f"trivial @step (N={n:,})", cost, "µs", floor, "≤ 15 µs", cost <= 15)

    # 4. bytes per step, 6. show and tail, 5. resume
    with tempfile.TemporaryDirectory() as d:
        runs = Path(d)
        for n in sizes:
            run_id = build(n, runs)
            path = runs / f"{run_id}.jsonl"
            per = (path.stat().st_size - len(path.read_bytes().split(b"\n", 2)[0])) / n
            if n == big:
                row("audit-log bytes per step", per, "B", None, "≤ 600 B", per <= 600)
            floor = json_floor(path, repeat) + pass_ms / 1e3
            common = ["--runs-dir", str(runs)]
            for what, args in (
                ("show", ["show", run_id]),
                ("tail", ["tail", run_id, "--no-follow"]),
            ):
                secs = median_time(
                    repeat,
                    lambda args=args, common=common: subprocess.run(
                        [godel_bin, *args, *common], check=True, stdout=subprocess.DEVNULL
                    ),
                )
                growth.append([f"godel {what}", n, secs / n * 1e6])
                if n == big:
                    label = "tail --no-follow" if what == "tail" else what
                    row(f"godel {label} (N={n:,})", secs, "s", floor, "≤ 0.15 s", secs <= 0.15)
    for n in sizes:
        took, floor = resume_rate(n, 3 if n <= 10_000 else 1)
        growth.append(["resume", n, took / n * 1e6])
        if n == big:
            row(
                f"resume (N={n:,}), steps/s",
                n / took,
                "/s",
                n / floor,
                "≥ 80,000/s",
                n / took >= 80_000,
            )

    # 7. --help: from the help cache, and rendered by click (the first time, or with the cache
    # off), whose import alone is the floor of the latter
    row(
        "godel --help over python -c pass",
        help_ms - pass_ms,
        "ms",
        None,
        "≤ +30 ms",
        help_ms - pass_ms <= 30,
    )
    row(
        "  rendered by click (cache off)",
        rendered_ms - pass_ms,
        "ms",
        click_ms - pass_ms,
        "(import click)",
        True,
    )

    # 8. peak RSS
    rss_n = 10_000 if opts.quick else 100_000
    rss = peak_rss_kib(RSS_CHILD, str(rss_n)) / 1024
    base = (
        peak_rss_kib(
            "import asyncio; print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])"
        )
        / 1024
    )
    row(f"peak RSS, {rss_n:,}-step run", rss, "MB", base, "≤ 60 MB", rss <= 60)

    # 9. run(["true"]) with the default durability, over asyncio + one fsync per call. A call
    # is about 1.3 ms here and an fsync of this shared disk moves it by +-300 us from one loop to
    # the next, so godel and the floor run in turn, round after round, and the row is the
    # median of the rounds' differences (as farm-bench pairs whole commands).
    n = 50 if opts.quick else 100
    over_each = []
    for _ in range(5 if opts.quick else 11):
        with _durability("default"):
            durable = engine_cost(_runs, n) / n * 1e6
        over_each.append(durable - subprocess_floor(n, fsync=True) / n * 1e6)
    over = statistics.median(over_each)
    row('run(["true"]) over asyncio exec + fsync', over, "µs", None, "≤ +40 µs", over <= 40)

    print(table(["row", "godel", "floor", "ratio", "target", "met"], rows))
    print()
    by: dict[str, list[tuple[int, float]]] = {}
    for what, n, cost in growth:
        by.setdefault(str(what), []).append((int(n), float(cost)))  # type: ignore[call-overload]
    print(
        table(
            ["growth", "smallest N", "µs/unit", "largest N", "µs/unit", "largest/smallest"],
            [
                [what, pts[0][0], pts[0][1], pts[-1][0], pts[-1][1], pts[-1][1] / pts[0][1]]
                for what, pts in by.items()
            ],
        )
    )
    print("(growth: about 1 means linear; show and tail include the process start, which")
    print(" dominates at small N, so their ratio falls below 1)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    raise SystemExit(main())
