"""Two "machines" (two working directories and their processes) that share nothing but the
PostgreSQL store's URL: a run killed on A resumes on B, two resumes race and one wins, B tails,
lists and pauses A's runs."""

from __future__ import annotations

import json
import os
import signal
import socket

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def expected(n: int = 6) -> dict[str, object]:
    """What an uninterrupted ``godel run wf.py n=N`` returns."""
    return {"items": [f"item-{i}" for i in range(n)], "big": 50000}


EXPECTED = expected()


def result_of(machine, run_id: str) -> tuple[str, object]:
    shown = machine.godel("show", run_id, "--json")
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    root = next(e for e in data["events"] if e["op"] == "WORKFLOW_STARTED")
    return data["run"]["status"], (root.get("response") or {}).get("result")


def kill(proc) -> None:
    """SIGKILL ``godel`` and its children, as a machine dying would."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


def start_and_wait(h, machine, *args: str, done: int = 0) -> tuple[object, str]:
    """Start ``godel run wf.py ARGS`` on ``machine``; its run id once ``done`` effects finished."""
    proc = machine.start("run", "wf.py", *args)
    run_id = h.wait_for(lambda: (h.run_ids(machine.url) or [None])[-1], what="the run to appear")
    h.wait_for(lambda: h.finished_work(machine.url, run_id) >= done, what=f"{done} effects done")
    return proc, run_id


def test_a_run_killed_on_a_resumes_on_b_to_the_uninterrupted_result(h, machines):
    a, b = machines
    proc, run_id = start_and_wait(h, a, "n=6", "delay=0.3", done=2)
    kill(proc)
    assert proc.returncode == -signal.SIGKILL
    status, _ = result_of(b, run_id)
    assert status == "CRASHED"
    # B has its own copy of the workflow file: it passes it, as another checkout would.
    resumed = b.godel("resume", run_id, "wf.py", "--assume-idempotent")
    assert resumed.returncode == 0, resumed.stderr
    assert result_of(b, run_id) == ("FINISHED", EXPECTED)
    # What finished on A was not done again on B; only B's own effects ran there.
    assert len(a.marks()) >= 2
    assert sorted(set(a.marks()) | set(b.marks())) == [str(i) for i in range(6)]
    assert not set(a.marks()[: len(a.marks()) - 1]) & set(b.marks())


def test_two_machines_resume_at_once_and_exactly_one_wins(h, machines, tmp_path):
    a, b = machines
    c = h.Machine(tmp_path / "C", a.url)
    proc, run_id = start_and_wait(h, a, "n=6", "delay=0.5", done=1)
    kill(proc)
    racers = [m.start("resume", run_id, "wf.py", "--assume-idempotent") for m in (b, c)]
    outcomes = [(p.wait(timeout=120), p.communicate()[1]) for p in racers]
    codes = sorted(code for code, _ in outcomes)
    assert codes[0] == 0 and codes[1] != 0, outcomes
    loser = next(err for code, err in outcomes if code != 0)
    winner_pid = next(p.pid for p, (code, _) in zip(racers, outcomes, strict=True) if code == 0)
    assert f"is in use by godel on {socket.gethostname()} (pid {winner_pid})" in loser, loser
    assert "Traceback" not in loser
    assert result_of(a, run_id) == ("FINISHED", EXPECTED)


def test_b_tails_a_live_run_to_its_end(h, machines):
    a, b = machines
    proc, run_id = start_and_wait(h, a, "n=6", "delay=0.3")
    tail = b.start("tail", run_id)
    out, err = tail.communicate(timeout=120)
    proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert tail.returncode == 0, err
    lines = out.splitlines()
    assert "WORKFLOW_STARTED" in lines[0] and "STARTED" in lines[0]
    assert "WORKFLOW_STARTED" in lines[-1] and "FINISHED" in lines[-1]
    assert sum(" run " in line and "FINISHED" in line for line in lines) == 6


def test_runs_list_on_b_shows_the_runs_of_a(h, machines):
    a, b = machines
    done = a.godel("run", "wf.py", "n=1", "delay=0")
    assert done.returncode == 0, done.stderr
    run_id = h.RUN_LINE.search(done.stderr).group(1)
    listed = b.godel("runs", "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[1].split()[:3] == [run_id, "main", "FINISHED"]
    as_json = json.loads(b.godel("runs", "list", "--json").stdout)
    assert [r["run_id"] for r in as_json] == [run_id]
    assert not (b.root / "runs").exists() and not (a.root / "runs").exists()
    costs = b.godel("cost", "--json")
    assert costs.returncode == 0, costs.stderr
    assert [r["run_id"] for r in json.loads(costs.stdout)["runs"]] == [run_id]
    assert b.godel("cost", run_id[-8:]).returncode == 0


def test_b_cannot_export_a_run_a_is_still_writing(h, machines, tmp_path):
    """Refused as for a runs dir: a copy of a live run would be cut short."""
    a, b = machines
    proc, run_id = start_and_wait(h, a, "n=20", "delay=0.4", done=1)
    try:
        exported = b.godel("runs", "export", run_id, str(tmp_path / "kept"))
        assert exported.returncode == 1, exported.stderr
        assert exported.stderr == (
            f"[godel] run {run_id} is running: export it once it has ended\n"
        )
        assert not (tmp_path / "kept").exists()
    finally:
        kill(proc)


def test_pause_from_b_stops_a_at_its_next_step(h, machines):
    a, b = machines
    # Long enough that B's `godel pause` lands while A still works, on a loaded machine too.
    proc, run_id = start_and_wait(h, a, "n=20", "delay=0.4", done=1)
    paused = b.godel("pause", run_id, "--reason", "from B")
    assert paused.returncode == 0, paused.stderr
    assert "pause requested for run" in paused.stderr
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    status, result = result_of(b, run_id)
    assert (status, result) == ("PAUSED", "paused")
    assert "not running" not in paused.stderr
    assert len(a.marks()) < 20
    resumed = b.godel("resume", run_id, "wf.py")
    assert resumed.returncode == 0, resumed.stderr
    assert result_of(b, run_id) == ("FINISHED", expected(20))


def test_b_watches_a_live_run_in_plain_mode(h, machines):
    a, b = machines
    proc, run_id = start_and_wait(h, a, "n=6", "delay=0.3")
    watch = b.start("watch", run_id, "--plain", "--store", a.url)
    out, err = watch.communicate(timeout=120)
    proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert watch.returncode == 0, err
    assert "Traceback" not in err
    lines = out.splitlines()
    assert lines[0] == f'── run {run_id} · main(delay="0.3", n="6") ──', out
    assert sum(line == "▸ work" for line in lines) == 6, out
    assert [line for line in lines if line.startswith("    │ item-")] == [
        f"    │ item-{i}" for i in range(6)
    ], out
    assert lines[-1].startswith("── finished in "), out


def test_b_rewinds_a_finished_run_and_resumes_it(h, machines):
    a, b = machines
    done = a.godel("run", "wf.py", "n=3", "delay=0")
    assert done.returncode == 0, done.stderr
    run_id = h.RUN_LINE.search(done.stderr).group(1)
    events = json.loads(b.godel("show", run_id, "--json").stdout)["events"]
    second = [e["event_id"] for e in events if e["op"] == "step.enter"][1]
    rewound = b.godel("rewind", run_id, "--to", second, "--assume-idempotent")
    assert rewound.returncode == 0, rewound.stderr
    assert f"[godel] rewound run {run_id} (to)\n[godel] invalidated 5 event(s)\n" in rewound.stderr
    resumed = b.godel("resume", run_id, "wf.py", "--assume-idempotent")
    assert resumed.returncode == 0, resumed.stderr
    assert result_of(b, run_id) == ("FINISHED", expected(3))
    assert a.marks() == ["0", "1", "2"] and b.marks() == ["1", "2"]


def test_run_watch_plain_follows_a_run_kept_in_the_store(h, machines):
    a, _ = machines
    done = a.godel("run", "wf.py", "n=2", "delay=0", "--watch", "--plain")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line for line in lines if line.startswith("    │ item-")] == [
        "    │ item-0",
        "    │ item-1",
    ], done.stdout
    assert lines[-1].startswith("── finished in "), done.stdout
