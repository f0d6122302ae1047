"""Runs written by godel-py 3.18.1, read and resumed by godel (docs/migrating.md).

The logs under ``fixtures/godel-py-3.18.1/`` are what godel-py's own ``godel run`` wrote for the
workflows below (no header line, a parent rewritten with its whole ``children_ids`` at each new
child, no ``parent_id``, step arguments and results as ``repr`` strings, UUID4 run ids).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from godel.log import EventLog

Runner = Callable[..., subprocess.CompletedProcess[str]]

FIXTURES = Path(__file__).parent / "fixtures" / "godel-py-3.18.1"
EFFECT = "9f236859-6321-47fb-9111-4f9cfec7a507"  # a command, then a step that failed
WFAIL = "2f37ec51-ae48-4ad2-ad86-603241574e93"  # a step with an argument, then one that failed
PAR = "d67507c0-c7cc-4c41-994e-377d53586d09"  # parallel(*[sq(i) for i in range(4)])
CMD = "b8911522-0629-4d7e-ada9-aed0de8132fe"  # a step that runs `echo`
AGENT = "a39279fe-49df-4fbe-a084-ad09c38c7d5d"  # a step asks claude (fake model), then one fails
REVIEW = "6b89b84b-8008-4f2d-b69d-26a5a69ddaee"  # the same with a system prompt and a schema
COPILOT = (
    "32dd66bb-03a7-4272-9f13-98fe1161bfc2"  # AGENT's workflow with copilot() for claude_code()
)

EFFECT_PY = """import os
from godel import step, workflow, run, WorkflowFail

@step
async def side():
    r = await run(["sh", "-c", "echo ran >> counter.txt; echo done"])
    return r.stdout.strip()

@step
async def gate(v):
    if not os.environ.get("FIXED"):
        raise WorkflowFail("gate closed")
    return v + "!"

@workflow
async def effect():
    v = await side()
    return await gate(v)
"""

WFAIL_PY = """import os
from godel import step, workflow, WorkflowFail

@step
async def prep(x):
    return x * 2

@step
async def check(v):
    if not os.environ.get("FIXED"):
        raise WorkflowFail(f"value {v} not accepted")
    return v

@workflow
async def wfail(x):
    v = await prep(int(x))
    return await check(v)
"""

# AGENT's workflow; godel-py 3.18.1 ran it with `claude` answering "forty-two" from godel's fake
# model server (python -m godel.testing.fake_model).
AGENT_PY = """import os
from godel import step, workflow, WorkflowFail
from godel.agents import claude_code


@step
async def ask(q):
    r = await claude_code()(q)
    return r.text if hasattr(r, "text") else str(r)


@step
async def gate(v):
    if not os.environ.get("FIXED"):
        raise WorkflowFail("gate closed")
    return v + "!"


@workflow
async def agentwf():
    a = await ask("what is the answer?")
    return await gate(a)
"""

REVIEW_PY = """import os
from pydantic import BaseModel
from godel import step, workflow, WorkflowFail
from godel.agents import claude_code


class Verdict(BaseModel):
    ok: bool
    reasons: list[str]
    score: float


@step
async def review(q):
    v = await claude_code(system_prompt="You review code.")(q, schema=Verdict)
    return v.model_dump()


@step
async def gate(v):
    if not os.environ.get("FIXED"):
        raise WorkflowFail("gate closed")
    return v["score"]


@workflow
async def schemawf():
    v = await review("review this patch")
    return await gate(v)
