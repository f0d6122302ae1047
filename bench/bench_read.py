"""Reading benchmark: ``godel show``, ``tail --no-follow`` and ``runs list`` on a long run.

Builds a run of N trivial ``@step`` calls with the engine (one line per step), then times:

- ``show``: in-process through the click command (``CliRunner``), with and without ``--graph``,
  and as a subprocess (start-up included);
- ``tail --no-follow``: in-process through the click command, and as a subprocess;
- ``summarize`` (what ``runs list`` does per run).

The floor is loading the same lines with a plain ``for line in f: json.loads(line)`` loop.
Targets (durability issue): ``show`` and ``tail`` on 10,000 steps under 0.5 s.

Then ``tail``'s peak memory (tracemalloc) on a small log and on a log 10 times larger, to show
that it does not depend on the length of the log. Nothing asserts: read the table.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

import anyio
from _common import best_of, table
from click.testing import CliRunner

from godel import step
from godel.engine.workflow import RunOptions, WorkflowSpec, execute
from godel.runs.status import summarize
from godel.runs.tail import tail
from godel_cli.main import cli

TARGET_S = 0.5


@step
async def trivial() -> None:
    return None


async def _steps(n: int) -> None:
    for _ in range(n):
        await trivial()


def build(n: int, runs_dir: Path) -> str:
    """A run of ``n`` trivial steps; returns its id."""
    ids: list[str] = []
    options = RunOptions(
        runs_dir=runs_dir, transcript=False, on_start=lambda run_id, _p: ids.append(run_id)
    )
    anyio.run(execute, WorkflowSpec(_steps, "steps"), (n,), {}, options)
    return ids[0]


def floor(path: Path) -> float:
    def load() -> None:
        with open(path) as f:
            for line in f:
                json.loads(line)

    return best_of(3, load)


def in_process(args: list[str]) -> float:
    runner = CliRunner()

    def once() -> None:
        result = runner.invoke(cli, args)
        if result.exit_code != 0:
            raise RuntimeError(
                f"godel {' '.join(args)} exited {result.exit_code}: {result.output[-500:]}"
            )

    once()  # plugin loading and imports are paid once per process, not per call
    return best_of(3, once)


def as_subprocess(args: list[str]) -> float:
    godel = str(Path(sys.executable).parent / "godel")
    return best_of(3, lambda: subprocess.run([godel, *args], check=True, stdout=subprocess.DEVNULL))


def tail_peak(run_id: str, runs_dir: Path) -> int:
    async def drain() -> int:
        n = 0
        async for _ in tail(run_id, runs_dir=runs_dir, follow=False):
            n += 1
        return n

    gc.collect()
    tracemalloc.start()
    try:
        anyio.run(drain)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--steps", type=int, default=10_000, help="steps in the timed run (default 10,000)"
    )
    parser.add_argument("--quick", action="store_true", help="1,000 steps (a smoke run)")
    parser.add_argument(
        "--dir", type=Path, default=None, help="where to write the runs (default: a temp dir)"
    )
    opts = parser.parse_args(argv)
    n = 1_000 if opts.quick else opts.steps
    with tempfile.TemporaryDirectory(dir=opts.dir) as tmp:
        runs_dir = Path(tmp) / "runs"
        run_id = build(n, runs_dir)
        path = runs_dir / f"{run_id}.jsonl"
        lines = sum(1 for _ in open(path, "rb"))
        base = floor(path)
        common = ["--runs-dir", str(runs_dir)]
        measured = [
            ("show (in-process)", in_process(["show", run_id, *common])),
            ("show --graph (in-process)", in_process(["show", run_id, "--graph", *common])),
            ("show (subprocess)", as_subprocess(["show", run_id, *common])),
            ("tail --no-follow (in-process)", in_process(["tail", run_id, "--no-follow", *common])),
            (
                "tail --no-follow --format json (in-process)",
                in_process(["tail", run_id, "--no-follow", "--format", "json", *common]),
            ),
            (
                "tail --no-follow (subprocess)",
                as_subprocess(["tail", run_id, "--no-follow", *common]),
            ),
            ("summarize (runs list, per run)", best_of(3, lambda: summarize(run_id, runs_dir))),
        ]
        rows = [
            [what, n, lines, secs, base, secs / base, "yes" if secs < TARGET_S else "NO"]
            for what, secs in measured
        ]
        print(f"run of {n:,} steps: {lines:,} lines, {path.stat().st_size / 1e6:.1f} MB")
        print(table(["what", "steps", "lines", "s", "floor s", "ratio", f"< {TARGET_S}s"], rows))
        print()

        # The small log must span several read chunks, or it would not show the steady state.
        small_n = max(n // 10, 500)
        large_n = 10 * small_n
        small_id = build(small_n, runs_dir)
        large_id = run_id if large_n == n else build(large_n, runs_dir)
        small_peak = tail_peak(small_id, runs_dir)
        large_peak = tail_peak(large_id, runs_dir)
        print(
            table(
                ["tail peak memory", "steps", "MB on disk", "peak KiB"],
                [
                    [
                        "small log",
                        small_n,
                        (runs_dir / f"{small_id}.jsonl").stat().st_size / 1e6,
                        small_peak / 1024,
                    ],
                    [
                        "10x larger log",
                        large_n,
                        (runs_dir / f"{large_id}.jsonl").stat().st_size / 1e6,
                        large_peak / 1024,
                    ],
                ],
            )
        )
        print(
            f"peak ratio large/small: {large_peak / small_peak:.2f} (1.00 = independent of the log's size)"
        )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    raise SystemExit(main())
