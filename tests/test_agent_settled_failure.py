"""An agent call that failed and was handled is not asked again on resume (the echo test
plugin's real CLI; see tests/test_agent_base.py)."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import pytest

import godel
from godel import AgentError
from godel.log.eventlog import EventLog
from godel.log.events import EventStatus, Op


@pytest.fixture
def echo_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "echo-home"
    monkeypatch.setenv("ECHO_HOME", str(home))
    return home


def invocations(home: Path) -> list[dict]:
    path = home / "invocations.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def gated_run(workflow, tmp_path: Path) -> tuple[Path, Path, str]:
    """Run ``workflow`` with its gate closed (it fails at the gate): its runs dir, the gate's
    flag file and the run's id."""
    from godel.engine.workflow import RunOptions, execute

    runs = tmp_path / "runs"
    flag = tmp_path / "closed"
    flag.touch()
    ids: list[str] = []
    options = RunOptions(runs_dir=runs, on_start=lambda run_id, _p: ids.append(run_id))
    with pytest.raises(godel.WorkflowFail, match="gate closed"):
        anyio.run(execute, workflow.__godel_workflow__, (str(flag),), {}, options)
    return runs, flag, ids[0]


@godel.step
async def ask_with_fallback(agent):
    try:
        await agent("!fail the model is overloaded")
    except AgentError as exc:
        return f"fell back after: {exc.message}"
    return "no failure"


@godel.step
async def gate(flag: str):
    if Path(flag).exists():
        raise godel.WorkflowFail("gate closed")


@godel.workflow
async def fallback_then_gate(flag):
    agent = godel.agents.echo()
    answer = await ask_with_fallback(agent)
    again = await agent("!history")
    await gate(flag)
    return answer, again


def test_a_handled_agent_failure_is_raised_again_from_the_log_on_resume(echo_home, tmp_path):
    runs, flag, run_id = gated_run(fallback_then_gate, tmp_path)
    calls = len(invocations(echo_home))
    assert calls == 2
    flag.unlink()
    answer, again = anyio.run(lambda: godel.resume(fallback_then_gate, run_id, runs_dir=runs))
    assert len(invocations(echo_home)) == calls  # neither call was made again
    events = EventLog.load(run_id, runs).events
    step = next(e for e in events if e.op == Op.STEP_ENTER)
    assert answer == step.response["result"]  # the same message, rebuilt from the log
    assert answer.startswith("fell back after: echo(") and answer.endswith("model is overloaded")
    agent_calls = [e for e in events if e.op == Op.AGENT_CALL]
    assert [e.status for e in agent_calls] == [EventStatus.FAILED, EventStatus.FINISHED]
    assert again == agent_calls[1].response["text"]


PROMPT = {"text": "!fail the model is overloaded"}  # what `ask_edited` asks; a test edits it


@godel.step
async def ask_edited(agent):
    try:
        await agent(PROMPT["text"])
    except AgentError as exc:
        return f"fell back after: {exc.message}"
    return "no failure"


@godel.workflow
async def edited_then_gate(flag):
    answer = await ask_edited(godel.agents.echo())
    await gate(flag)
    return answer


@pytest.mark.parametrize(("policy", "asked"), [("abort", 0), ("continue", 0), ("invalidate", 1)])
def test_an_edited_prompt_of_a_handled_failure_follows_the_mismatch_policy(
    echo_home, tmp_path, monkeypatch, policy, asked
):
    """It used to be asked live, whatever --on-mismatch said (the default abort too)."""
    from godel.exceptions import ResumeError

    runs, flag, run_id = gated_run(edited_then_gate, tmp_path)
    calls = len(invocations(echo_home))
    flag.unlink()
    monkeypatch.setitem(PROMPT, "text", "!history")

    async def again():
        return await godel.resume(edited_then_gate, run_id, runs_dir=runs, on_mismatch=policy)

    if policy == "abort":
        with pytest.raises(ResumeError, match=r"agent\.call at ask_edited"):
            anyio.run(again)
    else:
        answer = anyio.run(again)
        assert answer.startswith("fell back after") == (policy == "continue")
    assert len(invocations(echo_home)) == calls + asked
