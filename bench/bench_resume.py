"""Resume benchmark: replaying a run of N cached steps, against loading its lines with a plain loop.

Target (durability issue): a resume replays at least 20,000 cached steps per second.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import anyio
from _common import best_of, table

import godel
from godel import det, step, workflow
from godel.engine.workflow import RunOptions, execute


@step
async def cached(i):
    return det.random()


@workflow
async def many(n):
    for i in range(n):
        await cached(i)
    return n


def make_run(n: int, runs_dir: Path) -> str:
    ids: list[str] = []
    anyio.run(
        execute,
        many.__godel_workflow__,
        (n,),
        {},
        RunOptions(runs_dir=runs_dir, transcript=False, on_start=lambda r, _p: ids.append(r)),
    )
    return ids[0]


def plain_load(path: Path) -> None:
    with open(path) as fh:
        for line in fh:
            json.loads(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    opts = parser.parse_args(argv)
    rows = []
    for n in [1_000] if opts.quick else [1_000, 10_000]:
        with tempfile.TemporaryDirectory() as d:
            runs = Path(d)
            run_id = make_run(n, runs)

            def replay(run_id: str = run_id, runs: Path = runs) -> None:
                anyio.run(lambda: godel.resume(many, run_id, runs_dir=runs, transcript=False))

            took = best_of(3, replay)
            floor = best_of(3, lambda path=runs / f"{run_id}.jsonl": plain_load(path))
            rows.append([n, took * 1e3, n / took, floor * 1e3, took / floor])
    print(table(["cached steps", "resume ms", "steps/s", "plain load ms", "ratio"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
