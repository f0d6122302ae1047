"""The speed issue's process rows counted in CPU instructions (valgrind's callgrind), not timed.

A shared machine's speed moves by 2x from one day to the next (``python -c "import asyncio"``
took 50 ms on one day and 106 to 131 ms on another, on the same kind of machine), and the
wall-clock rows of ``bench_targets.py`` move with it. The number of instructions a command
executes does not: it changes only when the code does, to a fraction of a percent. This is the
figure to put in a commit message for a start-up or read-path change (before and after), and
to compare across days. Rows, each with its floor counted the same way:

- ``godel run empty.py``, after two runs (the pre-flight's record holds), against
  ``python -c "import asyncio"`` and against a click command running an empty coroutine with
  ``asyncio.run`` (godel's stack);
- ``godel --help`` (from the help cache) against ``python -c pass``;
- ``godel show`` of a one-step run, and ``godel show`` / ``godel tail --no-follow`` of 10,000
  steps, against ``python -c pass`` plus a ``json.loads`` loop over the same log;
- a trivial ``@step``, per step: the count for N = 3,000 steps minus N = 1,000, over 2,000.

callgrind runs each command 20 to 50 times slower, so the whole takes a minute or two. Without
valgrind (``apt-get install valgrind``) it says so and does nothing.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import started_as_installed, table
from bench_targets import STACK_FLOOR, build

BIN = Path(sys.executable).parent
_TOTAL = re.compile(rb"^(?:summary|totals):\s+(\d+)", re.MULTILINE)

STEPS = """
import sys, tempfile
from pathlib import Path
sys.path.insert(0, {bench!r})
from bench_targets import build
with tempfile.TemporaryDirectory() as d:
    build(int(sys.argv[1]), Path(d))
"""

JSON_FLOOR = """
import json, sys
with open(sys.argv[1], "rb") as f:
    for line in f:
        json.loads(line)
"""


def instructions(cmd: list[str], cwd: Path | None = None) -> int:
    """Instructions ``cmd`` executes, its start and exit included (callgrind's total)."""
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "callgrind.out"
        subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *cmd],
            check=True,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        found = _TOTAL.search(out.read_bytes())
        if found is None:
            raise RuntimeError(f"callgrind wrote no total for {cmd}")
        return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="the same rows (make bench passes it to every file)"
    )
    parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind): no instruction counts")
        return 0
    started_as_installed()
    python, godel_bin = sys.executable, str(BIN / "godel")
    rows: list[list[object]] = []

    def row(what: str, count: int, floor: int | None, floor_name: str) -> None:
        ratio = f"{count / floor:.2f}x" if floor else ""
        rows.append(
            [
                what,
                f"{count / 1e6:,.0f}M",
                f"{floor / 1e6:,.0f}M" if floor else "",
                ratio,
                floor_name,
            ]
        )

    pass_ = instructions([python, "-c", "pass"])
    with tempfile.TemporaryDirectory() as d:
        here = Path(d)
        (here / "empty.py").write_text(
            "from godel import workflow\n\n\n@workflow\nasync def main():\n    return None\n"
        )
        for _ in range(2):  # the pre-flight's record, and the modules compiled
            subprocess.run(
                [godel_bin, "run", "empty.py"], check=True, capture_output=True, cwd=here
            )
        run = instructions([godel_bin, "run", "empty.py"], cwd=here)
        row(
            "godel run empty.py",
            run,
            instructions([python, "-c", "import asyncio"]),
            "import asyncio",
        )
        row("  vs click + asyncio.run", run, instructions([python, "-c", STACK_FLOOR]), "the stack")
        subprocess.run([godel_bin, "--help"], check=True, capture_output=True)  # recorded
        row("godel --help", instructions([godel_bin, "--help"]), pass_, "python -c pass")

        runs = here / "runs"
        for n in (1, 10_000):
            run_id = build(n, runs)
            log = runs / f"{run_id}.jsonl"
            floor = instructions([python, "-c", JSON_FLOOR, str(log)])
            common = ["--runs-dir", str(runs)]
            label = "one step" if n == 1 else f"N={n:,}"
            row(
                f"godel show ({label})",
                instructions([godel_bin, "show", run_id, *common]),
                floor,
                "json.loads loop",
            )
            if n > 1:
                tail = instructions([godel_bin, "tail", run_id, "--no-follow", *common])
                row(f"godel tail --no-follow ({label})", tail, floor, "json.loads loop")
    steps = STEPS.format(bench=str(Path(__file__).parent))
    small, large = (instructions([python, "-c", steps, str(n)]) for n in (1_000, 3_000))
    rows.append(
        [
            "trivial @step, per step",
            f"{(large - small) / 2_000 / 1e3:,.1f}k",
            "",
            "",
            "(N=3,000 - N=1,000)",
        ]
    )
    print(table(["row", "instructions", "floor", "ratio", "floor is"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