"""


def runs(tmp_path: Path, *run_ids: str) -> Path:
    """A runs dir in ``tmp_path`` holding copies of the godel-py logs ``run_ids``."""
    target = tmp_path / "runs"
    target.mkdir()
    for run_id in run_ids:
        shutil.copy(FIXTURES / f"{run_id}.jsonl", target)
    return target


def test_resume_replays_a_command_godel_py_recorded(tmp_path: Path, godel_run: Runner) -> None:
    runs(tmp_path, EFFECT)
    (tmp_path / "effect.py").write_text(EFFECT_PY)
    plan = godel_run("resume", EFFECT, "effect.py", "--plan", env={"FIXED": "1"})
    assert plan.returncode == 0, plan.stderr
    assert "replays   1 recorded effect(s)" in plan.stdout
    assert "nothing would run live" in plan.stdout
    out = godel_run("resume", EFFECT, "effect.py", env={"FIXED": "1"})
    assert out.returncode == 0, out.stderr
    assert not (tmp_path / "counter.txt").exists()  # the command ran once, under godel-py
    log = EventLog.load(EFFECT, tmp_path / "runs")
    assert [e.op for e in log.events if e.op == "run"] == ["run"]
    assert log.events[0].response == {"result": "done!"}


def test_resume_matches_steps_by_their_godel_py_arguments(
    tmp_path: Path, godel_run: Runner
) -> None:
    runs(tmp_path, WFAIL)
    (tmp_path / "wfail.py").write_text(WFAIL_PY)
    out = godel_run("resume", WFAIL, "wfail.py", env={"FIXED": "1"})
    assert out.returncode == 0, out.stderr
    log = EventLog.load(WFAIL, tmp_path / "runs")
    steps = [e.step_path for e in log.events if e.op == "step.enter"]
    assert steps.count(("prep",)) == 1  # replayed: prep((21,)) is the call it recorded
    assert steps.count(("check",)) == 2  # the failed attempt, then the new one


def test_parents_come_from_children_ids(tmp_path: Path, godel_run: Runner) -> None:
    runs(tmp_path, PAR)
    log = EventLog.load(PAR, tmp_path / "runs")
    root, fork = log.events[0], log.events[1]
    assert [log.get(c).op for c in root.children_ids] == ["FORK", "JOIN"]
    assert [log.get(c).step_path for c in fork.children_ids] == [("sq",)] * 4
    out = godel_run("show", PAR, "--json")
    assert out.returncode == 0, out.stderr
    events = json.loads(out.stdout)["events"]
    assert len(events[1]["children_ids"]) == 4
    assert events[2]["parent_id"] == fork.event_id
    graph = godel_run("show", PAR, "--graph")
    assert "│  ├─ ✓ 62XCQ8SC step sq" in graph.stdout


def test_tail_and_watch_show_each_state_once(tmp_path: Path, godel_run: Runner) -> None:
    runs(tmp_path, PAR, CMD)
    out = godel_run("tail", PAR, "--no-follow")
    assert out.returncode == 0, out.stderr
    rows = [line.split()[2:5] for line in out.stdout.splitlines()]  # op, step, status
    assert len(rows) == 14  # 7 events, STARTED and ended; no line per child added
    assert rows.count(["FORK", "(root)", "STARTED"]) == 1
    assert rows.count(["WORKFLOW_STARTED", "(root)", "STARTED"]) == 1
    tailed = godel_run("tail", CMD, "--no-follow", "--format", "json")
    parents = [json.loads(line)["parent_id"] for line in tailed.stdout.splitlines()]
    assert parents[0] is None and None not in parents[1:-1]
    watched = godel_run("watch", PAR, "--plain")
    assert watched.returncode == 0, watched.stderr
    assert watched.stdout.count("⑂ parallel ×4") == 1
    assert watched.stdout.count("▸ sq") == 4


def test_godel_py_arguments_show_as_the_call(tmp_path: Path, godel_run: Runner) -> None:
    """godel-py wrote a step's arguments as ``repr`` strings (``"(42,)"``, ``"{}"``): every view
    shows the call, ``check(42)``, not the strings side by side, ``check((42,), {})``."""
    runs(tmp_path, WFAIL, EFFECT)
    out = godel_run("watch", WFAIL, "--plain")
    assert out.returncode == 0, out.stderr
    assert "✗ check(42): WorkflowFail: value 42 not accepted" in out.stdout
    shown = godel_run("show", WFAIL)
    assert shown.returncode == 0, shown.stderr
    assert any(
        line.split()[1:3] == ["step.enter", "prep"] and line.endswith("  (21) → 42")
        for line in shown.stdout.splitlines()
    ), shown.stdout
    tailed = godel_run("tail", WFAIL, "--no-follow")
    assert "(42)" in tailed.stdout and "(42,)" not in tailed.stdout
    no_args = godel_run("show", EFFECT)
    assert any(
        line.split()[1:3] == ["step.enter", "side"] and line.endswith("  → 'done'")
        for line in no_args.stdout.splitlines()
    ), no_args.stdout


def test_cost_names_the_workflow_of_a_godel_py_run(tmp_path: Path, godel_run: Runner) -> None:
    runs(tmp_path, PAR)
    out = godel_run("cost")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[1].split()[:2] == [PAR, "par"]


def _claude_that_tells(tmp_path: Path) -> dict[str, str]:
    """A ``claude`` and a ``copilot`` first on PATH that note they were run and fail: no model
    is asked."""
    import os

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("claude", "copilot"):
        fake = bin_dir / name
        fake.write_text(f"#!/bin/sh\necho asked >> {tmp_path / 'asked'}\nexit 1\n")
        fake.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


@pytest.mark.parametrize(
    ("run_id", "source"),
    [
        (AGENT, AGENT_PY),
        (COPILOT, AGENT_PY.replace("claude_code", "copilot")),  # its model: "default"
    ],
    ids=["claude", "copilot"],
)
def test_resume_gives_back_an_agent_answer_godel_py_recorded(
    tmp_path: Path, godel_run: Runner, run_id: str, source: str
) -> None:
    """godel-py recorded the call in its own form, outside every ``children_ids``, with the
    CLI's process after it: the resume answers it from the log and asks no model again."""
    runs(tmp_path, run_id)
    (tmp_path / "agentwf.py").write_text(source)
    env = {"FIXED": "1", **_claude_that_tells(tmp_path)}
    plan = godel_run("resume", run_id, "agentwf.py", "--plan", env=env)
    assert plan.returncode == 0, plan.stderr
    assert "replays   2 recorded effect(s) from the log, 1 of them agent calls" in plan.stdout
    assert "nothing would run live" in plan.stdout
    out = godel_run("resume", run_id, "agentwf.py", env=env)
    assert out.returncode == 0, out.stderr
    assert not (tmp_path / "asked").exists()
    log = EventLog.load(run_id, tmp_path / "runs")
    assert log.events[0].response == {"result": "forty-two!"}
    assert [e.op for e in log.events].count("agent.call") == 1


