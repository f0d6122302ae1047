"""Crash consistency at scale: SIGKILL ``godel run`` at random moments, resume, check everything.

Each trial runs a workflow that mixes ``@step``s, ``run()`` side effects that append to a file
(so a repeated effect shows), ``det`` values, ``write_text``, a ``parallel`` fork and, every
``--agents-every`` trials, an agent call on the real ``claude`` CLI against godel's fake model
server. The run is killed with SIGKILL at a random moment of its usual duration, then resumed
with ``godel resume`` (adding ``--assume-idempotent`` only when resume says an effect was in
flight). After each trial:

- the run finished, and its result is made of the values its log recorded;
- every side effect that had completed before the kill ran exactly once (a command in flight
  at the kill, redone on purpose, at most twice), every file written holds the recorded value;
- a completed agent call was not asked of the model again;
- the log loads, with no warning but a torn last line.

    .venv/bin/python bench/crash_consistency.py               # 200 kills
    .venv/bin/python bench/crash_consistency.py --kills 1000  # by hand, about half an hour
    .venv/bin/python bench/crash_consistency.py --store postgresql://...  # runs in PostgreSQL

With ``--store URL`` the runs live in that store (``godel store init`` it first); each run is
checked on a copy made with ``godel runs export``, by the same rules.

It prints the counts and exits 1 if any trial broke a rule. ``tests/test_crash_consistency.py``
runs a few dozen kills of it in the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STAGES = 4
BRANCHES = ("a", "b", "c", "d", "e", "f")
QUESTION = "crash-test question"
ANSWER = "the crash-test answer"

WORKFLOW = f"""
from godel import det, parallel, run, sleep, step, workflow, write_text
from godel.agents import claude_code


@step
async def stage(i):
    value = det.randint(1, 10**9)
    await run(["sh", "-c", f"echo {{i}} >> marks/stage-{{i}}"])
    await write_text(f"out/stage-{{i}}.txt", str(value))
    await sleep(0.1)
    return value


@step
async def branch(name):
    await run(["sh", "-c", f"echo {{name}} >> marks/branch-{{name}}"])
    return det.uuid4()[:8]


@step
async def ask(i):
    return await claude_code()(f"{QUESTION} {{i}}")


@workflow
async def wf(n, agents):
    out = []
    for i in range(int(n)):
        out.append(await stage(i))
        if i == 1:
            out.append(list(await parallel(*(branch(b) for b in {BRANCHES!r}))))
        if agents == "1" and i == 2:
            out.append(await ask(i))
    return out
