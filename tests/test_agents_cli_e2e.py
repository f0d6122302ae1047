"""End to end with the real agent CLIs: `godel run` → claude / copilot / codex → godel's fake model server.

Offline: each test gets its own HOME and a fake model server on 127.0.0.1; the CLIs come from
the npm registry (`make tools` puts them in .tools/, which tests/conftest.py adds to PATH).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from godel.log.eventlog import EventLog
from godel.testing.fake_model import Turn

GODEL = Path(sys.executable).parent / "godel"

pytestmark = [pytest.mark.agents, pytest.mark.slow]

WORKFLOW = """
from pydantic import BaseModel

from godel import WorkflowFail, step, workflow
from godel.agents import claude_code, codex, copilot


class City(BaseModel):
    city: str
    population: int


def make(backend, **options):
    if backend == "claude":
        return claude_code(model="sonnet", **options)
    if backend == "codex":
        return codex(model="gpt-5.5", **options)
    return copilot(model="sonnet", **options)


IDEMPOTENT = False  # the test edits this line before resuming


@step
async def ask(agent, prompt, structured=False):
    return await agent(
        prompt, schema=City if structured else None, assume_idempotent=IDEMPOTENT
    )


GATE = "closed"  # the test edits this line before resuming (a hot-patch)


@step
async def gate():
    if GATE == "closed":
        raise WorkflowFail("gate closed")


@workflow
async def main(backend, mode, stall="600"):
    if mode == "plain":
        return await ask(make(backend), "Say hello.")
    if mode == "schema":
        return (await ask(make(backend), "Biggest city in France?", True)).model_dump()
    if mode == "tool":
        agent = make(backend, cwd=".", tools=["Write"] if backend == "claude" else None, skip_permissions=True)
        return await ask(agent, "Create made.txt saying made by the agent.")
    if mode == "badflag":
        return await ask(make(backend, extra_args=["--no-such-flag"]), "Say hello.")
    if mode == "stall":
        return await ask(make(backend, stall_timeout=float(stall)), "Think hard.")
    agent = make(backend)
    first = await ask(agent, "Remember the number 42.")
    second = await ask(agent, "Which number did I ask you to remember?")
    if mode == "gate":
        await gate()
    return [first, second, agent.session_id]