def test_an_agent_call_asked_differently_stops_the_resume(
    tmp_path: Path, godel_run: Runner
) -> None:
    runs(tmp_path, AGENT)
    changed = AGENT_PY.replace("claude_code()(q)", 'claude_code()(q + " Be brief.")')
    (tmp_path / "agentwf.py").write_text(changed)
    env = {"FIXED": "1", **_claude_that_tells(tmp_path)}
    out = godel_run("resume", AGENT, "agentwf.py", env=env)
    assert out.returncode == 2, out.stderr  # a changed request (godel resume --help)
    assert "ResumeError: agent.call at ask" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "asked").exists()
    kept = godel_run("resume", AGENT, "agentwf.py", "--on-mismatch", "continue", env=env)
    assert kept.returncode == 0, kept.stderr
    assert EventLog.load(AGENT, tmp_path / "runs").events[0].response == {"result": "forty-two!"}
    assert not (tmp_path / "asked").exists()


def test_resume_gives_back_a_structured_answer_godel_py_recorded(
    tmp_path: Path, godel_run: Runner
) -> None:
    """godel-py kept a structured answer as its model's ``repr`` and the prompt with the system
    prompt before it: the call is recognised and the model read back from that text."""
    runs(tmp_path, REVIEW)
    (tmp_path / "schemawf.py").write_text(REVIEW_PY)
    out = godel_run(
        "resume", REVIEW, "schemawf.py", env={"FIXED": "1", **_claude_that_tells(tmp_path)}
    )
    assert out.returncode == 0, out.stderr
    assert not (tmp_path / "asked").exists()
    log = EventLog.load(REVIEW, tmp_path / "runs")
    assert log.events[0].response == {"result": 0.75}
    gate = [e for e in log.events if e.step_path == ("gate",) and e.status.value == "FINISHED"]
    assert gate[0].request["args"] == [
        {"ok": True, "reasons": ["tests pass", "it's small"], "score": 0.75}
    ]


def test_an_agent_call_godel_py_left_in_flight_is_not_asked_again_blindly(
    tmp_path: Path, godel_run: Runner
) -> None:
    """godel-py stopped while the model was being asked (the call STARTED, never ended): the
    call may have done its work, so the resume refuses to ask again without being told."""
    target = tmp_path / "runs"
    target.mkdir()
    lines = (FIXTURES / f"{AGENT}.jsonl").read_text().splitlines(keepends=True)
    in_flight = next(line for line in lines if '"op":"agent.call"' in line)
    (target / f"{AGENT}.jsonl").write_text("".join(lines[: lines.index(in_flight) + 1]))
    (tmp_path / "agentwf.py").write_text(AGENT_PY)
    out = godel_run(
        "resume", AGENT, "agentwf.py", env={"FIXED": "1", **_claude_that_tells(tmp_path)}
    )
    assert out.returncode == 2, out.stderr
    assert "UnsafeResumeError" in out.stderr and "agent.call" in out.stderr, out.stderr
    assert "--assume-idempotent" in out.stderr
    assert not (tmp_path / "asked").exists()