"""


@dataclass
class Tally:
    """What the trials did, and what went wrong."""

    counts: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def fail(self, trial: int, why: str) -> None:
        self.failures.append(f"trial {trial}: {why}")


def fold(log: Path) -> list[dict]:
    """The latest state of each event, in first-seen order (a torn last line skipped)."""
    events: dict[str, dict] = {}
    for line in log.read_text().splitlines()[1:]:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        events[event["event_id"]] = event
    return list(events.values())


def marks_of(event: dict, by_id: dict[str, dict]) -> str | None:
    """The marks file a ``run`` event appends to (``stage-2``, ``branch-a``)."""
    cmd = event.get("request", {}).get("cmd")
    text = cmd[-1] if isinstance(cmd, list) else str(cmd)
    return text.rsplit("marks/", 1)[1] if "marks/" in text else None


class Trials:
    """The trials of one benchmark run, sharing one fake model server."""

    def __init__(
        self, root: Path, godel: Path, env: dict[str, str], server: Any, store: str | None = None
    ) -> None:
        self.root, self.godel, self.env, self.server = root, godel, env, server
        self.store = store
        self.seen: set[str] = set()  # runs of earlier trials (a store holds them all)
        self._conn: Any = None
        self.tally = Tally()

    def _logs(self, work: Path) -> list[Path]:
        """The run's log: in the trial's runs dir, or (with a store) where it would be once
        exported; only runs that no earlier trial made."""
        if self.store is None:
            return list((work / "runs").glob("*.jsonl")) if (work / "runs").is_dir() else []
        if self._conn is None:
            import psycopg

            self._conn = psycopg.connect(self.store, autocommit=True)  # one, polled often
        ids = {row[0] for row in self._conn.execute("select run_id from godel_runs")}
        return [work / "exported" / f"{run_id}.jsonl" for run_id in sorted(ids - self.seen)]

    def _export(self, work: Path, log: Path, folder: str) -> Path:
        """The run's log as a file: itself, or (with a store) a fresh export of it."""
        if self.store is None:
            return log
        done = self._godel(work, "runs", "export", log.stem, folder)
        if done.returncode != 0:
            raise RuntimeError(f"godel runs export failed: {done.stderr}")
        return work / folder / log.name

    def _godel(self, work: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.godel), *args],
            cwd=work,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )

    def _prepare(self, trial: int) -> Path:
        work = self.root / f"t{trial}"
        (work / "marks").mkdir(parents=True)
        (work / "out").mkdir()
        (work / "wf.py").write_text(WORKFLOW)
        return work

    def window(self, agents: bool) -> tuple[float, float]:
        """When an uninterrupted run's log appears and when the run ends, in seconds from its
        start: the window the kills are drawn from."""
        work = self._prepare(-1 - int(agents))
        start = time.monotonic()
        proc = subprocess.Popen(
            [str(self.godel), "run", "wf.py", "--", str(STAGES), "1" if agents else "0"],
            cwd=work,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        appeared = None
        while proc.poll() is None:
            if appeared is None and self._logs(work):
                appeared = time.monotonic() - start
            time.sleep(0.005)
        self.seen.update(log.stem for log in self._logs(work))
        ended = time.monotonic() - start
        with proc.stderr:  # type: ignore[union-attr]
            err = proc.stderr.read()  # type: ignore[union-attr]
        if proc.returncode != 0:
            raise SystemExit(f"an uninterrupted run failed:\n{err}")
        return (appeared if appeared is not None else 0.0), ended

    def trial(self, trial: int, agents: bool, kill_after: float, *, from_log: bool) -> None:
        """One run killed ``kill_after`` seconds after its start, or after its log appeared."""
        work = self._prepare(trial)
        asked_before = self._asked()
        proc = subprocess.Popen(
            [str(self.godel), "run", "wf.py", "--", str(STAGES), "1" if agents else "0"],
            cwd=work,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while from_log and proc.poll() is None and not self._logs(work):
            time.sleep(0.002)
        time.sleep(kill_after)
        proc.kill()
        proc.wait()
        logs = self._logs(work)
        self.seen.update(log.stem for log in logs)
        if not logs:
            self.tally.counts["killed before the run began"] += 1
            return
        self.tally.counts[
            "finished before the kill" if proc.returncode == 0 else "killed mid-run"
        ] += 1
        log = logs[0]
        before = fold(self._export(work, log, "exported-before"))
        by_id = {e["event_id"]: e for e in before}
        in_flight = {
            marks_of(e, by_id) for e in before if e["op"] == "run" and e["status"] == "STARTED"
        }
        call_in_flight = any(e["op"] == "agent.call" and e["status"] == "STARTED" for e in before)
        done = self._godel(work, "resume", log.stem)
        if done.returncode != 0 and "UnsafeResumeError" in done.stderr:
            self.tally.counts["resumed with --assume-idempotent"] += 1
            done = self._godel(work, "resume", log.stem, "--assume-idempotent")
        if done.returncode != 0:
            self.tally.fail(trial, f"resume exited {done.returncode}: {done.stderr.strip()[-300:]}")
            return
        log = self._export(work, log, "exported")
        self._check(
            trial, work, log, in_flight, call_in_flight, self._asked() - asked_before, agents
        )

    def _asked(self) -> int:
        return sum(QUESTION in r.prompt for r in self.server.main_requests)

    def _check(
        self,
        trial: int,
        work: Path,
        log: Path,
        in_flight: set[str | None],
        call_in_flight: bool,
        asked: int,
        agents: bool,
    ) -> None:
        events = fold(log)
        by_id = {e["event_id"]: e for e in events}
        root = next(e for e in events if e["op"] == "WORKFLOW_STARTED")
        if root["status"] != "FINISHED":
            self.tally.fail(trial, f"the run ended {root['status']}")
            return
        result = root["response"]["result"]
        drawn = {
            by_id[e["parent_id"]]["request"]["args"][0]: e["response"]["value"]
            for e in events
            if e["op"] == "det.randint" and e["status"] == "FINISHED"
        }
        expected = [drawn.get(i) for i in range(STAGES)]
        stages = [v for v in result if isinstance(v, int)]
        if stages != expected:
            self.tally.fail(trial, f"result {result} is not made of the recorded values {expected}")
        for i in range(STAGES):
            written = (work / "out" / f"stage-{i}.txt").read_text()
            if written != str(drawn.get(i)):
                self.tally.fail(trial, f"out/stage-{i}.txt holds {written}, not {drawn.get(i)}")
        for name in [*(f"stage-{i}" for i in range(STAGES)), *(f"branch-{b}" for b in BRANCHES)]:
            times = len((work / "marks" / name).read_text().split())
            allowed = 2 if name in in_flight else 1
            if not 1 <= times <= allowed:
                self.tally.fail(
                    trial, f"marks/{name} ran {times} times (in flight: {name in in_flight})"
                )
            elif times == 2:
                self.tally.counts["an in-flight command redone"] += 1
        if agents and not 1 <= asked <= 1 + call_in_flight:
            self.tally.fail(
                trial, f"the model was asked {asked} times (in flight: {call_in_flight})"
            )
        loaded = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys, godel; print('\\n'.join(godel.EventLog.load(*sys.argv[1:]).warnings))",
                log.stem,
                str(log.parent),
            ],
            capture_output=True,
            text=True,
        )
        warnings = [w for w in loaded.stdout.splitlines() if w and "torn last line" not in w]
        if loaded.returncode != 0 or warnings:
            self.tally.fail(
                trial, f"the log does not load cleanly: {loaded.stderr[-200:]} {warnings}"
            )
        self.tally.counts["trials checked"] += 1


