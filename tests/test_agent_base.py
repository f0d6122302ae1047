"""The agent base (godel.agents.Agent), driven through the echo test plugin's real CLI.

The echo backend (tests/plugins/godel-echo) is a complete small backend: a real subprocess
that streams JSON lines and keeps sessions on disk, so these tests exercise the base's
recording, replay, sessions, schema handling and watchdogs end to end, fast.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest
from pydantic import BaseModel

import godel
from godel import (
    AgentError,
    AgentStalled,
    AgentTimeout,
    ContextOverflowError,
    SchemaValidationFailure,
)
from godel.log.eventlog import EventLog
from godel.log.events import EventStatus, Op

GODEL = Path(sys.executable).parent / "godel"


@pytest.fixture
def echo_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "echo-home"
    monkeypatch.setenv("ECHO_HOME", str(home))
    return home


def invocations(home: Path) -> list[dict]:
    path = home / "invocations.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def run_workflow(wf, runs_dir: Path, *args, transcript: bool = True):
    from godel.engine.workflow import RunOptions, execute

    ids: list[str] = []
    options = RunOptions(
        runs_dir=runs_dir, transcript=transcript, on_start=lambda run_id, _p: ids.append(run_id)
    )
    try:
        return anyio.run(execute, wf.__godel_workflow__, args, {}, options), ids[0]
    except BaseException as exc:
        exc.run_id = ids[0] if ids else None  # type: ignore[attr-defined]
        raise


def resume_workflow(wf, run_id: str, runs_dir: Path):
    return anyio.run(lambda: godel.resume(wf, run_id, runs_dir=runs_dir))


def agent_events(runs_dir: Path, run_id: str) -> list:
    return [e for e in EventLog.load(run_id, runs_dir).events if e.op == Op.AGENT_CALL]


class Pick(BaseModel):
    name: str
    n: int


# --- recording ----------------------------------------------------------------------------------


@godel.step
async def ask(agent, prompt):
    return await agent(prompt)


@godel.workflow
async def two_turns():
    agent = godel.agents.echo(system_prompt="You are terse.")
    first = await ask(agent, "hello")
    history = await agent("!history")
    return first, history, agent.session_id


def test_an_agent_call_is_one_event_linked_to_its_step_with_the_full_request_and_answer(
    echo_home, tmp_path
):
    runs = tmp_path / "runs"
    (first, history, session), run_id = run_workflow(two_turns, runs)
    assert (
        first == "You are terse.\n\nhello"
    )  # no system-prompt flag: delivered once, with the first prompt
    assert history == "You are terse.\n\nhello"  # the second call continued the same session
    log = EventLog.load(run_id, runs)
    calls = [e for e in log.events if e.op == Op.AGENT_CALL]
    assert [c.status for c in calls] == [EventStatus.FINISHED] * 2
    step_ev = log.get(calls[0].parent_id)
    assert step_ev.op == Op.STEP_ENTER and calls[0].step_path == ("ask",)
    req, resp = calls[0].request, calls[0].response
    assert req["backend"] == "echo" and req["model"] == "echo-1" and req["prompt"] == "hello"
    assert (
        req["system_prompt"] == "You are terse."
        and req["session_mode"] == "new"
        and req["turn"] == 0
    )
    assert resp["text"] == first and resp["session_id"] == req["session_id"] == session
    assert resp["usage"] == {"input_tokens": 4, "output_tokens": 4} and resp["duration"] > 0
    assert (
        calls[1].request["session_mode"] == "resume" and calls[1].request["session_id"] == session
    )
    assert calls[1].request["turn"] == 1
    # the session id was journaled before the CLI started, and the CLI was told to use it
    argv = invocations(echo_home)[0]["argv"]
    assert argv[argv.index("--session-id") + 1] == session


def test_the_transcript_gets_the_prompt_the_streamed_answer_and_the_result(echo_home, tmp_path):
    runs = tmp_path / "runs"
    _, run_id = run_workflow(two_turns, runs)
    lines = [
        json.loads(x)["event"]
        for x in (runs / run_id / "transcript.jsonl").read_text().splitlines()[1:]
    ]
    # The streamed answer is written a line at a time (so that a secret is redacted whole).
    ops = [
        (op, path) for (op, path), _ in itertools.groupby((e["op"], e["step_path"]) for e in lines)
    ]
    assert ops[:3] == [
        ("agent.prompt", ["ask"]),
        ("agent.response", ["ask"]),
        ("agent.result", ["ask"]),
    ]
    first = [e for e in lines if e["stream_path"] == lines[0]["stream_path"]]
    streamed = "".join(e["text"] for e in first if e["op"] == "agent.response")
    assert streamed == "You are terse.\n\nhello"
    call = agent_events(runs, run_id)[0]
    assert (
        lines[0]["stream_path"] == call.stream_path
        and lines[0]["session_id"] == call.request["session_id"]
    )
    assert [e["seq"] for e in lines] == list(range(1, len(lines) + 1))


@godel.workflow
async def structured(directive):
    agent = godel.agents.echo()
    return (await agent(directive, schema=Pick)).model_dump()


def test_schema_answers_are_validated_and_replayed_as_model_instances(echo_home, tmp_path):
    runs = tmp_path / "runs"
    value, run_id = run_workflow(structured, runs, '!json {"name": "x", "n": 3}')
    assert value == {"name": "x", "n": 3}
    call = agent_events(runs, run_id)[0]
    assert call.request["schema_name"] == "Pick"
    assert call.request["schema"]["required"] == ["name", "n"]
    assert call.response["value"] == {"name": "x", "n": 3} and call.response["invocations"] == 1


def test_an_invalid_answer_gets_one_repair_turn_in_the_same_session(echo_home, tmp_path):
    runs = tmp_path / "runs"
    value, run_id = run_workflow(
        structured, runs, '!json {"name": "x"}\n!then {"name": "x", "n": 4}'
    )
    assert value == {"name": "x", "n": 4}
    calls = invocations(echo_home)
    assert len(calls) == 2
    session = agent_events(runs, run_id)[0].request["session_id"]
    assert calls[1]["argv"][calls[1]["argv"].index("--resume") + 1] == session
    assert "n: Field required" in calls[1]["prompt"]
    assert agent_events(runs, run_id)[0].response["invocations"] == 2


def test_an_answer_that_stays_invalid_fails_with_the_raw_text_and_the_errors(echo_home, tmp_path):
    runs = tmp_path / "runs"
    with pytest.raises(SchemaValidationFailure) as info:
        run_workflow(structured, runs, '!json {"name": 5, "n": "many"}\n!then {"name": 6}')
    err = info.value
    assert err.schema_name == "Pick" and len(invocations(echo_home)) == 2
    assert err.validation_errors == ["name: Input should be a valid string", "n: Field required"]
    assert err.raw == '{"name": 6}'  # the repair turn's answer
    (call,) = agent_events(runs, info.value.run_id)
    assert (
        call.status is EventStatus.FAILED
        and call.response["error_type"] == "SchemaValidationFailure"
    )
    # Both invocations were paid for: the ledger counts what they used.
    assert call.response["usage"] == {"input_tokens": 105, "output_tokens": 6}


# --- errors and watchdogs ---------------------------------------------------------------------


@godel.workflow
async def one_call(prompt, timeout, stall):
    agent = godel.agents.echo(stall_timeout=stall)
    return await agent(prompt, timeout=timeout)


@pytest.mark.parametrize(
    ("prompt", "error", "message"),
    [
        (
            "!fail the model is overloaded",
            AgentError,
            "the model reported an error: the model is overloaded",
        ),
        (
            "!fail prompt is too long: 210000 tokens",
            ContextOverflowError,
            "no longer fits the model's context",
        ),
        ("!exit 3", AgentError, "exited (status 3) without a result: echo-agent: exiting as asked"),
    ],
)
def test_cli_and_model_errors_are_clear_exceptions_recorded_as_failed(
    echo_home, tmp_path, prompt, error, message
):
    runs = tmp_path / "runs"
    with pytest.raises(error) as info:
        run_workflow(one_call, runs, prompt, None, None)
    assert message in str(info.value)
    assert isinstance(info.value, godel.WorkflowFail)  # retry retries agent errors
    (call,) = agent_events(runs, info.value.run_id)
    assert call.status is EventStatus.FAILED and call.response["error_type"] == error.__name__


def test_a_stalled_cli_is_ended_by_the_watchdog(echo_home, tmp_path):
    started = time.monotonic()
    with pytest.raises(AgentStalled) as info:
        run_workflow(one_call, tmp_path / "runs", "!sleep 30", None, 0.5)
    assert "no output for 0.5s" in str(info.value)
    assert time.monotonic() - started < 20  # ended long before the sleep would have


def test_a_call_over_its_timeout_is_ended(echo_home, tmp_path):
    with pytest.raises(AgentTimeout) as info:
        run_workflow(one_call, tmp_path / "runs", "!sleep 30", 0.5, None)
    assert not isinstance(info.value, AgentStalled)
    assert "took longer than its timeout (0.5s); ended the CLI" in str(info.value)


def test_a_missing_cli_says_what_to_install(echo_home, tmp_path):
    agent = godel.agents.echo(executable=str(tmp_path / "no-such-cli"))
    with pytest.raises(AgentError, match="cannot start") as info:
        anyio.run(agent, "hi")
    assert "Install" in info.value.remediation_hint


def test_bad_arguments_are_rejected_before_anything_runs(echo_home):
    agent = godel.agents.echo()
    with pytest.raises(ValueError, match="non-empty"):
        anyio.run(agent, "  ")
    with pytest.raises(TypeError, match="pydantic model"):
        anyio.run(lambda: agent("hi", schema=dict))
    with pytest.raises(TypeError, match="list of tool names"):
        godel.agents.echo(tools="Read")
    # Wrong types are one clear error here, not a TypeError from inside subprocess later.
    with pytest.raises(TypeError, match="tools= takes a list of strings, got 1"):
        godel.agents.echo(tools=["Read", 1])
    with pytest.raises(TypeError, match="extra_args= takes a list of strings"):
        godel.agents.echo(extra_args=["--x", 5])
    with pytest.raises(TypeError, match="env= takes str names and values, got 'A': 1"):
        godel.agents.echo(env={"A": 1})
    for bad in ("30", True):
        with pytest.raises(ValueError, match="timeout= must be a positive number of seconds"):
            godel.agents.echo(timeout=bad)
        with pytest.raises(ValueError, match="timeout= must be a positive number of seconds"):
            anyio.run(lambda: agent("hi", timeout=bad))  # noqa: B023


# --- replay, crash recovery, rewind --------------------------------------------------------------


@godel.step
async def gate(flag: str):
    if Path(flag).exists():
        raise godel.WorkflowFail("gate closed")


@godel.workflow
async def big_then_gate(flag, size):
    agent = godel.agents.echo()
    answer = await agent("!json " + "x" * size)
    again = await agent("!history")
    await gate(flag)
    return answer, again, agent.session_id


def test_a_resumed_run_gets_full_answers_and_sessions_back_without_running_the_cli(
    echo_home, tmp_path
):
    runs = tmp_path / "runs"
    flag = tmp_path / "closed"
    flag.touch()
    with pytest.raises(godel.WorkflowFail) as info:
        run_workflow(big_then_gate, runs, str(flag), 150_000)
    before = len(invocations(echo_home))
    flag.unlink()
    answer, again, session = resume_workflow(big_then_gate, info.value.run_id, runs)
    assert answer == "x" * 150_000 and again.startswith("!json xxx") and len(again) > 150_000
    assert len(invocations(echo_home)) == before == 2  # zero new CLI invocations
    assert session == agent_events(runs, info.value.run_id)[0].request["session_id"]


WORKFLOW = """
import godel
from godel import step, workflow
from godel.agents import echo


