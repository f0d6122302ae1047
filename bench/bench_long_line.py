"""Readers against one very long line: time per MB must stay flat as the line grows.

A small run's log gets one long line of N MB, either as a torn last line (a writer killed while
writing a huge value) or as a complete unreadable line in the middle. Each reader reads the
whole file: ``summarize`` (what ``runs list`` does per run), ``read_batches`` (``tail
--no-follow``) and ``EventLog.load`` (``show``, torn last line only: a bad line in the middle
is corruption it refuses). The floor is one ``f.read()`` of the file plus ``split(b"\\n")``.
Reading a line that arrives over many chunks used to cost time quadratic in its length
(17 s for a 50 MB torn line); a flat ``ms/MB`` column is the target. Nothing asserts.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from _common import best_of, table

from godel.log import EventLog, read_batches
from godel.runs import summarize


def make_run(runs: Path, megabytes: int, where: str) -> Path:
    """A finished run of 20 events whose log gets a ``megabytes`` MB line ``where``."""
    log = EventLog.create(runs, None, durability="none")
    root = log.start("WORKFLOW_STARTED", request={"function": "f", "args": [], "kwargs": {}})
    for i in range(20):
        log.record("det.random", response={"value": i / 20}, parent_id=root.event_id)
    log.finish(root, {"result": None})
    log.close()
    path = runs / f"{log.run_id}.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    long = b'{"event_id": "' + b"x" * (megabytes * 1024 * 1024) + b'"'
    if where == "torn":
        lines.append(long)
    else:
        lines.insert(len(lines) // 2, long + b"\n")
    path.write_bytes(b"".join(lines))
    return path


def _floor(path: Path) -> None:
    with open(path, "rb") as f:
        f.read().split(b"\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,4,16,64", help="line sizes in MB (default 1,4,16,64)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="sizes 1 and 4, one run each")
    args = parser.parse_args(argv)
    sizes = [1, 4] if args.quick else [int(s) for s in args.sizes.split(",") if s]
    repeat = 1 if args.quick else args.repeat
    root = Path(tempfile.mkdtemp(prefix="godel-bench-long-"))
    rows = []
    quiet = [].append  # the readers' warnings (the torn or unreadable line) are expected
    try:
        for where in ("torn", "middle"):
            for mb in sizes:
                runs = root / f"{where}-{mb}"
                path = make_run(runs, mb, where)
                run_id = path.stem
                readers = {
                    "summarize (runs list)": lambda r=runs, i=run_id: _summarize(i, r),
                    "read_batches (tail --no-follow)": lambda p=path: list(
                        read_batches(p, on_warning=quiet)
                    ),
                }
                if where == "torn":
                    readers["EventLog.load (show)"] = lambda r=runs, i=run_id: EventLog.load(i, r)
                floor = best_of(repeat, lambda p=path: _floor(p))
                for name, read in readers.items():
                    took = best_of(repeat, read)
                    rows.append([where, name, mb, took * 1e3, took * 1e3 / mb, floor * 1e3 / mb])
                shutil.rmtree(runs)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(table(["line", "reader", "MB", "ms", "ms/MB", "floor ms/MB"], rows))
    return 0


def _summarize(run_id: str, runs: Path) -> None:
    try:
        summarize(run_id, runs)
    except ValueError:  # a bad line in the middle: the summary refuses it, as show does
        pass


if __name__ == "__main__":
    import sys

    sys.exit(main())