def run_trials(
    kills: int,
    *,
    seed: int = 20261202,
    agents_every: int = 4,
    godel: Path | None = None,
    progress: Callable[[str], None] | None = None,
    keep: Path | None = None,
    store: str | None = None,
) -> Tally:
    """Run ``kills`` trials and return their tally (needs the ``claude`` CLI on PATH); the work
    directory of each trial that broke a rule is copied under ``keep``. ``store``: a store URL
    (``godel store init`` done) to keep the runs in instead of each trial's ``runs/``."""
    from godel.testing.fake_model import FakeModelServer, Turn

    godel = godel or Path(sys.executable).with_name("godel")
    rng = random.Random(seed)
    root = Path(tempfile.mkdtemp(prefix="godel-crash-"))
    try:
        with FakeModelServer() as server:
            server.set_script([Turn.text(ANSWER)] * (kills + 8) * 2)
            env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_")}
            env.update(server.anthropic_env(root / "home"))
            if store is not None:
                env["GODEL_STORE"] = store
            trials = Trials(root, godel, env, server, store)
            windows = {False: trials.window(False), True: trials.window(True)}
            try:
                return _trials(trials, windows, kills, rng, agents_every, keep, root, progress)
            finally:
                if trials._conn is not None:
                    trials._conn.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _trials(
    trials: Trials,
    windows: dict[bool, tuple[float, float]],
    kills: int,
    rng: random.Random,
    agents_every: int,
    keep: Path | None,
    root: Path,
    progress: Callable[[str], None] | None,
) -> Tally:
    for trial in range(kills):
        agents = agents_every > 0 and trial % agents_every == 0
        first, last = windows[agents]
        # Mostly while the run works; one kill in ten while godel starts.
        early = rng.random() < 0.1
        after = rng.uniform(0.0, first if early else (last - first) * 1.05)
        broken = len(trials.tally.failures)
        trials.trial(trial, agents, after, from_log=not early)
        if keep is not None and len(trials.tally.failures) > broken:
            shutil.copytree(root / f"t{trial}", keep / f"t{trial}", symlinks=True)
        shutil.rmtree(root / f"t{trial}", ignore_errors=True)
        if progress and (trial + 1) % 25 == 0:
            progress(f"{trial + 1}/{kills} trials, {len(trials.tally.failures)} failures")
    return trials.tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=200, help="how many trials (default 200)")
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument(
        "--agents-every", type=int, default=4, help="an agent call every N trials (0: none)"
    )
    parser.add_argument("--keep", type=Path, help="copy each failed trial's directory here")
    parser.add_argument("--store", help="keep the runs in this store (a postgresql:// URL)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    tally = run_trials(
        args.kills,
        seed=args.seed,
        agents_every=args.agents_every,
        progress=print,
        keep=args.keep,
        store=args.store,
    )
    print(f"{args.kills} kills in {time.monotonic() - started:.0f} s")
    for what, count in sorted(tally.counts.items()):
        print(f"  {what}: {count}")
    print(f"  rules broken: {len(tally.failures)}")
    for failure in tally.failures[:20]:
        print(f"    {failure}")
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