ASSUME_IDEMPOTENT = False


@step
async def talk(agent, prompt):
    return await agent(prompt, assume_idempotent=ASSUME_IDEMPOTENT)


@workflow
async def main():
    agent = echo()
    a = await talk(agent, "first")
    b = await talk(agent, "second\\n!sleep {sleep}")
    c = await talk(agent, "!history")
    return c
"""


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_")}
    return {**env, **extra}


def godel_cli(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GODEL), *args], capture_output=True, text=True, cwd=cwd, env=clean_env(env), timeout=60
    )


def processes_with_env(name: str, value: Path) -> list[int]:
    """Live processes (not zombies) whose environment has ``name=value``."""
    needle = f"{name}={value}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and needle in (proc / "environ").read_bytes().split(b"\0"):
                if "\nState:\tZ" not in (proc / "status").read_text():
                    found.append(int(proc.name))
        except OSError:
            pass
    return found


def run_id_in(runs: Path) -> str:
    (log,) = runs.glob("*.jsonl")
    return log.stem


def kill_during_second_call(project: Path, home: Path) -> str:
    """Start ``godel run wf.py``, SIGKILL it while its second agent call runs; return the run id."""
    proc = subprocess.Popen(
        [str(GODEL), "run", "wf.py", "--no-lint"],
        cwd=project,
        env=clean_env({"ECHO_HOME": str(home)}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while len(invocations(home)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(invocations(home)) == 2, "the second agent call never started"
    assert processes_with_env("ECHO_HOME", home), "the echo CLI should be running"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return run_id_in(project / "runs")


@pytest.mark.slow
def test_sigkill_during_a_call_then_a_hot_patched_resume_forks_at_the_last_kept_turn(tmp_path):
    home = tmp_path / "echo-home"
    env = {"ECHO_HOME": str(home)}
    (tmp_path / "wf.py").write_text(WORKFLOW.replace("{sleep}", "30"))
    run_id = kill_during_second_call(tmp_path, home)
    # no handler ran in godel, yet its agent CLI (in a process group of its own) did not outlive it
    deadline = time.monotonic() + 10
    while processes_with_env("ECHO_HOME", home) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not processes_with_env("ECHO_HOME", home)
    (tmp_path / "wf.py").write_text(WORKFLOW.replace("{sleep}", "0"))  # hot-patch: no more sleeping
    out = godel_cli(
        "resume",
        run_id,
        "--no-lint",
        "--on-source-edit",
        "ignore",
        "--on-mismatch",
        "invalidate",
        cwd=tmp_path,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    calls = invocations(home)
    # the edited call runs in a fork of the session that keeps the first turn; nothing else re-ran
    assert [c["prompt"].splitlines()[-1] for c in calls] == [
        "first",
        "!sleep 30",
        "!sleep 0",
        "!history",
    ]
    session = calls[0]["argv"][calls[0]["argv"].index("--session-id") + 1]
    fork = calls[2]["argv"]
    assert (
        fork[fork.index("--fork-of") + 1] == session and fork[fork.index("--resume-at") + 1] == "1"
    )
    history = [
        e for e in agent_events(tmp_path / "runs", run_id) if e.status is EventStatus.FINISHED
    ][-1]
    assert history.response["text"].startswith("first | ")


@pytest.mark.slow
def test_sigkill_during_a_call_stops_the_resume_unless_the_call_may_run_again(tmp_path):
    home = tmp_path / "echo-home"
    env = {"ECHO_HOME": str(home)}
    (tmp_path / "wf.py").write_text(WORKFLOW.replace("{sleep}", "2"))
    run_id = kill_during_second_call(tmp_path, home)
    interrupted = agent_events(tmp_path / "runs", run_id)[1]
    assert interrupted.status is EventStatus.STARTED
    # Its outcome is unknown (the agent may have done part of the work): not asked again blindly.
    out = godel_cli("resume", run_id, "--no-lint", cwd=tmp_path, env=env)
    assert out.returncode == 2, out.stderr
    assert (
        "UnsafeResumeError: agent.call was in flight when the run stopped (STARTED, never finished)"
        in out.stderr
    )
    assert f"  Command: echo(echo-1)\n  Step: talk\n  Event: {interrupted.event_id}\n" in out.stderr
    assert "assume_idempotent=True on the agent call" in out.stderr
    assert len(invocations(home)) == 2  # the CLI was not run again
    assert [e.status for e in agent_events(tmp_path / "runs", run_id)] == [
        EventStatus.FINISHED,
        EventStatus.STARTED,
    ]
    # --assume-idempotent says it is safe: the call is asked again, in its session.
    out = godel_cli("resume", run_id, "--no-lint", "--assume-idempotent", cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    calls = invocations(home)
    assert len(calls) == 4 and "interrupted" in calls[2]["prompt"]
    assert "--resume" in calls[2]["argv"]
    events = agent_events(tmp_path / "runs", run_id)
    started_only = [e for e in events if e.status is EventStatus.STARTED]
    # the crashed attempt stays in the audit trail
    assert [e.event_id for e in started_only] == [interrupted.event_id]
    again = events[2]
    assert again.request["assumed_idempotent_source"] == "resume_flag"
    assert again.request["session_id"] == interrupted.request["session_id"]
    assert (
        events[-1]
        .response["text"]
        .startswith("first | (Your previous attempt at this request was interrupted")
    )


@pytest.mark.slow
def test_a_call_cut_by_sigint_is_interrupted_not_failed_and_is_not_asked_again_blindly(tmp_path):
    home = tmp_path / "echo-home"
    env = {"ECHO_HOME": str(home)}
    (tmp_path / "wf.py").write_text(WORKFLOW.replace("{sleep}", "3"))
    proc = subprocess.Popen(
        [str(GODEL), "run", "wf.py", "--no-lint"],
        cwd=tmp_path,
        env=clean_env(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while len(invocations(home)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    run_id = run_id_in(tmp_path / "runs")
    interrupted = agent_events(tmp_path / "runs", run_id)[1]
    assert interrupted.status is EventStatus.FAILED
    assert interrupted.response["error"] == "interrupted by SIGINT"
    assert interrupted.response["error_type"] == "Interrupted"
    assert interrupted.response["interrupted"] is True
    # The agent may have done part of the work: as after a crash, it is not asked again blindly.
    out = godel_cli("resume", run_id, "--no-lint", cwd=tmp_path, env=env)
    assert out.returncode == 2, out.stderr
    assert (
        "agent.call was interrupted before it finished (interrupted by SIGINT); "
        "its outcome is unknown" in out.stderr
    )
    assert f"  Command: echo(echo-1)\n  Step: talk\n  Event: {interrupted.event_id}\n" in out.stderr
    assert len(invocations(home)) == 2
    out = godel_cli("resume", run_id, "--no-lint", "--assume-idempotent", cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    calls = invocations(home)
    # asked again once, in the session the interrupted call had started
    assert len(calls) == 4 and "interrupted" in calls[2]["prompt"]
    again = agent_events(tmp_path / "runs", run_id)[2]
    assert again.request["session_id"] == interrupted.request["session_id"]


@pytest.mark.slow
def test_sigkill_during_a_call_marked_assume_idempotent_resumes_it_in_its_session(tmp_path):
    home = tmp_path / "echo-home"
    env = {"ECHO_HOME": str(home)}
    source = WORKFLOW.replace("{sleep}", "2")
    (tmp_path / "wf.py").write_text(source.replace("IDEMPOTENT = False", "IDEMPOTENT = True"))
    run_id = kill_during_second_call(tmp_path, home)
    first, interrupted = agent_events(tmp_path / "runs", run_id)
    assert first.request["assumed_idempotent_source"] == "assume_idempotent_kwarg"
    assert interrupted.status is EventStatus.STARTED
    out = godel_cli("resume", run_id, "--no-lint", cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    calls = invocations(home)
    assert len(calls) == 4 and "interrupted" in calls[2]["prompt"]
    again = agent_events(tmp_path / "runs", run_id)[2]
    assert again.request["assumed_idempotent_source"] == "assume_idempotent_kwarg"
    assert again.request["session_id"] == interrupted.request["session_id"]


@pytest.mark.slow
def test_rewind_forks_the_session_so_the_model_never_sees_the_discarded_answer(tmp_path):
    home = tmp_path / "echo-home"
    env = {"ECHO_HOME": str(home)}
    (tmp_path / "wf.py").write_text(WORKFLOW.replace("{sleep}", "0"))
    assert godel_cli("run", "wf.py", "--no-lint", cwd=tmp_path, env=env).returncode == 0
    run_id = run_id_in(tmp_path / "runs")
    second = agent_events(tmp_path / "runs", run_id)[1]
    out = godel_cli(
        "rewind", run_id, "--to", second.event_id, "--assume-idempotent", cwd=tmp_path, env=env
    )
    assert out.returncode == 0, out.stderr + out.stdout
    out = godel_cli("resume", run_id, "--no-lint", cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    live = [e for e in agent_events(tmp_path / "runs", run_id) if e.status is EventStatus.FINISHED]
    first, second_again, history = live
    assert second_again.request["session_mode"] == "fork"
    assert second_again.request["fork_of"] == first.request["session_id"]
    assert second_again.request["session_id"] != first.request["session_id"]
    # the fork kept the first turn only: the old second answer and the old history are gone
    assert history.response["text"] == "first | second\n!sleep 0"
    fork_argv = invocations(home)[3]["argv"]
    assert fork_argv[fork_argv.index("--resume-at") + 1] == "1"


def test_agents_are_values_with_a_stable_repr(echo_home):
    agent = godel.agents.echo(model="echo-2", tools=["Read"])
    assert repr(agent) == "EchoAgent(model='echo-2', cwd=None, tools=('Read',))"
    assert anyio.run(agent, "hi") == "hi" and agent.session_id
    assert repr(agent) == "EchoAgent(model='echo-2', cwd=None, tools=('Read',))"


def test_a_session_id_given_to_the_constructor_is_continued(echo_home):
    first = godel.agents.echo()
    anyio.run(first, "remember me")
    again = godel.agents.echo(session_id=first.session_id)
    assert anyio.run(again, "!history") == "remember me"
    assert again.session_id == first.session_id
    assert sys.executable  # the echo CLI runs on this interpreter


@godel.workflow
async def retried():
    agent = godel.agents.echo()
    await agent("first")

    @godel.retry(2)
    @godel.step
    async def flaky(n):
        return await agent(n)

    return await flaky("!json {}\n!then ok") if False else await flaky_call(agent)


async def flaky_call(agent):
    attempts = []

    @godel.retry(2)
    async def once():
        attempts.append(1)
        prompt = "!fail overloaded" if len(attempts) == 1 else "!history"
        return await agent(prompt)

    return await once()


def test_a_retried_call_continues_the_session_after_a_failure(echo_home, tmp_path):
    answer, run_id = run_workflow(retried, tmp_path / "runs")
    assert answer == "first"  # the same session, not a fork or a new one
    modes = [e.request["session_mode"] for e in agent_events(tmp_path / "runs", run_id)]
    assert modes == ["new", "resume", "resume"]


SECRET = "sk-ant-api03-" + "Zx9" * 20


@godel.workflow
async def secret_then_gate(flag):
    agent = godel.agents.echo()
    answer = await agent(f"deploy with {SECRET}")
    await gate(flag)
    return answer


def test_secrets_in_prompts_and_answers_never_reach_disk_and_replay_still_hits(echo_home, tmp_path):
    runs = tmp_path / "runs"
    flag = tmp_path / "closed"
    flag.touch()
    with pytest.raises(godel.WorkflowFail) as info:
        run_workflow(secret_then_gate, runs, str(flag))
    for path in runs.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    flag.unlink()
    answer = resume_workflow(secret_then_gate, info.value.run_id, runs)
    assert len(invocations(echo_home)) == 1  # answered from the log (its hash is of the original)
    assert SECRET not in answer and "[REDACTED" in answer  # what was recorded is what replays


CATCHES = """
import json