"""


@pytest.fixture(params=["claude", "copilot", "codex"])
def backend(request: pytest.FixtureRequest, require_cli) -> str:
    require_cli(request.param)
    return request.param


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "wf.py").write_text(WORKFLOW)
    return tmp_path


def cli_env(fake_model, backend: str, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_")}
    if backend == "claude":
        extra = fake_model.anthropic_env(home)
    elif backend == "codex":
        extra = fake_model.codex_env(home)
    else:
        extra = fake_model.copilot_env(home)
    return {**env, **extra}


def godel(
    project: Path, env: dict[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GODEL), *args], cwd=project, env=env, capture_output=True, text=True, timeout=timeout
    )


def result_of(project: Path) -> tuple[str, object, list]:
    (log_path,) = (project / "runs").glob("*.jsonl")
    log = EventLog.load(log_path.stem, project / "runs")
    root = log.events[0]
    calls = [e for e in log.events if e.op == "agent.call"]
    return log_path.stem, (root.response or {}).get("result"), calls


def test_a_plain_answer(fake_model, backend, project, tmp_path):
    fake_model.set_script([Turn.text("Hello from the fake model.")])
    out = godel(
        project,
        cli_env(fake_model, backend, tmp_path / "home"),
        "run",
        "wf.py",
        "--",
        backend,
        "plain",
    )
    assert out.returncode == 0, out.stderr
    _, result, (call,) = result_of(project)
    assert result == "Hello from the fake model."
    assert call.request["backend"] == backend and call.response["text"] == result
    assert call.response["session_id"] == call.request["session_id"]
    assert (
        call.response["usage"]["output_tokens"] > 0 and call.response["usage"]["input_tokens"] > 0
    )
    transcript = (project / "runs" / result_of(project)[0] / "transcript.jsonl").read_text()
    streamed = "".join(
        json.loads(line)["event"].get("text", "")
        for line in transcript.splitlines()[1:]
        if json.loads(line)["event"]["op"] == "agent.response"
    )
    assert "Hello from the fake model." in streamed


def test_a_schema_answer_is_a_validated_model(fake_model, backend, project, tmp_path):
    if backend == "claude":  # --json-schema: the model calls the StructuredOutput tool
        fake_model.set_script(
            [
                Turn.tool("StructuredOutput", {"city": "Paris", "population": 2100000}),
                Turn.text("Done."),
            ]
        )
    else:  # schema in the prompt: the final message is the JSON
        fake_model.set_script([Turn.text('{"city": "Paris", "population": 2100000}')])
    out = godel(
        project,
        cli_env(fake_model, backend, tmp_path / "home"),
        "run",
        "wf.py",
        "--",
        backend,
        "schema",
    )
    assert out.returncode == 0, out.stderr
    _, result, (call,) = result_of(project)
    assert result == {"city": "Paris", "population": 2100000}
    assert call.request["schema_name"] == "City" and call.response["value"] == result
    assert len(fake_model.main_requests) == 1  # one model request: no second "extraction" call


def test_an_invalid_schema_answer_gets_one_repair_turn(fake_model, backend, project, tmp_path):
    if backend == "claude":
        fake_model.set_script(
            [
                Turn.text("Paris, about two million."),
                Turn.tool("StructuredOutput", {"city": "Paris", "population": 2100000}),
                Turn.text("Done."),
            ]
        )
    else:
        fake_model.set_script(
            [
                Turn.text("Paris, about two million."),
                Turn.text('{"city": "Paris", "population": 2100000}'),
            ]
        )
    out = godel(
        project,
        cli_env(fake_model, backend, tmp_path / "home"),
        "run",
        "wf.py",
        "--",
        backend,
        "schema",
    )
    if backend == "claude" and out.returncode == 0:
        # claude itself may insist on the StructuredOutput call within one invocation
        _, result, (call,) = result_of(project)
        assert result == {"city": "Paris", "population": 2100000}
        return
    assert out.returncode == 0, out.stderr
    _, result, (call,) = result_of(project)
    assert result == {"city": "Paris", "population": 2100000} and call.response["invocations"] == 2
    assert "did not match the required JSON schema" in fake_model.main_requests[-1].prompt


def test_two_calls_on_one_agent_share_a_session(fake_model, backend, project, tmp_path):
    fake_model.set_script([Turn.text("Noted: 42."), Turn.text("You asked me to remember 42.")])
    out = godel(
        project,
        cli_env(fake_model, backend, tmp_path / "home"),
        "run",
        "wf.py",
        "--",
        backend,
        "session",
    )
    assert out.returncode == 0, out.stderr
    _, result, calls = result_of(project)
    first, second, session = result
    assert (first, second) == ("Noted: 42.", "You asked me to remember 42.")
    assert [c.request["session_mode"] for c in calls] == ["new", "resume"]
    assert calls[0].response["session_id"] == calls[1].response["session_id"] == session
    second_request = fake_model.main_requests[-1]
    assert "Noted: 42." in json.dumps(
        second_request.messages
    )  # the CLI sent the first exchange along


def test_a_tool_call_makes_the_real_cli_write_a_file(fake_model, backend, project, tmp_path):
    target = project / "made.txt"
    if backend == "claude":
        fake_model.set_script(
            [
                Turn.tool("Write", {"file_path": "made.txt", "content": "made by the agent\n"}),
                Turn.text("Created made.txt."),
            ]
        )
    elif backend == "codex":  # its shell tool, run by the real CLI in the project directory
        fake_model.set_script(
            [
                Turn.tool("exec_command", {"cmd": "printf 'made by the agent\\n' > made.txt"}),
                Turn.text("Created made.txt."),
            ]
        )
    else:
        fake_model.set_script(
            [
                Turn.tool("create", {"path": str(target), "file_text": "made by the agent\n"}),
                Turn.text("Created made.txt."),
            ]
        )
    out = godel(
        project,
        cli_env(fake_model, backend, tmp_path / "home"),
        "run",
        "wf.py",
        "--",
        backend,
        "tool",
    )
    assert out.returncode == 0, out.stderr
    assert target.read_text() == "made by the agent\n"
    run_id, result, _ = result_of(project)
    assert result == "Created made.txt."
    events = [
        json.loads(x)["event"]
        for x in (project / "runs" / run_id / "transcript.jsonl").read_text().splitlines()[1:]
    ]
    ops = [e["op"] for e in events]
    assert "agent.tool_call" in ops and "agent.tool_result" in ops


def test_an_http_error_from_the_model_fails_the_call_clearly(
    fake_model, backend, project, tmp_path
):
    fake_model.set_script([Turn.error(400, "the fake model rejects this request")] * 3)
    out = godel(
        project,
        cli_env(fake_model, backend, tmp_path / "home"),
        "run",
        "wf.py",
        "--",
        backend,
        "plain",
    )
    assert out.returncode == 1, out.stderr
    assert "AgentError" in out.stderr and "rejects this request" in out.stderr
    _, _, (call,) = result_of(project)
    assert call.status.value == "FAILED" and call.response["error_type"] == "AgentError"


def test_a_cli_that_exits_without_a_result_is_an_error_with_its_stderr(
    fake_model, backend, project, tmp_path
):
    out = godel(
        project,
        cli_env(fake_model, backend, tmp_path / "home"),
        "run",
        "wf.py",
        "--",
        backend,
        "badflag",
    )
    assert out.returncode == 1, out.stderr
    assert "AgentError" in out.stderr and "without a result" in out.stderr
    _, _, (call,) = result_of(project)
    cli_said = [line.strip() for line in call.response["stderr"].splitlines() if line.strip()]
    assert cli_said and cli_said[-1] in out.stderr  # the CLI's own complaint, quoted
    assert fake_model.main_requests == []


def test_a_stalled_model_is_caught_by_the_watchdog(fake_model, backend, project, tmp_path):
    fake_model.set_script([Turn.stall(60)])
    started = time.monotonic()
    out = godel(
        project,
        cli_env(fake_model, backend, tmp_path / "home"),
        "run",
        "wf.py",
        "--",
        backend,
        "stall",
        "stall=3",
    )
    assert out.returncode == 1, out.stderr
    assert "AgentStalled" in out.stderr and "no output for 3s" in out.stderr
    assert time.monotonic() - started < 50


def test_a_finished_run_resumed_after_a_later_failure_costs_no_model_request(
    fake_model, backend, project, tmp_path
):
    big = "x" * 150_000
    fake_model.set_script([Turn.text(big), Turn.text("second answer")])
    env = cli_env(fake_model, backend, tmp_path / "home")
    out = godel(project, env, "run", "wf.py", "--", backend, "gate")
    assert out.returncode == 1 and "gate closed" in out.stderr, out.stderr
    asked = len(fake_model.main_requests)
    wf = project / "wf.py"
    wf.write_text(wf.read_text().replace('GATE = "closed"', 'GATE = "open"'))
    run_id = result_of(project)[0]
    out = godel(project, env, "resume", run_id)
    assert out.returncode == 0, out.stderr
    _, result, _ = result_of(project)
    assert result[0] == big and result[1] == "second answer"
    assert len(fake_model.main_requests) == asked  # zero new model requests


def kill_processes_with_home(home: Path) -> None:
    """SIGKILL every process whose HOME is ``home`` (the CLI godel left behind when it was killed)."""
    needle = f"HOME={home}".encode()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if needle in (proc / "environ").read_bytes().split(b"\0"):
                os.kill(int(proc.name), signal.SIGKILL)
        except (OSError, ProcessLookupError):
            pass


def test_sigkill_during_an_agent_call_then_resume_with_assume_idempotent_continues_the_session(
    fake_model, backend, project, tmp_path
):
    home = tmp_path / "home"
    fake_model.set_script([Turn.text("Noted: 42."), Turn.text("never delivered", delay=60)])
    env = cli_env(fake_model, backend, home)
    proc = subprocess.Popen(
        [str(GODEL), "run", "wf.py", "--", backend, "session"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        fake_model.wait_for_requests(2, timeout=60)  # the second call is waiting for its answer
        time.sleep(0.5)  # let the CLI save the session as it stands
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        kill_processes_with_home(home)  # the whole machine went down: the CLI too
    run_id = result_of(project)[0]
    _, _, calls = result_of(project)
    assert [c.status.value for c in calls] == ["FINISHED", "STARTED"]
    session = calls[0].request["session_id"]
    before = len(fake_model.main_requests)
    fake_model.set_script([Turn.text("You asked me to remember 42.")])
    # Not marked safe to repeat: the resume stops and the model is not asked again.
    out = godel(project, env, "resume", run_id)
    assert out.returncode == 2
    assert (
        "UnsafeResumeError: agent.call was in flight when the run stopped (STARTED, never finished)"
        in out.stderr
    )
    assert f"  Event: {calls[1].event_id}\n" in out.stderr
    assert len(fake_model.main_requests) == before
    # The call says it may run again: the resume asks it again, in its session.
    wf = project / "wf.py"
    wf.write_text(wf.read_text().replace("IDEMPOTENT = False", "IDEMPOTENT = True"))
    out = godel(project, env, "resume", run_id)
    assert out.returncode == 0, out.stderr
    _, result, calls = result_of(project)
    assert result == ["Noted: 42.", "You asked me to remember 42.", session]
    assert calls[-1].request["assumed_idempotent_source"] == "assume_idempotent_kwarg"
    assert calls[-1].request["session_id"] == session
    new = fake_model.main_requests[before:]
    assert len(new) == 1  # the first call was not asked again; the interrupted one was, once
    history = json.dumps(new[0].messages)
    assert "Noted: 42." in history  # ...in the same session: the CLI sent the earlier exchange
    assert "interrupted" in new[0].last_user_text


def test_a_rewound_codex_call_forks_the_snapshot_the_run_kept(
    fake_model, require_cli, project, tmp_path
):
    require_cli("codex")
    fake_model.set_script(["Noted: 42.", "A DISCARDED answer.", "You asked me to remember 42."])
    env = cli_env(fake_model, "codex", tmp_path / "home")
    assert godel(project, env, "run", "wf.py", "--", "codex", "session").returncode == 0
    run_id, _, (first, second) = result_of(project)
    out = godel(project, env, "rewind", run_id, "--to", second.event_id, "--assume-idempotent")
    assert out.returncode == 0, out.stderr + out.stdout
    out = godel(project, env, "resume", run_id)
    assert out.returncode == 0, out.stderr
    _, result, calls = result_of(project)
    again = calls[-1]
    assert result == ["Noted: 42.", "You asked me to remember 42.", again.request["session_id"]]
    assert again.request["session_mode"] == "fork"
    assert again.request["fork_of"] == first.request["session_id"] != again.request["session_id"]
    # codex forked the thread of the first answer: the model never sees the discarded one
    history = json.dumps(fake_model.main_requests[-1].messages)
    assert "Noted: 42." in history and "DISCARDED" not in history
    assert again.response["cursor"] not in (first.response["cursor"], second.response["cursor"])


MODELS = """
from godel import step, workflow
from godel.agents import copilot


