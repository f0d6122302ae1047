"""Engine benchmark: cost per step, det value, parallel branch, run(["true"]) and start-up.

Each figure is printed next to its physical floor measured in the same run:

- steps / det values / parallel: an asyncio loop awaiting no-op coroutines, plus a plain loop
  appending the same bytes to a file (what the log must at least do);
- run(["true"]): plain ``asyncio.create_subprocess_exec("true")`` + ``wait()``;
- start-up: ``python -c pass``.

Targets (issue "engine"): per-step cost constant in N and under 40 µs; run(["true"]) within
60 µs of the subprocess floor; ``godel --help`` within 60 ms of a bare interpreter start.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import anyio

from _common import best_of, median_of, table

from godel import det, parallel, run, step
from godel.workflows import RunOptions, WorkflowSpec, execute


@step
async def trivial():
    return None


async def _steps(n: int) -> None:
    for _ in range(n):
        await trivial()


async def _dets(n: int) -> None:
    for _ in range(n):
        det.random()


async def _parallel(k: int) -> None:
    await parallel(*(trivial() for _ in range(k)))


async def _runs(n: int) -> None:
    for _ in range(n):
        await run(["true"])


def _run_workflow(body, arg: int, runs_dir: Path) -> None:
    spec = WorkflowSpec(body, body.__name__)
    anyio.run(execute, spec, (arg,), {}, RunOptions(runs_dir=runs_dir, transcript=False))


def floor_noop(n: int) -> float:
    async def noop() -> None:
        return None

    async def loop() -> None:
        for _ in range(n):
            await noop()

    return best_of(3, lambda: asyncio.run(loop()))


def floor_append(n: int, line: bytes, lines_per_item: int) -> float:
    def write() -> None:
        with tempfile.TemporaryDirectory() as d:
            fd = os.open(os.path.join(d, "x.jsonl"), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
            for _ in range(n * lines_per_item):
                os.write(fd, line)
            os.close(fd)

    return best_of(3, write)


def engine_cost(body, n: int) -> float:
    def once() -> None:
        with tempfile.TemporaryDirectory() as d:
            _run_workflow(body, n, Path(d))

    return best_of(3, once)


def startup(cmd: list[str]) -> float:
    return median_of(7, lambda: subprocess.run(cmd, check=True, capture_output=True))


def subprocess_floor(n: int) -> float:
    async def loop() -> None:
        for _ in range(n):
            proc = await asyncio.create_subprocess_exec("true", stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                        stdin=subprocess.DEVNULL, start_new_session=True)
            await proc.communicate()

    return best_of(3, lambda: asyncio.run(loop()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller N (for a smoke run)")
    opts = parser.parse_args(argv)
    sizes = [100, 1000] if opts.quick else [100, 1_000, 10_000]
    line = b'{"event_id":"01M85ZAGNGH986BRCV1N96CCZS","run_id":"01M85ZAGMTXEN3GMN6DBDMT6X9","seq":3,' \
           b'"parent_id":"01M85ZAGNDKP9F7KFYY74BAYMA","step_path":["trivial"],"op":"step.enter"}\n'
    rows = []
    for label, body, lines in (("trivial @step", _steps, 2), ("det.random()", _dets, 1)):
        for n in sizes:
            cost = engine_cost(body, n)
            floor = floor_noop(n) + floor_append(n, line, lines)
            rows.append([label, n, cost / n * 1e6, floor / n * 1e6, cost / floor])
    for k in ([10, 100] if opts.quick else [10, 100, 1_000]):
        cost = engine_cost(_parallel, k)
        floor = floor_noop(k) + floor_append(k, line, 2)
        rows.append(["parallel branch", k, cost / k * 1e6, floor / k * 1e6, cost / floor])
    print(table(["what", "N", "µs/item", "floor µs/item", "ratio"], rows))
    print()

    n = 100 if opts.quick else 300
    cost = engine_cost(_runs, n) / n
    floor = subprocess_floor(n) / n
    print(table(["what", "N", "µs/call", "floor µs/call", "overhead µs"],
                [['run(["true"])', n, cost * 1e6, floor * 1e6, (cost - floor) * 1e6]]))
    print()

    bare = startup([sys.executable, "-c", "pass"])
    imp = startup([sys.executable, "-c", "import godel"])
    godel = str(Path(sys.executable).parent / "godel")
    help_ = startup([godel, "--help"])
    print(table(["start-up", "ms", "over bare python (ms)"],
                [["python -c pass", bare * 1e3, 0.0], ["import godel", imp * 1e3, (imp - bare) * 1e3],
                 ["godel --help", help_ * 1e3, (help_ - bare) * 1e3]]))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    raise SystemExit(main())
