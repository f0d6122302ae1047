"""Web view benchmark: ``godel ui`` opening a 10,000-step run, and following a fast one.

Everything goes through a real ``godel ui`` (uvicorn, in a subprocess) over HTTP, as a browser
would talk to it.

1. **Opening**: a finished run of N steps (10,000 by default, in four ``parallel`` branches;
   about 30,000 log lines) is opened: the run page (header, timeline, first page of the tree)
   the first time (its log is read: nothing else has read it), the runs page the first time
   (which reads it for its row), the run page again (it is indexed), then a page deep in the
   tree and the timeline fragment a live page fetches. Target: the run page under 1 s. The floor is a
   plain ``for line in f: json.loads(line)`` loop over the same log.
2. **Following**: a writer process records events at about 1,000 a second while a client
   follows the run's server-sent events (``/runs/RUN/stream``) and, like the page's script,
   fetches the tree and timeline fragments again after each message (at most once a second).
   The table gives the rate written, the messages received, the slowest fragment fetch, and how
   long after the writer's last line the stream reported it (the lag). Target: it keeps up (lag
   about one poll interval, 0.25 s), whatever the backlog.

Nothing asserts: read the ratios.
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.parse
from pathlib import Path

from _common import best_of, table

GODEL = Path(sys.executable).parent / "godel"
TARGET_OPEN_S = 1.0

BUILD = textwrap.dedent(
    """
    import sys
    import anyio
    from godel import det, parallel, step
    from godel.engine.workflow import RunOptions, WorkflowSpec, execute

    n, runs_dir = int(sys.argv[1]), sys.argv[2]

    @step
    async def one() -> float:
        return det.random()

    @step
    async def branch(k: int) -> None:
        for _ in range(k):
            await one()

    async def wide() -> None:
        await parallel(*(branch(n // 4) for _ in range(4)))

    options = RunOptions(runs_dir=runs_dir, transcript=False)
    anyio.run(execute, WorkflowSpec(wide, "wide"), (), {}, options)
    """
)

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
            done += 2  # events per step: the step and its det value
            ahead = done / rate - (time.monotonic() - start)
            if ahead > 0.005:
                time.sleep(ahead)

    def started(run_id, _path):
        print(run_id, flush=True)

    options = RunOptions(runs_dir=runs_dir, transcript=False, on_start=started)
    anyio.run(execute, WorkflowSpec(paced, "paced"), (), {}, options)
    """
)


class Ui:
    """``godel ui --port 0`` on a runs directory, and GETs against it."""

    def __init__(self, runs_dir: Path, poll: float) -> None:
        self.proc = subprocess.Popen(
            [str(GODEL), "ui", "--runs-dir", str(runs_dir), "--port", "0", "--poll", str(poll)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stdout is not None
        url = urllib.parse.urlsplit(self.proc.stdout.readline().strip())
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 0
        self.token = url.query.split("token=", 1)[1]

    def conn(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=60)

    def get(self, path: str) -> bytes:
        conn = self.conn()
        conn.request("GET", path, headers={"X-Godel-Token": self.token})
        body = conn.getresponse().read()
        conn.close()
        return body

    def wait(self) -> None:
        for _ in range(200):
            try:
                self.get("/static/app.css")  # reads no log: the first open is timed cold
                return
            except OSError:
                time.sleep(0.05)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait()


def floor(path: Path) -> float:
    def load() -> None:
        with open(path, "rb") as f:
            for line in f:
                json.loads(line)

    return best_of(3, load)


def timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def opening(runs_dir: Path, run_id: str) -> list[list[object]]:
    ui = Ui(runs_dir, 0.25)
    try:
        ui.wait()
        base = floor(runs_dir / f"{run_id}.jsonl")
        cold = timed(lambda: ui.get(f"/runs/{run_id}"))
        runs = timed(lambda: ui.get("/"))
        warm = best_of(3, lambda: ui.get(f"/runs/{run_id}"))
        deep = best_of(3, lambda: ui.get(f"/runs/{run_id}/tree?page=40"))
        timeline = best_of(3, lambda: ui.get(f"/runs/{run_id}/timeline"))
        size = len(ui.get(f"/runs/{run_id}"))
    finally:
        ui.stop()
    return [
        ["floor: json.loads every line", base, 1.0],
        ["run page, first open (reads the log)", cold, cold / base],
        ["runs page, first open (reads the log)", runs, runs / base],
        [f"run page, again ({size // 1024} KiB of HTML)", warm, warm / base],
        ["tree page 40 (fragment)", deep, deep / base],
        ["timeline (fragment, 400 bars)", timeline, timeline / base],
    ]


def following(runs_dir: Path, rate: float, seconds: float) -> dict[str, float]:
    ui = Ui(runs_dir, 0.25)
    ui.wait()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(rate), str(seconds), str(runs_dir)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    run_id = writer.stdout.readline().strip()
    messages: list[tuple[float, dict[str, object]]] = []
    fetches: list[float] = []
    done = threading.Event()

    def listen() -> None:
        conn = ui.conn()
        conn.request("GET", f"/runs/{run_id}/stream", headers={"X-Godel-Token": ui.token})
        res = conn.getresponse()
        last_fetch = 0.0
        for raw in res:
            line = raw.decode().strip()
            if not line.startswith("data: "):
                continue
            data = json.loads(line[6:])
            messages.append((time.time(), data))
            if time.monotonic() - last_fetch >= 1.0:  # as the page's script does
                last_fetch = time.monotonic()
                fetches.append(timed(lambda: ui.get(f"/runs/{run_id}/tree")))
                fetches.append(timed(lambda: ui.get(f"/runs/{run_id}/timeline")))
            if done.is_set() and data.get("status") != "RUNNING":
                break
        conn.close()

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    writer.wait()
    done.set()
    thread.join(timeout=30)
    ui.stop()
    log = runs_dir / f"{run_id}.jsonl"
    lines = sum(1 for _ in open(log, "rb")) - 1
    ended = log.stat().st_mtime  # when the writer's last line landed
    final = next((t for t, d in messages if d.get("status") != "RUNNING"), None)
    events = max((int(d.get("events", 0)) for _t, d in messages), default=0)  # type: ignore[call-overload]
    return {
        "events": events,
        "rate": events / seconds,
        "lines": lines,
        "messages": len(messages),
        "slowest": max(fetches, default=0.0),
        "lag": max(final - ended, 0.0) if final is not None else float("nan"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=10_000, help="steps in the opened run")
    parser.add_argument("--rate", type=float, default=1_000, help="events a second to follow")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long the writer writes")
    parser.add_argument("--quick", action="store_true", help="1,000 steps, 2 s of following")
    parser.add_argument("--dir", type=Path, default=None, help="where to write the runs")
    opts = parser.parse_args(argv)
    n = 1_000 if opts.quick else opts.steps
    seconds = 2.0 if opts.quick else opts.seconds
    with tempfile.TemporaryDirectory(dir=opts.dir) as tmp:
        runs_dir = Path(tmp) / "runs"
        subprocess.run([sys.executable, "-c", BUILD, str(n), str(runs_dir)], check=True)
        (log,) = runs_dir.glob("*.jsonl")
        lines = sum(1 for _ in open(log, "rb"))
        print(
            f"\nopening a finished run of {n:,} steps ({lines:,} log lines, "
            f"{log.stat().st_size / 1e6:.1f} MB); target < {TARGET_OPEN_S} s"
        )
        print(table(["what", "seconds", "x floor"], opening(runs_dir, log.stem)))
        live_dir = Path(tmp) / "live"
        live_dir.mkdir()
        live = following(live_dir, opts.rate, seconds)
        print(f"\nfollowing a run written at {opts.rate:,.0f} events a second for {seconds} s")
        print(
            table(
                [
                    "written events/s",
                    "SSE messages",
                    "slowest fragment fetch (s)",
                    "lag after the last line (s)",
                ],
                [[live["rate"], int(live["messages"]), live["slowest"], live["lag"]]],
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
