"""``godel.plan_resume`` against the resume it predicts, over random edits of a failed run's
workflow (calls added, removed, swapped, changed; steps, ``parallel``, handled failures): a
recorded command the resume runs again is one the plan listed, a plan that finishes runs
nothing, one that diverges goes live, and ``abort`` at a changed request runs nothing."""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path
from typing import Any

import anyio
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import godel
from godel.engine.keys import KeyTable
from godel.engine.workflow import RunOptions, execute
from godel.log.eventlog import EventLog

_modules = itertools.count()

HEAD = """
from godel import CommandFailure, parallel, run, step, workflow


@step
async def s(tag):
    await run(["true", tag])


@step
async def t(tag):
    await run(["true", tag])


@step
async def c(tag):
    try:
        await run(["sh", "-c", "exit EXIT", tag])
    except CommandFailure:
        pass


@step
async def gate(flag):
    await run(["test", "-f", flag])


@workflow
async def wf(flag):
"""


def workflow_of(calls: list[tuple[str, str]], folder: Path, code: int = 1) -> Any:
    body = [
        f"    await parallel(s({tag!r} + 'a'), t({tag!r} + 'b'))"
        if kind == "par"
        else f"    await {kind}({tag!r})"
        for kind, tag in calls
    ]
    path = folder / f"wf{next(_modules)}.py"
    path.write_text(
        HEAD.replace("EXIT", str(code)) + "\n".join([*body, "    await gate(flag)"]) + "\n"
    )
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.wf


KINDS = st.sampled_from(["s", "t", "c", "par"])
RECORDED = st.tuples(KINDS, st.integers(0, 10**6).map(str))
NEW = st.tuples(KINDS, st.integers(0, 10**6).map(lambda i: f"n{i}"))  # never a recorded tag
EDIT = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 5), NEW),
    st.tuples(st.just("remove"), st.integers(0, 5)),
    st.tuples(st.just("swap"), st.integers(0, 5)),
    st.tuples(st.just("change"), st.integers(0, 5), NEW),
)


def edited(calls: list[tuple[str, str]], edits: list[tuple[Any, ...]]) -> list[tuple[str, str]]:
    calls = list(calls)
    for what, at, *new in edits:
        if what == "insert":
            calls.insert(at % (len(calls) + 1), new[0])
        elif calls and what == "remove":
            del calls[at % len(calls)]
        elif len(calls) > 1 and what == "swap":
            i, j = at % len(calls), (at + 1) % len(calls)
            calls[i], calls[j] = calls[j], calls[i]
        elif calls and what == "change":
            calls[at % len(calls)] = new[0]
    return calls


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(RECORDED, min_size=1, max_size=4, unique_by=lambda call: call[1]),
    st.lists(EDIT, min_size=1, max_size=3),
    st.sampled_from(["abort", "continue", "invalidate"]),
    st.sampled_from([1, 2]),  # 2: the handled failures' command is edited too
)
def test_the_plan_tells_what_the_resume_does(tmp_path_factory, calls, edits, policy, code):
    folder = tmp_path_factory.mktemp("plan")
    runs, flag = folder / "runs", folder / "open"
    ids: list[str] = []
    options = RunOptions(runs_dir=runs, on_start=lambda run_id, _p: ids.append(run_id))
    try:
        anyio.run(execute, workflow_of(calls, folder).__godel_workflow__, (str(flag),), {}, options)
    except godel.WorkflowFail:
        pass  # the gate: no ./open yet
    before = EventLog.load(ids[0], runs).events
    now = workflow_of(edited(calls, edits), folder, code)
    flag.touch()
    plan = godel.plan_resume(ids[0], workflow=now, runs_dir=runs, on_mismatch=policy)
    try:
        anyio.run(lambda: godel.resume(now, ids[0], runs_dir=runs, on_mismatch=policy))
        outcome = "completed"
    except godel.ResumeError:
        outcome = "ResumeError"
    log = EventLog.load(ids[0], runs)
    root = next(ev for ev in log.events if ev.op == "WORKFLOW_STARTED")
    identity = KeyTable().derive(log, {root.event_id})
    old = {ev.event_id for ev in before}
    recorded = {identity.get(ev.event_id): ev.event_id for ev in before if ev.op == "run"}
    ran = [ev for ev in log.events if ev.op == "run" and ev.event_id not in old]
    first = plan["divergence"]
    event(f"{policy}: {plan['outcome']} {first and first['kind']}, {outcome}")

    if first and first["kind"] == "changed" and policy == "abort":
        assert outcome == "ResumeError" and ran == []
        return
    listed = {item["event_id"] for item in plan["rerun"]}
    for ev in ran:  # a recorded command that runs again is one the plan listed
        was = recorded.get(identity.get(ev.event_id))
        assert was is None or was in listed, (ev.request, plan)
    if plan["outcome"] == "finishes":
        assert ran == []
    if first is not None:
        assert ran  # it does go live
