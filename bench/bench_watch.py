"""Watch benchmark: ``godel watch`` opening a long run, following a fast one, and its memory.

1. **Opening**: a finished run of N steps (10,000 by default; each step records a ``det``
   value, so 3 log lines a step) is opened by the view (headless, Textual's ``run_test``) and
   by plain mode (to a string). Target: under 1 s for 10,000 steps. The floor is loading the
   same lines with a plain ``for line in f: json.loads(line)`` loop.
2. **Following**: a writer process records steps at about 1,000 log lines a second while the
   view follows; the table gives the rate written, the slowest refresh of the view, and how
   long after the writer's last line the view had it (the lag). Target: the view keeps up
   (lag about one poll interval, 0.1 s), whatever the backlog.
3. **Memory** (tracemalloc): the view's state after opening N and 2N steps (it grows with the
   number of nodes, which the tree shows, not with what they said), and an agent answer of
   1,000 and of 100,000 lines (windowed: the same memory).

Nothing asserts: read the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import json
import subprocess
import sys
import tempfile
import textwrap
import time
import tracemalloc
from pathlib import Path

import anyio
from _common import best_of, table

from godel import det, step
from godel.engine.workflow import RunOptions, WorkflowSpec, execute
from godel_watch.app import WatchApp
from godel_watch.model import RunState
from godel_watch.plain import PlainRenderer, View, run_plain
from godel_watch.reducer import apply_event, apply_item
from godel_watch.source import RunFiles

TARGET_OPEN_S = 1.0


@step
async def one() -> float:
    return det.random()


async def _steps(n: int) -> None:
    for _ in range(n):
        await one()


def build(n: int, runs_dir: Path) -> str:
    ids: list[str] = []
    options = RunOptions(
        runs_dir=runs_dir, transcript=False, on_start=lambda run_id, _p: ids.append(run_id)
    )
    anyio.run(execute, WorkflowSpec(_steps, "steps"), (n,), {}, options)
    return ids[0]


def floor(path: Path) -> float:
    def load() -> None:
        with open(path, "rb") as f:
            for line in f:
                json.loads(line)

    return best_of(3, load)


def open_view(run_id: str, runs_dir: Path) -> float:
    """Seconds from creating the view to its first complete screen."""

    async def go() -> float:
        start = time.perf_counter()
        app = WatchApp(run_id, runs_dir)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            took = time.perf_counter() - start
            assert app.state.status == "finished", app.state.status
        return took

    return min(asyncio.run(go()) for _ in range(2))


def open_plain(run_id: str, runs_dir: Path) -> float:
    def go() -> None:
        files = RunFiles(run_id, runs_dir)
        renderer = PlainRenderer(RunState(run_id), io.StringIO(), View())
        run_plain(files, renderer, follow=False)
        files.close()

    return best_of(3, go)


WRITER = textwrap.dedent(
    """
    import sys, time
    import anyio
    from godel import det, step
    from godel.engine.workflow import RunOptions, WorkflowSpec, execute

    rate, seconds, runs_dir = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]

    @step
    async def one() -> float:
        return det.random()

    async def paced() -> None:
        start, done = time.monotonic(), 0
        while time.monotonic() - start < seconds:
            await one()
            done += 3  # log lines per step
            ahead = done / rate - (time.monotonic() - start)
            if ahead > 0.005:
                time.sleep(ahead)

    def started(run_id, _path):
        print(run_id, flush=True)

    options = RunOptions(runs_dir=runs_dir, transcript=False, on_start=started)
    anyio.run(execute, WorkflowSpec(paced, "paced"), (), {}, options)
    """
)


def follow(runs_dir: Path, rate: float, seconds: float) -> dict[str, float]:
    """The view following a writer of ``rate`` log lines a second for ``seconds``."""
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(rate), str(seconds), str(runs_dir)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    run_id = proc.stdout.readline().strip()

    async def go() -> dict[str, float]:
        app = WatchApp(run_id, runs_dir, poll=0.1)
        slowest = 0.0
        reads = 0
        original = app.read

        def timed() -> None:
            nonlocal slowest, reads
            start = time.perf_counter()
            original()
            slowest = max(slowest, time.perf_counter() - start)
            reads += 1

        app.read = timed  # type: ignore[method-assign]
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            app.set_interval(0.1, timed)
            while proc.poll() is None:
                await pilot.pause(0.05)
            ended = time.perf_counter()
            while app.state.status != "finished":
                await pilot.pause(0.01)
            lag = time.perf_counter() - ended
        lines = sum(1 for _ in open(runs_dir / f"{run_id}.jsonl", "rb")) - 1
        return {"lines": lines, "slowest": slowest, "lag": lag, "reads": reads}

    result = asyncio.run(go())
    proc.wait()
    result["rate"] = result["lines"] / seconds
    return result


def state_memory(run_id: str, runs_dir: Path) -> int:
    gc.collect()
    tracemalloc.start()
    files = RunFiles(run_id, runs_dir)
    state = RunState(run_id)
    items, events = files.read()
    for ev in events:
        apply_event(state, ev)
    del items, events
    gc.collect()
    size, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    files.close()
    del state
    return size


def answer_memory(lines: int) -> int:
    from godel.log import Event

    gc.collect()
    tracemalloc.start()
    state = RunState("R")
    apply_event(state, Event("W", "R", 0, op="WORKFLOW_STARTED"))
    apply_event(state, Event("C", "R", 1, op="agent.call", parent_id="W", stream_path=["L"]))
    text = "a line of an agent's long answer, streamed a chunk at a time\n"
    for _ in range(lines):
        apply_item(state, {"op": "agent.response", "stream_path": ["L"], "text": text})
    gc.collect()
    size, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del state
    return size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=10_000, help="steps in the opened run")
    parser.add_argument("--rate", type=float, default=1_000, help="log lines a second to follow")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long the writer writes")
    parser.add_argument("--quick", action="store_true", help="1,000 steps, 2 s of following")
    parser.add_argument("--dir", type=Path, default=None, help="where to write the runs")
    opts = parser.parse_args(argv)
    n = 1_000 if opts.quick else opts.steps
    seconds = 2.0 if opts.quick else opts.seconds
    with tempfile.TemporaryDirectory(dir=opts.dir) as tmp:
        runs_dir = Path(tmp) / "runs"
        run_id = build(n, runs_dir)
        double = build(2 * n, runs_dir)
        path = runs_dir / f"{run_id}.jsonl"
        lines = sum(1 for _ in open(path, "rb"))
        base = floor(path)
        view = open_view(run_id, runs_dir)
        plain = open_plain(run_id, runs_dir)
        print(
            f"\nopening a finished run of {n:,} steps ({lines:,} log lines); target < {TARGET_OPEN_S} s"
        )
        print(
            table(
                ["what", "seconds", "x floor"],
                [
                    ["floor: json.loads every line", base, 1.0],
                    ["godel watch (view, first screen)", view, view / base],
                    ["godel watch -p (plain, to a string)", plain, plain / base],
                ],
            )
        )
        live = follow(runs_dir, opts.rate, seconds)
        print(f"\nfollowing a run written at {opts.rate:,.0f} log lines a second for {seconds} s")
        print(
            table(
                [
                    "written lines/s",
                    "view reads",
                    "slowest read+redraw (s)",
                    "lag after the last line (s)",
                ],
                [[live["rate"], int(live["reads"]), live["slowest"], live["lag"]]],
            )
        )
        small, large = state_memory(run_id, runs_dir), state_memory(double, runs_dir)
        short, long = answer_memory(1_000), answer_memory(100_000)
        print("\nmemory (tracemalloc, bytes held)")
        print(
            table(
                ["what", "bytes", "ratio"],
                [
                    [f"view state, {n:,} steps", small, 1.0],
                    [f"view state, {2 * n:,} steps", large, large / small],
                    ["agent answer of 1,000 lines", short, 1.0],
                    ["agent answer of 100,000 lines (windowed)", long, long / short],
                ],
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
