"""Exactly once under ``parallel``, whatever the timing: a branch fails while its siblings are
before, inside or after their commands; after the resume, every command ran exactly once.

The issue 13 scenario (``left``, a failing ``middle``, ``right``), repeated with random delays
(a recorded ``godel.sleep`` or a plain wait before a command, work after its append) and a
sibling that runs two commands in a row. With ``cancel_running=True`` what was killed is
interrupted: the resume refuses it until told it may run again, and only those may run twice.
"""

from __future__ import annotations

import random
from pathlib import Path

import anyio
import pytest

import godel
from godel import UnsafeResumeError, WorkflowFail, parallel, step, workflow

TRIALS = 200


@step
async def good(work, name, before, after, recorded):
    if recorded:
        await godel.sleep(before)
    else:
        await anyio.sleep(before)
    await godel.run(f"echo {name} >> {work}/{name}; sleep {after}")


@step
async def two(work, gap):
    await godel.run(f"echo one >> {work}/one")
    await anyio.sleep(gap)
    await godel.run(f"echo two >> {work}/two")


@step
async def flaky(work, delay):
    await anyio.sleep(delay)
    if not Path(work, "middle.ok").exists():
        Path(work, "middle.ok").touch()  # fails the first time only: the resume can finish
        raise WorkflowFail("middle broke")


@workflow
async def siblings(work, d, cancel_running):
    return await parallel(
        good(work, "left", d[0], d[1], d[2]),
        flaky(work, d[3]),
        good(work, "right", d[4], d[5], d[6]),
        two(work, d[7]),
        **({"cancel_running": True} if cancel_running else {}),
    )


MARKS = ("left", "right", "one", "two")


def _delays(rng: random.Random) -> list:
    t = lambda: round(rng.uniform(0, 0.06), 3)  # noqa: E731
    return [t(), t(), rng.random() < 0.5, t(), t(), t(), rng.random() < 0.5, t()]


def _interrupted(events) -> set[str]:
    """The marks files of commands recorded as interrupted (their outcome unknown)."""
    return {
        e.request["cmd"].split("/")[-1].split(";")[0]
        for e in events
        if e.op == "run" and e.status.value == "FAILED" and e.response.get("interrupted")
    }


def _trial(run_wf, load_events, runs_dir, work: Path, d: list, cancel_running: bool) -> list:
    """Run, resume; return what broke the rules (empty when nothing did)."""
    work.mkdir()
    with pytest.raises(WorkflowFail, match="middle broke") as info:
        run_wf(siblings, str(work), d, cancel_running)
    run_id = info.value.run_id
    interrupted = _interrupted(load_events(run_id))
    broken = []
    if interrupted and not cancel_running:
        broken.append(f"interrupted without cancel_running: {interrupted}")

    def resume(**kw):
        return anyio.run(
            lambda: godel.resume(siblings, run_id, runs_dir=runs_dir, transcript=False, **kw)
        )

    try:
        resume()
    except UnsafeResumeError as exc:
        if not interrupted:
            broken.append(f"refused with nothing interrupted: {exc}")
        resume(assume_idempotent=True)
    else:
        if interrupted:
            broken.append(f"resumed without refusing {interrupted}")
    # A refused resume may itself interrupt what it had started (cancel_running).
    interrupted |= _interrupted(load_events(run_id))
    for name in MARKS:
        times = len((work / name).read_text().split()) if (work / name).exists() else 0
        allowed = {1, 2} if name in interrupted else {1}
        if times not in allowed:
            broken.append(f"{name} ran {times} times (interrupted: {sorted(interrupted)})")
    return broken


@pytest.mark.slow
def test_every_completed_effect_runs_exactly_once(run_wf, load_events, runs_dir, tmp_path):
    rng = random.Random(13)
    problems = []
    for trial in range(TRIALS):
        d = _delays(rng)
        broken = _trial(run_wf, load_events, runs_dir, tmp_path / f"t{trial}", d, False)
        problems += [f"trial {trial} {d}: {b}" for b in broken]
    assert not problems, "\n".join(problems[:20])


@pytest.mark.slow
def test_with_cancel_running_only_interrupted_effects_may_run_again(
    run_wf, load_events, runs_dir, tmp_path
):
    rng = random.Random(31)
    problems = []
    for trial in range(TRIALS // 4):
        d = _delays(rng)
        broken = _trial(run_wf, load_events, runs_dir, tmp_path / f"t{trial}", d, True)
        problems += [f"trial {trial} {d}: {b}" for b in broken]
    assert not problems, "\n".join(problems[:20])