import godel
from godel import print, retry, step, workflow
from godel.agents import SchemaValidationFailure, echo
from pydantic import BaseModel


class Pick(BaseModel):
    name: str
    n: int


BAD = '!json {"name": 5}\\n!then {"name": 6}'  # invalid, and invalid again after the repair turn


@retry(2)
@step
async def ask(agent):
    return await agent(BAD, schema=Pick)


@step
async def catch():
    caught = []
    try:
        await echo()(BAD, schema=Pick)
    except SchemaValidationFailure as exc:
        caught.append(["godel.agents", exc.schema_name, exc.raw])
    try:
        await echo()(BAD, schema=Pick)
    except godel.SchemaValidationFailure as exc:
        caught.append(["godel", exc.validation_errors])
    return caught


@workflow
async def main(mode):
    if mode == "retry":
        return await ask(echo())  # a WorkflowFail: retried, then the run fails with exit 1
    await print(json.dumps(await catch()))
"""


def test_an_agents_schema_failure_is_caught_as_godel_agents_or_godel_schema_validation_failure(
    tmp_path,
):
    home = tmp_path / "echo-home"
    (tmp_path / "wf.py").write_text(CATCHES)
    out = godel_cli("run", "wf.py", "--", "catch", cwd=tmp_path, env={"ECHO_HOME": str(home)})
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [
        ["godel.agents", "Pick", '{"name": 6}'],
        ["godel", ["name: Input should be a valid string", "n: Field required"]],
    ]
    out = godel_cli("run", "wf.py", "--", "retry", cwd=tmp_path, env={"ECHO_HOME": str(home)})
    assert out.returncode == 1
    assert "[godel] failed after " in out.stderr
    assert ": SchemaValidationFailure: echo(" in out.stderr
    assert len(invocations(home)) == 4 + 4  # two calls above; here two attempts, each repaired
