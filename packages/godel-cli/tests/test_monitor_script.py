"""The monitor script of the monitoring guide (seed MONITORING.md) works unchanged on our logs.

The script is transcribed below with its indentation restored and nothing else changed. It
reads a log path, starts at the file's current size (0 if it does not exist yet), and prints
one line per interesting event. A real workflow runs through the real ``godel run``; the
monitor watches it through a symlink that first points at an empty file (so the monitor
starts at offset 0 whenever it happens to start) and is then switched to the run's log.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

MONITOR = """\
# /tmp/godel_monitor.py
import json, os, time, sys

P = sys.argv[1] # path to runs/<id>.jsonl
pos = os.path.getsize(P) if os.path.exists(P) else 0
while True:
    try: size = os.path.getsize(P)
    except FileNotFoundError: time.sleep(1); continue
    if size > pos:
        with open(P) as f:
            f.seek(pos)
            for line in f:
                if not line.strip(): continue
                try: e = json.loads(line)
                except: continue
                op, st = e.get("op"), e.get("status")
                sp = "/".join(e.get("step_path") or [])
                if op == "print" and st == "FINISHED":
                    t = (e.get("request") or {}).get("text","").strip()
                    if t: print("LOG", t, flush=True)
                elif op == "input" and st == "STARTED":
                    print("CHECKPOINT", sp, flush=True)
                elif op == "agent.call" and st == "FINISHED":
                    r = e.get("request") or {}
                    print(f"AGENT {r.get('model')} schema={r.get('schema_name')} @ {sp}", flush=True)
                elif st == "FAILED":
                    err = str((e.get("response") or {}).get("error",""))[:160]
                    print(f"FAIL {op} @ {sp} :: {err}", flush=True)
                elif op == "WORKFLOW_FINISHED" or (op=="WORKFLOW_STARTED" and st=="FINISHED"):
                    print(f"WORKFLOW {st}", flush=True)
            pos = f.tell()
    time.sleep(1)
"""

WORKFLOW = """\
from godel import workflow, step, print, input


@step
async def flaky():
    raise RuntimeError("boom from flaky")


@workflow
async def monitored():
    await print("hello from the workflow")
    name = await input("your name? ")
    await print(f"got {name}")
    try:
        await flaky()
    except RuntimeError:
        await print("recovered")
"""

EXPECTED = [
    "LOG hello from the workflow",
    "CHECKPOINT",
    "LOG got alice",
    "FAIL step.enter @ flaky :: boom from flaky",
    "LOG recovered",
    "WORKFLOW FINISHED",
]


def _lines(stream, out: queue.Queue[str]) -> None:
    for line in stream:
        out.put(line.rstrip("\n"))


def test_monitor_script_reports_prints_checkpoints_failures_and_the_end(
    tmp_path: Path, godel_bin: Path, cli_env: dict[str, str]
) -> None:
    monitor = tmp_path / "godel_monitor.py"
    monitor.write_text(MONITOR)
    wf = tmp_path / "wf.py"
    wf.write_text(WORKFLOW)
    runs = tmp_path / "runs"
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    watched = tmp_path / "watched.jsonl"
    watched.symlink_to(empty)

    mon_err = tmp_path / "monitor.err"
    with open(mon_err, "w") as err_file:
        mon = subprocess.Popen(
            [sys.executable, "-u", str(monitor), str(watched)],
            stdout=subprocess.PIPE,
            stderr=err_file,
            text=True,
            cwd=tmp_path,
        )
    printed: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=_lines, args=(mon.stdout, printed), daemon=True)
    reader.start()
    run = None
    seen: list[str] = []
    try:
        run = subprocess.Popen(
            [str(godel_bin), "run", str(wf), "--auto-checkpoint", "pipe"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            env={**cli_env, "GODEL_RUNS_DIR": str(runs)},
        )
        assert run.stderr is not None and run.stdin is not None
        log_path = None
        for line in run.stderr:
            if line.startswith("[godel] audit log: "):
                log_path = Path(line.split(": ", 1)[1].strip())
                break
        assert log_path is not None, "godel run did not announce its audit log"
        # Point the watched path at the live log (atomically), then answer the checkpoint.
        tmp_link = tmp_path / "watched.tmp"
        tmp_link.symlink_to(log_path)
        os.replace(tmp_link, watched)
        run.stdin.write("alice\n")
        run.stdin.flush()
        _, err = run.communicate(timeout=60)
        assert run.returncode == 0, err

        deadline = time.monotonic() + 30  # a bound on waiting, not a timed assertion
        while len(seen) < len(EXPECTED) and time.monotonic() < deadline:
            try:
                seen.append(printed.get(timeout=0.5).strip())
            except queue.Empty:
                continue
    finally:
        mon.kill()
        mon.wait()
        reader.join(timeout=10)
        assert mon.stdout is not None
        mon.stdout.close()
        if run is not None and run.poll() is None:
            run.kill()
            run.communicate()
    assert seen == EXPECTED, f"monitor printed {seen}; its stderr: {mon_err.read_text()}"
