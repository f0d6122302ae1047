"""Small helpers shared by the benchmarks: timing, tables, temp run dirs."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def best_of(repeat: int, fn: Callable[[], Any]) -> float:
    """The fastest of ``repeat`` runs, in seconds (the least disturbed by a noisy machine)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def median_of(repeat: int, fn: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A plain aligned text table."""
    cells = [headers] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(str(r[i])) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(str(c).rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}" if value >= 10 else f"{value:.3f}"
    return str(value)


def started_as_installed() -> None:
    """Make the start-up rows time what an installed godel starts with: its bytecode on disk.

    pip writes the ``.pyc`` files when it installs a wheel; an editable checkout has them only
    once something compiled them, and with ``PYTHONDONTWRITEBYTECODE`` set (as in this project's
    shells) nothing ever does, so every ``godel`` the rows start compiled its modules again:
    ``godel run empty.py`` 165 ms against 104 ms compiled, ``show`` of 10,000 steps 0.17 s
    against 0.12 s. The benchmark's own children write their bytecode from here on."""
    import compileall
    import os
    from pathlib import Path

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    for src in sorted((Path(__file__).resolve().parent.parent / "packages").glob("*/src")):
        compileall.compile_dir(src, quiet=1)
