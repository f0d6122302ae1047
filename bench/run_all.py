"""``make bench``: the speed issue's table first (``bench_targets``), then every other benchmark.

Without arguments the table's growth check goes up to N = 10,000 and the other benchmarks run
their ``--quick`` form, so that the whole takes a few minutes. ``--full`` takes the growth check
to N = 100,000 and runs every benchmark at its full size (tens of minutes); ``--quick`` makes the
table itself quick too.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

BENCHES = [
    "bench_log",
    "bench_engine",
    "bench_resume",
    "bench_read",
    "bench_long_line",
    "bench_lint",
    "bench_watch",
    "bench_web",
    "bench_store",
    "bench_instructions",  # says so and does nothing without valgrind
]


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    full = "--full" in args
    sys.path.insert(0, str(Path(__file__).parent))
    print("\n=== bench_targets (the speed issue's table) ===", flush=True)
    importlib.import_module("bench_targets").main(
        ["--full"] if full else [a for a in args if a == "--quick"]
    )
    for name in BENCHES:
        print(f"\n=== {name} ===", flush=True)
        module = importlib.import_module(name)
        module.main([] if full else ["--quick"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
