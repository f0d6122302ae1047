"""Audit-log benchmark: appending and loading events through ``EventLog`` against the file floor.

For each N (default 1,000 / 10,000 / 100,000) and each workload:

- ``pair``   one event = ``EventLog.start`` + ``EventLog.finish`` (two lines), shaped like a
             ``run`` event: a small request and a response with ``--payload`` bytes of stdout;
- ``record`` one event = ``EventLog.record`` (one line), shaped like a ``det.random`` value.

the floor is a plain Python loop that ``json.dumps`` the very dicts godel wrote (read back from
its log before the clock starts) and ``os.write``s each line to an ``O_APPEND`` file: the same
bytes, handed to the OS line by line, as godel's default durability does. The fsync floor does
the same with an fsync after every line, against godel with ``durability="always"``; it uses
``--fsync-events`` events because an fsync costs milliseconds on many disks.

Targets (issue "audit log"): godel within 3x of the flushed floor; bytes per event within 2x of
the bytes the event carries (compact JSON of request + response); per-event cost flat in N.
Nothing here asserts a time: it prints figures and ratios for a person to read.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from godel import EventLog

DEFAULT_SIZES = (1_000, 10_000, 100_000)
TARGET_RATIO = 3.0
TARGET_BYTES_RATIO = 2.0


@dataclass
class Result:
    mode: str
    n: int
    godel_s: float  # best time for n events through EventLog
    floor_s: float  # best time for the plain loop writing the same lines
    load_s: float  # EventLog.load of the resulting log
    load_floor_s: float  # json.loads of every line, folded into a dict by event_id
    bytes_per_event: float
    carried_per_event: float

    @property
    def ratio(self) -> float:
        return self.godel_s / self.floor_s

    @property
    def load_ratio(self) -> float:
        return self.load_s / self.load_floor_s

    @property
    def bytes_ratio(self) -> float:
        return self.bytes_per_event / self.carried_per_event


# workloads -----------------------------------------------------------------------------------


def _pair_workload(payload: str) -> Callable[[EventLog, int], None]:
    def write(log: EventLog, n: int) -> None:
        root = log.start("WORKFLOW_STARTED", request={"function": "bench"})
        for i in range(n):
            ev = log.start(
                "run",
                request={
                    "cmd": ["pytest", "-q", f"tests/test_{i}.py"],
                    "cwd": "/work/project",
                    "timeout": 600,
                    "idempotent": False,
                },
                step_path=("bench",),
                parent_id=root.event_id,
                step_local_seq=i,
                stream_path=[f"L{i}"],
            )
            log.finish(ev, {"stdout": payload, "stderr": "", "returncode": 0})

    return write


def _record_workload(log: EventLog, n: int) -> None:
    root = log.start("WORKFLOW_STARTED", request={"function": "bench"})
    for i in range(n):
        log.record(
            "det.random",
            response={"value": i / (n + 1)},
            step_path=("bench",),
            parent_id=root.event_id,
            step_local_seq=i,
        )


def _event_lines(path: Path) -> list[bytes]:
    """The event lines of a log (header and the root event left out)."""
    lines = path.read_bytes().splitlines(keepends=True)[1:]
    root_id = json.loads(lines[0])["event_id"]
    return [line for line in lines if json.loads(line)["event_id"] != root_id]


def _carried(lines: list[bytes], n: int) -> float:
    """Bytes of compact JSON of request + response per event (final state of each event)."""
    final: dict[str, dict] = {}
    for line in lines:
        obj = json.loads(line)
        final[obj["event_id"]] = obj
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    return sum(len(dumps(o["request"])) + len(dumps(o["response"])) for o in final.values()) / n


# timing --------------------------------------------------------------------------------------


def _time_godel(
    write: Callable[[EventLog, int], None],
    n: int,
    root: Path,
    durability: str,
    repeat: int,
    *,
    collector: bool = True,
) -> tuple[float, Path, str]:
    best = float("inf")
    runs_dir = run_id = None
    for attempt in range(repeat):
        runs_dir = root / f"godel-{durability}-{n}-{attempt}"
        log = EventLog.create(runs_dir, durability=durability)
        gc.collect()
        if not collector:
            gc.disable()
        try:
            start = time.perf_counter()
            write(log, n)
            elapsed = time.perf_counter() - start
        finally:
            gc.enable()
        log.close()
        run_id = log.run_id
        best = min(best, elapsed)
        if attempt < repeat - 1:
            shutil.rmtree(runs_dir)
    assert runs_dir is not None and run_id is not None
    return best, runs_dir, run_id


def _time_floor(dicts: list[dict], root: Path, fsync: bool, repeat: int) -> tuple[float, int]:
    best = float("inf")
    size = 0
    for attempt in range(repeat):
        path = root / f"floor-{'fsync' if fsync else 'flush'}-{len(dicts)}-{attempt}.jsonl"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        dumps, write, sync = json.dumps, os.write, os.fsync
        gc.collect()
        start = time.perf_counter()
        if fsync:
            for d in dicts:
                write(fd, (dumps(d, separators=(",", ":")) + "\n").encode())
                sync(fd)
        else:
            for d in dicts:
                write(fd, (dumps(d, separators=(",", ":")) + "\n").encode())
        elapsed = time.perf_counter() - start
        os.close(fd)
        size = path.stat().st_size
        path.unlink()
        best = min(best, elapsed)
    return best, size


def _time_load(run_id: str, runs_dir: Path, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        log = EventLog.load(run_id, runs_dir)
        best = min(best, time.perf_counter() - start)
        del log
    return best


def _time_load_floor(path: Path, repeat: int) -> float:
    """A plain fold: parse every line, keep the last per event_id (cyclic GC off, as godel does)."""
    best = float("inf")
    loads = json.loads
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            folded = {}
            with open(path, "rb") as f:
                for raw in f:
                    obj = loads(raw)
                    folded[obj.get("event_id")] = obj
            best = min(best, time.perf_counter() - start)
        finally:
            gc.enable()
        del folded
    return best


def measure(
    mode: str,
    write: Callable[[EventLog, int], None],
    n: int,
    root: Path,
    *,
    durability: str,
    repeat: int,
    fsync_floor: bool = False,
) -> Result:
    """godel and its floor for ``n`` events of one workload."""
    godel_s, runs_dir, run_id = _time_godel(write, n, root, durability, repeat)
    lines = _event_lines(runs_dir / f"{run_id}.jsonl")
    dicts = [json.loads(line) for line in lines]
    floor_s, floor_bytes = _time_floor(dicts, root, fsync_floor, repeat)
    godel_bytes = sum(len(line) for line in lines)
    if floor_bytes != godel_bytes:
        raise SystemExit(
            f"floor wrote {floor_bytes} bytes, godel {godel_bytes}: not the same lines"
        )
    load_repeat = 1 if fsync_floor else repeat
    load_s = _time_load(run_id, runs_dir, load_repeat)
    load_floor_s = _time_load_floor(runs_dir / f"{run_id}.jsonl", load_repeat)
    shutil.rmtree(runs_dir)
    return Result(
        mode, n, godel_s, floor_s, load_s, load_floor_s, godel_bytes / n, _carried(lines, n)
    )


def write_without_collector(
    write: Callable[[EventLog, int], None], n: int, root: Path, repeat: int
) -> float:
    """Seconds for ``n`` events with the cyclic GC off: separates GC cost from godel's own."""
    seconds, runs_dir, _ = _time_godel(write, n, root, "default", repeat, collector=False)
    shutil.rmtree(runs_dir)
    return seconds