@step
async def ask(model):
    return await copilot(model=model)("Say hello.")


@workflow
async def main(*models):
    for model in models:
        await ask(model)
"""


def copilot_models(executable: str, env: dict[str, str]) -> list[str]:
    """The model names the installed copilot offers for ``--model`` (its completion script)."""
    script = subprocess.run(
        [executable, "completion", "bash"], env=env, capture_output=True, text=True, check=True
    ).stdout
    line = script[script.index("--model)") :].splitlines()[1]
    return line.split('compgen -W "', 1)[1].split('"', 1)[0].split()


def test_copilot_takes_godel_pys_model_names_and_sends_only_names_the_cli_accepts(
    fake_model, require_cli, tmp_path
):
    executable = require_cli("copilot")
    env = cli_env(fake_model, "copilot", tmp_path / "home")
    accepted = copilot_models(executable, env)
    assert "claude-sonnet-4.6" in accepted and "gpt-5" not in accepted  # retired by copilot
    names = ["default", "gpt-5", "sonnet-4", "claude-sonnet-4", "claude-sonnet-4.5"]
    names += ["sonnet", "opus", "haiku", "gpt"]
    fake_model.set_script([Turn.text("hello")] * len(names))
    (tmp_path / "wf.py").write_text(MODELS)
    out = godel(tmp_path, env, "run", "wf.py", "--", *names)
    assert out.returncode == 0, out.stderr
    sent = [request.model for request in fake_model.main_requests]
    assert sent == [
        env["COPILOT_MODEL"],  # "default": no --model, the CLI's own default
        "gpt-5.4",
        "claude-sonnet-4.6",
        "claude-sonnet-4.6",
        "claude-sonnet-4.6",
        "claude-sonnet-4.6",
        "claude-opus-4.8",
        "claude-haiku-4.5",
        "gpt-5.4",
    ]
    assert set(sent) <= set(accepted)


def test_an_answer_longer_than_the_stream_line_limit_is_the_result(
    fake_model, require_cli, project, tmp_path
):
    # claude's last stream line carries the whole answer: past the parser's 1 MiB line limit
    # it is still the call's outcome (only its transcript copy is cut).
    require_cli("claude")
    answer = "a long answer " * 90_000  # 1.26 MB
    fake_model.set_script([Turn.text(answer)])
    out = godel(
        project,
        cli_env(fake_model, "claude", tmp_path / "home"),
        "run",
        "wf.py",
        "--",
        "claude",
        "plain",
    )
    assert out.returncode == 0, out.stderr
    _, result, (call,) = result_of(project)
    assert result == answer and call.response["text"] == answer
