"""The real claude and copilot CLIs, run offline against the fake model server.

Each test starts a CLI once or twice (about a second each). They are skipped when a CLI is not
installed (``agent_cli`` in conftest.py looks on PATH and in ``<repo>/.tools/node_modules/.bin``),
or fail when ``GODEL_REQUIRE_AGENT_CLIS=1``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from godel.testing import wait_process_gone
from godel.testing.fake_model import FakeModelServer, Turn

pytestmark = [pytest.mark.agents, pytest.mark.slow]

CLI_TIMEOUT = 60  # generous: only a broken test ever waits this long


@dataclass
class Run:
    """A finished (or timed-out) CLI run, its stdout parsed as JSON lines."""

    returncode: int | None  # None: it was still running at the timeout, and was killed
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.startswith("{")]

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [line for line in self.lines if line.get("type") == kind]

    @property
    def result(self) -> dict[str, Any]:
        [result] = self.of_type("result")
        return result


def clean_env(env: dict[str, str]) -> dict[str, str]:
    """``os.environ`` without stray agent settings, plus ``env``."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANTHROPIC_", "CLAUDE", "COPILOT_"))
    }
    return {**base, **env}


def start(argv: list[str], *, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    """Start a CLI in its own process group (see :func:`kill_group`)."""
    return subprocess.Popen(
        argv,
        env=clean_env(env),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def kill_group(proc: subprocess.Popen[str]) -> Run:
    """Kill the CLI's whole process group: copilot's npm launcher runs the native binary as a
    child, which would outlive a kill of the launcher alone."""
    os.killpg(proc.pid, signal.SIGKILL)
    out, err = proc.communicate()
    assert wait_process_gone(proc.pid)
    return Run(None, out, err)


def run(argv: list[str], *, env: dict[str, str], cwd: Path, timeout: float = CLI_TIMEOUT) -> Run:
    """Run a CLI to the end (killing its process group if it outlives ``timeout``)."""
    with start(argv, env=env, cwd=cwd) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            return kill_group(proc)
        return Run(proc.returncode, out, err)


def assert_hangs(proc: subprocess.Popen[str], server: FakeModelServer) -> Run:
    """Once the CLI's request has arrived, the CLI is still waiting a while later."""
    with proc:
        server.wait_for_requests(1, timeout=CLI_TIMEOUT)
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=1.5)
        return kill_group(proc)


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    return path


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


# claude ------------------------------------------------------------------------------------------

Claude = Callable[..., Run]


@pytest.fixture
def claude(
    agent_cli: Callable[[str], str], fake_model: FakeModelServer, home: Path, cwd: Path
) -> Claude:
    """``claude(prompt, *flags, timeout=..., max_retries=0)`` → a stream-json :class:`Run`."""
    exe = agent_cli("claude")

    def call(
        prompt: str, *flags: str, timeout: float = CLI_TIMEOUT, max_retries: int | None = 0
    ) -> Run:
        argv = [exe, "-p", prompt, "--output-format", "stream-json", "--verbose", *flags]
        return run(
            argv,
            env=fake_model.anthropic_env(home, max_retries=max_retries),
            cwd=cwd,
            timeout=timeout,
        )

    return call


def test_claude_plain_text(claude: Claude, fake_model: FakeModelServer) -> None:
    fake_model.set_script(["hi from the fake model"])
    result = claude("say hi")
    assert result.returncode == 0, result.stderr
    [init] = result.of_type("system")
    assert init["subtype"] == "init" and init["session_id"] == result.result["session_id"]
    [assistant] = result.of_type("assistant")
    assert assistant["message"]["content"] == [{"type": "text", "text": "hi from the fake model"}]
    assert result.result["subtype"] == "success" and result.result["is_error"] is False
    assert result.result["result"] == "hi from the fake model"
    [main] = fake_model.main_requests
    assert main.prompt == "say hi" and main.stream and "Write" in main.tools
    assert (
        fake_model.aux_requests == [] and fake_model.remaining == [] and fake_model.exhausted == 0
    )


def test_claude_thinking_and_partial_messages(claude: Claude, fake_model: FakeModelServer) -> None:
    fake_model.set_script([Turn.text("An answer long enough for several deltas.", thinking="Hmm.")])
    result = claude("think", "--include-partial-messages")
    assert result.returncode == 0, result.stderr
    events = [line["event"] for line in result.of_type("stream_event")]
    assert [e["type"] for e in events][:2] == ["message_start", "content_block_start"]
    assert events[-1] == {"type": "message_stop"}
    deltas = [e["delta"]["type"] for e in events if e["type"] == "content_block_delta"]
    assert {"thinking_delta", "signature_delta", "text_delta"} <= set(deltas)
    blocks = [block for line in result.of_type("assistant") for block in line["message"]["content"]]
    assert [b["type"] for b in blocks] == ["thinking", "text"]
    assert result.result["result"] == "An answer long enough for several deltas."


def test_claude_write_tool_then_text(
    claude: Claude, fake_model: FakeModelServer, cwd: Path
) -> None:
    fake_model.set_script(
        [
            Turn.tool(
                "Write",
                {"file_path": str(cwd / "hello.txt"), "content": "hi there\n"},
                text="Writing.",
            ),
            Turn.text("Wrote hello.txt."),
        ]
    )
    result = claude("write hello.txt", "--dangerously-skip-permissions")
    assert result.returncode == 0, result.stderr
    assert (cwd / "hello.txt").read_text() == "hi there\n"
    tool_uses = [
        b
        for line in result.of_type("assistant")
        for b in line["message"]["content"]
        if b["type"] == "tool_use"
    ]
    assert [t["name"] for t in tool_uses] == ["Write"]
    [tool_result] = [b for line in result.of_type("user") for b in line["message"]["content"]]
    assert tool_result["type"] == "tool_result" and tool_result["tool_use_id"] == tool_uses[0]["id"]
    assert result.result["result"] == "Wrote hello.txt." and result.result["num_turns"] == 2
    first, second = fake_model.main_requests
    assert second.prompt == first.prompt == "write hello.txt"
    assert fake_model.last_user_message().startswith("File created successfully")


def test_claude_json_schema_structured_output(claude: Claude, fake_model: FakeModelServer) -> None:
    verdict = {"verdict": "approve", "score": 3}
    schema = {
        "type": "object",
        "properties": {"verdict": {"type": "string"}, "score": {"type": "integer"}},
        "required": ["verdict", "score"],
    }
    fake_model.set_script([Turn.tool("StructuredOutput", verdict)])
    result = claude("judge it", "--json-schema", json.dumps(schema))
    assert result.returncode == 0, result.stderr
    assert "StructuredOutput" in fake_model.main_requests[0].tools
    assert result.result["structured_output"] == verdict
    assert json.loads(result.result["result"]) == verdict
    assert len(fake_model.main_requests) == 1, "the structured output ends the call"


@pytest.mark.parametrize(
    ("turn", "status"),
    [
        (Turn.error(400, "prompt is too long: 250000 tokens > 200000 maximum"), 400),
        (Turn.error(500), 500),
    ],
)
def test_claude_reports_an_api_error(
    claude: Claude, fake_model: FakeModelServer, turn: Turn, status: int
) -> None:
    fake_model.set_script([turn, "never reached"])
    result = claude("hi")
    assert result.returncode == 1
    assert result.result["is_error"] is True and result.result["api_error_status"] == status
    [assistant] = result.of_type("assistant")
    assert assistant["message"]["model"] == "<synthetic>"
    assert len(fake_model.main_requests) == 1, "CLAUDE_CODE_MAX_RETRIES=0: no retry"


def test_claude_retries_take_the_next_turn(claude: Claude, fake_model: FakeModelServer) -> None:
    fake_model.set_script([Turn.error(529), "recovered"])
    result = claude("hi", max_retries=None)
    assert result.returncode == 0, result.stderr
    [retry] = [line for line in result.of_type("system") if line["subtype"] == "api_retry"]
    assert retry["error_status"] == 529 and retry["attempt"] == 1
    assert result.result["result"] == "recovered"
    assert len(fake_model.main_requests) == 2


def test_claude_resume_and_fork_a_session(claude: Claude, fake_model: FakeModelServer) -> None:
    fake_model.set_script(["first answer", "second answer", "forked answer"])
    session = str(uuid.uuid4())
    first = claude("question A", "--session-id", session)
    assert first.returncode == 0, first.stderr
    assert first.result["session_id"] == session
    second = claude("question B", "--resume", session)
    assert second.returncode == 0, second.stderr
    assert second.result["session_id"] == session and second.result["result"] == "second answer"
    texts = [json.dumps(m) for m in fake_model.main_requests[1].messages]
    assert any("question A" in t for t in texts) and any("first answer" in t for t in texts)

    # Fork from the first answer: the new session sees A and its answer, not B.
    [first_answer] = first.of_type("assistant")
    fork = str(uuid.uuid4())
    forked = claude(
        "question C",
        "--resume",
        session,
        "--fork-session",
        "--session-id",
        fork,
        "--resume-session-at",
        first_answer["uuid"],
    )
    assert forked.returncode == 0, forked.stderr
    assert forked.result["session_id"] == fork and forked.result["result"] == "forked answer"
    texts = json.dumps(fake_model.main_requests[2].messages)
    assert "question A" in texts and "first answer" in texts and "question C" in texts
    assert "question B" not in texts and "second answer" not in texts


def test_claude_parallel_calls_keyed_by_prompt(
    agent_cli: Callable[[str], str], fake_model: FakeModelServer, tmp_path: Path
) -> None:
    exe = agent_cli("claude")
    fake_model.set_script(
        [Turn.text("answer for alpha", when="alpha"), Turn.text("answer for beta", when="beta")]
    )
    procs = {}
    for name in ("beta", "alpha"):
        (tmp_path / name).mkdir()
        procs[name] = start(
            [exe, "-p", f"task {name}", "--output-format", "json"],
            env=fake_model.anthropic_env(tmp_path / name),
            cwd=tmp_path / name,
        )
    for name, proc in procs.items():
        with proc:
            out, err = proc.communicate(timeout=CLI_TIMEOUT)
        assert json.loads(out)["result"] == f"answer for {name}", err
    assert sorted(r.prompt for r in fake_model.main_requests) == ["task alpha", "task beta"]


def test_claude_hangs_on_a_stalled_stream(
    agent_cli: Callable[[str], str], fake_model: FakeModelServer, home: Path, cwd: Path
) -> None:
    fake_model.set_script([Turn.stall(120, "too late")])
    proc = start(
        [agent_cli("claude"), "-p", "hi", "--output-format", "stream-json", "--verbose"],
        env=fake_model.anthropic_env(home),
        cwd=cwd,
    )
    result = assert_hangs(proc, fake_model)
    assert result.of_type("result") == [] and "too late" not in result.stdout


# copilot -----------------------------------------------------------------------------------------

Copilot = Callable[..., Run]


@pytest.fixture
def copilot(
    agent_cli: Callable[[str], str], fake_model: FakeModelServer, home: Path, cwd: Path
) -> Copilot:
    """``copilot(prompt, *flags, timeout=..., api="anthropic")`` → a JSONL :class:`Run`."""
    exe = agent_cli("copilot")

    def call(prompt: str, *flags: str, timeout: float = CLI_TIMEOUT, api: str = "anthropic") -> Run:
        argv = [exe, "-p", prompt, "--output-format", "json", "--allow-all-tools", *flags]
        return run(argv, env=fake_model.copilot_env(home, api=api), cwd=cwd, timeout=timeout)

    return call


@pytest.mark.parametrize("api", ["anthropic", "openai"])
def test_copilot_plain_text(copilot: Copilot, fake_model: FakeModelServer, api: str) -> None:
    fake_model.set_script(["hi from the fake model"])
    result = copilot("say hi", api=api)
    assert result.returncode == 0, result.stderr
    [message] = result.of_type("assistant.message")
    assert message["data"]["content"] == "hi from the fake model"
    assert message["data"]["toolRequests"] == []
    assert result.result["exitCode"] == 0 and result.result["sessionId"]
    [main] = fake_model.main_requests
    assert main.api == api and main.prompt.endswith("say hi") and "create" in main.tools
    assert fake_model.aux_requests == []


def test_copilot_create_tool_then_text(
    copilot: Copilot, fake_model: FakeModelServer, cwd: Path
) -> None:
    target = cwd / "hello.txt"
    fake_model.set_script(
        [
            Turn.tool(
                "create", {"path": str(target), "file_text": "hi from copilot\n"}, text="Creating."
            ),
            Turn.text("Created hello.txt."),
        ]
    )
    result = copilot("create hello.txt")
    assert result.returncode == 0, result.stderr
    assert target.read_text() == "hi from copilot\n"
    [done] = result.of_type("tool.execution_complete")
    assert done["data"]["success"] is True
    messages = [m["data"] for m in result.of_type("assistant.message")]
    assert [r["name"] for r in messages[0]["toolRequests"]] == ["create"]
    assert messages[-1]["content"] == "Created hello.txt."
    assert fake_model.last_user_message().startswith(f"Created file {target}")


@pytest.mark.parametrize(
    ("turn", "message"),
    [
        (Turn.error(400, "bad thing"), "400 bad thing"),
        (Turn.error(500, retry=False), "500 Internal server error"),
    ],
)
def test_copilot_reports_an_api_error(
    copilot: Copilot, fake_model: FakeModelServer, turn: Turn, message: str
) -> None:
    fake_model.set_script([turn, "never reached"])
    result = copilot("hi")
    assert result.returncode == 1 and result.result["exitCode"] == 1
    [error] = result.of_type("session.error")
    assert error["data"]["message"] == message
    assert error["data"]["statusCode"] == turn.http_error.status  # type: ignore[union-attr]
    assert len(fake_model.main_requests) == 1


def test_copilot_resume_a_session(copilot: Copilot, fake_model: FakeModelServer) -> None:
    fake_model.set_script(["first answer", "second answer"])
    session = str(uuid.uuid4())
    first = copilot("question A", "--session-id", session)
    assert first.returncode == 0, first.stderr
    assert first.result["sessionId"] == session
    second = copilot("question B", "--resume", session)
    assert second.returncode == 0, second.stderr
    assert second.result["sessionId"] == session
    assert [m["data"]["content"] for m in second.of_type("assistant.message")] == ["second answer"]
    texts = json.dumps(fake_model.main_requests[1].messages)
    assert "question A" in texts and "first answer" in texts and "question B" in texts


def test_copilot_hangs_on_a_stalled_stream(
    agent_cli: Callable[[str], str], fake_model: FakeModelServer, home: Path, cwd: Path
) -> None:
    fake_model.set_script([Turn.stall(120, "too late")])
    proc = start(
        [agent_cli("copilot"), "-p", "hi", "--output-format", "json", "--allow-all-tools"],
        env=fake_model.copilot_env(home),
        cwd=cwd,
    )
    result = assert_hangs(proc, fake_model)
    assert result.of_type("result") == [] and "too late" not in result.stdout
