"""Engine benchmark: cost per step, det value, parallel branch, run(["true"]) and start-up.

Each figure is printed next to its physical floor measured in the same run:

- steps / det values / parallel: an asyncio loop awaiting no-op coroutines, plus a plain loop
  appending the same bytes to a file (what the log must at least do);
- run(["true"]): plain ``asyncio.create_subprocess_exec("true")`` + ``communicate()`` (and, to
  show godel's own cost, the pidfd spawn godel uses on Linux, recording nothing); with the
  default durability also one fsync per call (what "durable before it runs" costs on this
  disk); and, for reference, the same subprocess loop writing each call's two log lines with
  ``json.dumps`` + ``os.write`` and hashing its request (the least any audit log can do);
- start-up: ``python -c pass``.

Per-item figures time the items' loop inside the run (and each floor's loop alone), so the
fixed cost of a run (creating its log, loading the plugin list into its header, the fsyncs at
start and end) is printed once, on its own row, instead of being spread over the items.

Targets (issue "engine"): per-step cost constant in N and under 40 µs; run(["true"]) within
60 µs of the subprocess floor; ``godel --help`` within 60 ms of a bare interpreter start.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
from _common import best_of, median_of, table

from godel import det, parallel, run, step
from godel.engine.workflow import RunOptions, WorkflowSpec, execute


@step
async def trivial():
    return None


# Each body times its own loop: what it appends here is the items' cost without the run's.
_elapsed: list[float] = []


async def _steps(n: int) -> None:
    start = time.perf_counter()
    for _ in range(n):
        await trivial()
    _elapsed.append(time.perf_counter() - start)


async def _dets(n: int) -> None:
    start = time.perf_counter()
    for _ in range(n):
        det.random()
    _elapsed.append(time.perf_counter() - start)


async def _parallel(k: int) -> None:
    start = time.perf_counter()
    await parallel(*(trivial() for _ in range(k)))
    _elapsed.append(time.perf_counter() - start)


async def _runs(n: int) -> None:
    start = time.perf_counter()
    for _ in range(n):
        await run(["true"])
    _elapsed.append(time.perf_counter() - start)


def _run_workflow(body, arg: int, runs_dir: Path) -> None:
    spec = WorkflowSpec(body, body.__name__)
    anyio.run(execute, spec, (arg,), {}, RunOptions(runs_dir=runs_dir, transcript=False))


@contextlib.contextmanager
def _durability(mode: str) -> Iterator[None]:
    old = os.environ.get("GODEL_DURABILITY")
    os.environ["GODEL_DURABILITY"] = mode
    try:
        yield
    finally:
        if old is None:
            del os.environ["GODEL_DURABILITY"]
        else:
            os.environ["GODEL_DURABILITY"] = old


def floor_noop(n: int) -> float:
    async def noop() -> None:
        return None

    async def loop() -> float:
        start = time.perf_counter()
        for _ in range(n):
            await noop()
        return time.perf_counter() - start

    return min(asyncio.run(loop()) for _ in range(3))


def floor_append(n: int, line: bytes, lines_per_item: int) -> float:
    def write() -> float:
        with tempfile.TemporaryDirectory() as d:
            fd = os.open(os.path.join(d, "x.jsonl"), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
            start = time.perf_counter()
            for _ in range(n * lines_per_item):
                os.write(fd, line)
            elapsed = time.perf_counter() - start
            os.close(fd)
            return elapsed

    return min(write() for _ in range(3))


def engine_cost(body, n: int) -> float:
    """Seconds for ``n`` items inside a run (the fastest of three runs; the run's own start and
    end are not in it: see ``fixed_cost``)."""
    _elapsed.clear()
    for _ in range(3):
        with tempfile.TemporaryDirectory() as d:
            _run_workflow(body, n, Path(d))
    return min(_elapsed)


def fixed_cost(body) -> float:
    def go() -> None:
        with tempfile.TemporaryDirectory() as d:
            _run_workflow(body, 0, Path(d))

    return best_of(5, go)


def startup(cmd: list[str]) -> float:
    return median_of(7, lambda: subprocess.run(cmd, check=True, capture_output=True))


def subprocess_floor(n: int, *, fsync: bool = False, log: bool = False) -> float:
    """A plain asyncio subprocess loop; ``fsync``: a start line appended and fsynced before each
    call and an end line appended after it, pre-encoded and as long as the two lines godel writes
    for the call (an fsync's cost grows with the bytes it flushes: a 4 KiB block filled more often
    means more allocations for it to journal, +70 us a call when the stand-in was one short
    line); ``log``: the call's two log lines written with json.dumps + os.write, its request
    hashed."""
    line = {
        "event_id": "01M85ZAGNGH986BRCV1N96CCZS",
        "run_id": "01M85ZAGMTXEN3GMN6DBDMT6X9",
        "seq": 1,
        "parent_id": "01M85ZAGNDKP9F7KFYY74BAYMA",
        "step_path": [],
        "invocation_seq": 0,
        "step_local_seq": 0,
        "op": "run",
        "request_hash": "",
        "request": {
            "cmd": ["true"],
            "cwd": None,
            "env": None,
            "timeout": None,
            "stdin": None,
            "idempotent": False,
        },
        "response": None,
        "status": "STARTED",
        "ts_start": "2026-11-24T07:06:55.123456+00:00",
        "ts_end": None,
        "stream_path": ["01M85ZAGNDKP9F7KFYY74BAYMA"],
    }

    started = {**line, "request_hash": "0" * 64}
    stand_in = (json.dumps(started, separators=(",", ":")) + "\n").encode()
    ended = {
        **started,
        "response": {"returncode": 0, "stdout": "", "stderr": "", "duration": 0.005172},
        "status": "FINISHED",
        "ts_end": line["ts_start"],
    }
    stand_in_end = (json.dumps(ended, separators=(",", ":")) + "\n").encode()

    async def loop(fd: int) -> float:
        start = time.perf_counter()
        for i in range(n):
            if log:
                line["seq"] = i
                line["request_hash"] = hashlib.sha256(
                    json.dumps(line["request"], sort_keys=True, separators=(",", ":")).encode()
                ).hexdigest()
                os.write(fd, (json.dumps(line, separators=(",", ":")) + "\n").encode())
            if fsync:
                if not log:
                    os.write(fd, stand_in)  # fsync new data, as the log's fsync does
                os.fsync(fd)
            proc = await asyncio.create_subprocess_exec(
                "true",
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            out, err = await proc.communicate()
            if fsync and not log:
                os.write(fd, stand_in_end)  # made durable by the next call's fsync
            if log:
                line["response"] = {
                    "returncode": proc.returncode,
                    "stdout": out.decode(),
                    "stderr": err.decode(),
                    "duration": 0.001,
                }
                os.write(fd, (json.dumps(line, separators=(",", ":")) + "\n").encode())
        return time.perf_counter() - start

    def go() -> float:
        with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as d:
            fd = os.open(os.path.join(d, "x.jsonl"), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
            try:
                return asyncio.run(loop(fd))
            finally:
                os.close(fd)

    return min(go() for _ in range(3))


def pidfd_floor(n: int) -> float:
    """The spawn technique godel uses on Linux (``godel.process.spawn``), with nothing recorded:
    ``Popen``, the pipes and a pidfd on the loop's selector."""

    async def loop() -> float:
        ev_loop = asyncio.get_running_loop()
        start = time.perf_counter()
        for _ in range(n):
            proc = subprocess.Popen(
                ["true"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            done = ev_loop.create_future()
            left = [3]

            def one_less(left: list[int] = left, done: asyncio.Future[None] = done) -> None:
                left[0] -= 1
                if not left[0]:
                    done.set_result(None)

            def readable(fd: int) -> None:
                if not os.read(fd, 65536):
                    ev_loop.remove_reader(fd)
                    one_less()

            def exited(pidfd: int, proc: subprocess.Popen[bytes] = proc) -> None:
                ev_loop.remove_reader(pidfd)
                os.close(pidfd)
                os.waitpid(proc.pid, 0)
                one_less()

            for stream in (proc.stdout, proc.stderr):
                os.set_blocking(stream.fileno(), False)
                ev_loop.add_reader(stream.fileno(), readable, stream.fileno())
            pidfd = os.pidfd_open(proc.pid)
            ev_loop.add_reader(pidfd, exited, pidfd)
            await done
            proc.returncode = 0
            proc.stdout.close()
            proc.stderr.close()
        return time.perf_counter() - start

    return min(asyncio.run(loop()) for _ in range(3))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller N (for a smoke run)")
    opts = parser.parse_args(argv)
    sizes = [100, 1000] if opts.quick else [100, 1_000, 10_000]
    line = (
        b'{"event_id":"01M85ZAGNGH986BRCV1N96CCZS","run_id":"01M85ZAGMTXEN3GMN6DBDMT6X9","seq":3,'
        b'"parent_id":"01M85ZAGNDKP9F7KFYY74BAYMA","step_path":["trivial"],"op":"step.enter"}\n'
    )
    rows = []
    for label, body, lines in (("trivial @step", _steps, 1), ("det.random()", _dets, 1)):
        for n in sizes:
            cost = engine_cost(body, n)
            floor = floor_noop(n) + floor_append(n, line, lines)
            rows.append([label, n, cost / n * 1e6, floor / n * 1e6, cost / floor])
    for k in [10, 100] if opts.quick else [10, 100, 1_000]:
        cost = engine_cost(_parallel, k)
        floor = floor_noop(k) + floor_append(k, line, 1)
        rows.append(["parallel branch", k, cost / k * 1e6, floor / k * 1e6, cost / floor])
    print(table(["what", "N", "µs/item", "floor µs/item", "ratio"], rows))
    print()

    n = 100 if opts.quick else 300
    with _durability("none"):
        fixed = fixed_cost(_runs)
        cpu = engine_cost(_runs, n) / n
    with _durability("default"):
        durable = engine_cost(_runs, n) / n
    floor = subprocess_floor(n) / n
    floor_fsync = subprocess_floor(n, fsync=True) / n
    floor_log = subprocess_floor(n, log=True) / n
    same_spawn = pidfd_floor(n) / n if hasattr(os, "pidfd_open") else float("nan")
    print(
        table(
            ["what", "N", "µs/call", "floor µs/call", "overhead µs"],
            [
                ['run(["true"]), durability none', n, cpu * 1e6, floor * 1e6, (cpu - floor) * 1e6],
                [
                    'run(["true"]), none, vs its own spawn',
                    n,
                    cpu * 1e6,
                    same_spawn * 1e6,
                    (cpu - same_spawn) * 1e6,
                ],
                [
                    'run(["true"]), durability default',
                    n,
                    durable * 1e6,
                    floor_fsync * 1e6,
                    (durable - floor_fsync) * 1e6,
                ],
                [
                    "floor + plain log lines (reference)",
                    n,
                    floor_log * 1e6,
                    floor * 1e6,
                    (floor_log - floor) * 1e6,
                ],
            ],
        )
    )
    print(
        "(the default row's floor includes one fsync per call: a side effect is durable before it runs)"
    )
    print()
    print(
        table(
            ["fixed cost of a run", "ms"],
            [["create the log, header, close (durability none)", fixed * 1e3]],
        )
    )
    print()

    bare = startup([sys.executable, "-c", "pass"])
    imp = startup([sys.executable, "-c", "import godel"])
    godel = str(Path(sys.executable).parent / "godel")
    help_ = startup([godel, "--help"])
    print(
        table(
            ["start-up", "ms", "over bare python (ms)"],
            [
                ["python -c pass", bare * 1e3, 0.0],
                ["import godel", imp * 1e3, (imp - bare) * 1e3],
                ["godel --help", help_ * 1e3, (help_ - bare) * 1e3],
            ],
        )
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    raise SystemExit(main())
