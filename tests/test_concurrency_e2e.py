"""Several godel processes on one runs dir: pause and resume where the runs dir cannot be
written (a read-only mount, a sentinel that cannot be replaced or removed), a pause that races
the end of the run, a Ctrl+C that comes while godel is still loading."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

GODEL = Path(sys.executable).parent / "godel"

FINISHES = """
from godel import step, workflow


@step
async def one():
    return 1


@workflow
async def main():
    return await one()
"""


def _finished_run(godel_run, tmp_path: Path) -> str:
    (tmp_path / "wf.py").write_text(FINISHES)
    done = godel_run("run", "wf.py", "--no-lint")
    assert done.returncode == 0, done.stderr
    return next((tmp_path / "runs").glob("*.jsonl")).stem


def test_pause_whose_request_cannot_be_written_says_so_in_one_line(
    godel_run, tmp_path: Path
) -> None:
    run_id = _finished_run(godel_run, tmp_path)
    # Something that is not a file holds the sentinel's place: the atomic replace fails, as
    # it does on a read-only runs dir (EROFS) or one the user may not write (EACCES).
    blocker = tmp_path / "runs" / f"{run_id}.pause"
    (blocker / "x").mkdir(parents=True)
    paused = godel_run("pause", run_id)
    assert paused.returncode == 1, paused.stderr
    assert "Traceback" not in paused.stderr
    runs = tmp_path / "runs"
    assert paused.stderr.startswith(
        f"[godel] cannot write the pause request for run {run_id} in {runs}: "
    )
    assert len(paused.stderr.splitlines()) == 1
    assert [p.name for p in (tmp_path / "runs").iterdir() if p.name.endswith(".tmp")] == []


def test_resume_of_a_finished_run_whose_sentinel_cannot_be_removed(
    godel_run, tmp_path: Path
) -> None:
    run_id = _finished_run(godel_run, tmp_path)
    log = tmp_path / "runs" / f"{run_id}.jsonl"
    before = log.read_bytes()
    (tmp_path / "runs" / f"{run_id}.pause" / "x").mkdir(parents=True)
    resumed = godel_run("resume", run_id)
    assert resumed.returncode == 0, resumed.stderr
    assert "Traceback" not in resumed.stderr
    assert f"[godel] run {run_id} already finished at " in resumed.stderr
    assert "[godel] result: 1" in resumed.stderr
    assert log.read_bytes() == before


LAST_STEP_WAITS = """
from godel import run, step, workflow


@step
async def last():
    await run(["sh", "-c", "touch started; while [ ! -e go ]; do sleep 0.02; done"])
    return "done"


@workflow
async def main():
    return await last()
"""


def test_a_pause_that_comes_too_late_leaves_no_sentinel_behind(
    cli_env: dict[str, str], godel_run, tmp_path: Path
) -> None:
    # The request lands while the last step runs: no step boundary is left to pause at, so
    # the run completes, and the request dies with it (as a resume would drop it).
    (tmp_path / "wf.py").write_text(LAST_STEP_WAITS)
    proc = subprocess.Popen(
        [str(GODEL), "run", "wf.py", "--no-lint"],
        cwd=tmp_path,
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "started").exists():
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
            time.sleep(0.02)
        run_id = next((tmp_path / "runs").glob("*.jsonl")).stem
        paused = godel_run("pause", run_id)
        assert paused.returncode == 0, paused.stderr
        assert (tmp_path / "runs" / f"{run_id}.pause").exists()
        (tmp_path / "go").touch()
        _out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0 and "[godel] completed in " in err, err
    assert not (tmp_path / "runs" / f"{run_id}.pause").exists()
    assert [p.name for p in (tmp_path / "runs").iterdir() if ".pause" in p.name] == []


INTERRUPT_CLICK = """
import sys


class CtrlC:
    # Ctrl+C, as it lands while the command's modules are still being imported
    def find_spec(self, name, path=None, target=None):
        if name == "click":
            raise KeyboardInterrupt
        return None


sys.meta_path.insert(0, CtrlC())
"""


def test_ctrl_c_while_godel_is_still_loading_is_one_line_and_130(godel_run, tmp_path: Path) -> None:
    # A Ctrl+C in the first instants of any command (`godel tail` typed by mistake) comes
    # before a command has its handlers: the conventional 130 and one line, not a traceback.
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(INTERRUPT_CLICK)
    done = godel_run("runs", "list", path=[site])
    assert (done.returncode, done.stderr) == (130, "[godel] interrupted\n")


FAILS = """
import os
from godel import step, workflow


@step
async def one():
    if not os.environ.get("FIXED"):
        raise RuntimeError("not yet")
    return 1


@workflow
async def main():
    return await one()
"""


def test_rewind_and_resume_that_cannot_take_the_run_lock_say_they_cannot_write(
    godel_run, tmp_path: Path
) -> None:
    """A runs dir where the run's lock cannot be opened (read-only, or something in its place)
    is a write problem: rewind said "cannot read run", and resume "cannot create the run's log"."""
    (tmp_path / "wf.py").write_text(FAILS)
    failed = godel_run("run", "wf.py", "--no-lint")
    assert failed.returncode == 2, failed.stderr  # the workflow failed
    runs = tmp_path / "runs"
    run_id = next(runs.glob("*.jsonl")).stem
    shown = godel_run("show", run_id, "--json")
    step_id = next(
        e["event_id"] for e in json.loads(shown.stdout)["events"] if e["op"] == "step.enter"
    )
    lock = runs / f"{run_id}.lock"
    lock.unlink(missing_ok=True)
    (lock / "x").mkdir(parents=True)  # opening the lock fails, as on a read-only mount
    rewound = godel_run("rewind", run_id, "--to", step_id)
    assert rewound.returncode == 1
    assert rewound.stderr.startswith(f"[godel] cannot write to run {run_id}: "), rewound.stderr
    assert str(lock) in rewound.stderr and len(rewound.stderr.splitlines()) == 1
    resumed = godel_run("resume", run_id, "wf.py", env={"FIXED": "1"})
    assert resumed.returncode == 2, resumed.stderr
    assert f"[godel] cannot write the run's log under {lock}: " in resumed.stderr
    assert "Traceback" not in resumed.stderr + rewound.stderr