# report --------------------------------------------------------------------------------------


def _us(seconds: float, n: int) -> str:
    return f"{seconds / n * 1e6:.1f}"


def _rate(seconds: float, n: int) -> str:
    return f"{n / seconds:,.0f}"


def _render(headers: list[str], rows: list[list[str]]) -> str:
    cells = [headers, *rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    out = ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def _write_table(results: list[Result]) -> str:
    headers = [
        "workload",
        "N",
        "godel ev/s",
        "floor ev/s",
        "godel us/ev",
        "floor us/ev",
        "ratio",
        "B/event",
        "carried B",
        "B ratio",
    ]
    return _render(
        headers,
        [
            [
                r.mode,
                f"{r.n:,}",
                _rate(r.godel_s, r.n),
                _rate(r.floor_s, r.n),
                _us(r.godel_s, r.n),
                _us(r.floor_s, r.n),
                f"{r.ratio:.2f}x",
                f"{r.bytes_per_event:.0f}",
                f"{r.carried_per_event:.0f}",
                f"{r.bytes_ratio:.2f}x",
            ]
            for r in results
        ],
    )


def _load_table(results: list[Result]) -> str:
    headers = ["workload", "N", "load ev/s", "floor ev/s", "load us/ev", "floor us/ev", "ratio"]
    return _render(
        headers,
        [
            [
                r.mode,
                f"{r.n:,}",
                _rate(r.load_s, r.n),
                _rate(r.load_floor_s, r.n),
                _us(r.load_s, r.n),
                _us(r.load_floor_s, r.n),
                f"{r.load_ratio:.2f}x",
            ]
            for r in results
        ],
    )


def _growth(results: list[Result], mode: str, no_gc_s: float | None) -> list[str]:
    mine = sorted((r for r in results if r.mode == mode), key=lambda r: r.n)
    if len(mine) < 2:
        return []
    small, large = mine[0], mine[-1]

    def per(seconds: float, n: int) -> float:
        return seconds / n

    write = per(large.godel_s, large.n) / per(small.godel_s, small.n)
    floor = per(large.floor_s, large.n) / per(small.floor_s, small.n)
    load = per(large.load_s, large.n) / per(small.load_s, small.n)
    load_floor = per(large.load_floor_s, large.n) / per(small.load_floor_s, small.n)
    verdict = "flat" if write < 1.5 and load < 1.5 else "GROWS: look for O(n^2)"
    lines = [
        f"{mode:>6}: per-event time at N={large.n:,} vs N={small.n:,}: write {write:.2f}x "
        f"(floor {floor:.2f}x), load {load:.2f}x (floor {load_floor:.2f}x) -> {verdict}"
    ]
    if no_gc_s is not None:
        lines.append(
            f"{'':>6}  write at N={large.n:,} with the cyclic GC off: {_us(no_gc_s, large.n)} us/ev, "
            f"{per(no_gc_s, large.n) / per(small.godel_s, small.n):.2f}x N={small.n:,} "
            f"(the rest is CPython's GC walking the events the log keeps in memory)"
        )
    return lines


def _verdicts(results: list[Result]) -> list[str]:
    worst = max(results, key=lambda r: r.ratio)
    ok = "ok" if worst.ratio <= TARGET_RATIO else "MISSED"
    lines = [
        f"target: within {TARGET_RATIO:.0f}x of the flushed floor -> worst {worst.ratio:.2f}x "
        f"({worst.mode}, N={worst.n:,}): {ok}"
    ]
    for mode in dict.fromkeys(r.mode for r in results):
        worst_bytes = max((r for r in results if r.mode == mode), key=lambda r: r.bytes_ratio)
        ok_bytes = "ok" if worst_bytes.bytes_ratio <= TARGET_BYTES_RATIO else "MISSED"
        envelope = worst_bytes.bytes_per_event - worst_bytes.carried_per_event
        again = ", and the request again on the finishing line" if mode == "pair" else ""
        lines.append(
            f"target: bytes/event within {TARGET_BYTES_RATIO:.0f}x of bytes carried -> {mode}: "
            f"{worst_bytes.bytes_ratio:.2f}x: {ok_bytes} ({envelope:.0f} B/event on top of the "
            f"{worst_bytes.carried_per_event:.0f} B carried: each line's ids, hash, timestamps "
            f"and keys{again})"
        )
    return lines


def _ids_table(n: int = 100_000, repeat: int = 3) -> str:
    """godel's event-id stamper against python-ulid, per id and to import (a fresh process)."""
    import subprocess
    import timeit

    from ulid import ULID

    from godel.log.events import utc_now
    from godel.log.ids import Stamper

    stamper = Stamper()
    ours = min(timeit.repeat(stamper.new_id_and_now, number=n, repeat=repeat)) / n
    theirs = min(timeit.repeat(lambda: (str(ULID()), utc_now()), number=n, repeat=repeat)) / n

    def import_ms(module: str) -> float:
        code = (
            f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
        )
        runs = [
            subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            for _ in range(repeat)
        ]
        return min(float(r.stdout) for r in runs) * 1e3

    rows = [
        ["godel.log.ids.Stamper", f"{ours * 1e6:.2f}", f"{import_ms('godel.log.ids'):.1f}"],
        ["python-ulid str(ULID()) + utc_now()", f"{theirs * 1e6:.2f}", f"{import_ms('ulid'):.1f}"],
    ]
    return _render(["event id + timestamp", "us/id", "import ms"], rows)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its tables; returns a process exit code (always 0)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, DEFAULT_SIZES)),
        help="comma-separated event counts (default: %(default)s)",
    )
    parser.add_argument(
        "--payload",
        type=int,
        default=1000,
        help="bytes of stdout in each 'pair' event's response (default: %(default)s)",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="best of this many runs (default: %(default)s)"
    )
    parser.add_argument(
        "--fsync-events",
        type=int,
        default=300,
        help="events for the fsync comparison, 0 to skip (default: %(default)s)",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="where to write (default: a temp dir; use a real disk, not tmpfs, for fsync)",
    )
    parser.add_argument("--quick", action="store_true", help="sizes 1,000 and 10,000, one run each")
    args = parser.parse_args(argv)
    sizes = (
        [1_000, 10_000]
        if args.quick
        else [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    )
    repeat = 1 if args.quick else max(1, args.repeat)
    payload = ("build output " * (args.payload // 13 + 1))[: args.payload]
    workloads = [("pair", _pair_workload(payload)), ("record", _record_workload)]

    root = Path(tempfile.mkdtemp(prefix="godel-bench-log-", dir=args.dir))
    try:
        print(
            f"godel audit-log benchmark - Python {platform.python_version()}, {platform.system()}, "
            f"writing to {root}"
        )
        print(
            f"pair = start+finish of a 'run' event ({args.payload} B stdout, 2 lines/event); "
            f"record = one det.random line/event; best of {repeat}"
        )
        print()
        results = [
            measure(mode, write, n, root, durability="default", repeat=repeat)
            for n in sizes
            for mode, write in workloads
        ]
        print(
            "writing, durability=default, vs the flushed floor (json.dumps + os.write per line, same bytes)"
        )
        print(_write_table(results))
        print()
        print(
            "loading (EventLog.load) vs a plain fold of the same file (json.loads per line, last per id)"
        )
        print(_load_table(results))
        print()
        for mode, write in workloads:
            no_gc = (
                write_without_collector(write, max(sizes), root, repeat) if len(sizes) > 1 else None
            )
            for line in _growth(results, mode, no_gc):
                print(line)
        for line in _verdicts(results):
            print(line)
        print()
        print(_ids_table(repeat=repeat))
        if args.fsync_events > 0:
            synced = [
                measure(
                    mode,
                    write,
                    args.fsync_events,
                    root,
                    durability="always",
                    repeat=1,
                    fsync_floor=True,
                )
                for mode, write in workloads
            ]
            print()
            print(
                f"durability=always vs the fsync floor (fsync after every line; "
                f"{args.fsync_events:,} events only: fsyncs are slow)"
            )
            print(_write_table(synced))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
