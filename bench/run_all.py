"""Run every benchmark in this folder (``make bench``); pass --quick for a smoke run."""

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
]


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    sys.path.insert(0, str(Path(__file__).parent))
    for name in BENCHES:
        print(f"\n=== {name} ===", flush=True)
        module = importlib.import_module(name)
        module.main(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
