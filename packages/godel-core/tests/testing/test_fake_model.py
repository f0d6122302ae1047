"""The fake model server, over plain HTTP (urllib): no agent CLI needed."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from godel.testing.fake_model import (
    FakeModelServer,
    RecordedRequest,
    Script,
    ScriptError,
    ToolCall,
    Turn,
    Usage,
    read_requests_log,
)
from godel.testing.fake_model.script import DEFAULT_AUX_TEXT, DEFAULT_EXHAUSTED_TEXT

TOOLS = [{"name": "Write", "description": "write a file", "input_schema": {"type": "object"}}]
OPENAI_TOOLS = [
    {"type": "function", "function": {"name": "create", "parameters": {"type": "object"}}}
]


# Helpers ----------------------------------------------------------------------------------------


def anthropic_body(
    prompt: str = "hello", *, stream: bool = False, tools: Any = TOOLS, **extra: Any
) -> dict[str, Any]:
    return {
        "model": "claude-sonnet-4-6",
        "max_tokens": 1024,
        "stream": stream,
        "tools": tools,
        "system": [{"type": "text", "text": "You are an agent."}],
        "messages": [{"role": "user", "content": [{"type": "text", "text": prompt}]}],
        **extra,
    }


def openai_body(prompt: str = "hello", *, stream: bool = False, **extra: Any) -> dict[str, Any]:
    return {
        "model": "gpt-4.1",
        "stream": stream,
        "tools": OPENAI_TOOLS,
        "messages": [
            {"role": "system", "content": "You are an agent."},
            {"role": "user", "content": prompt},
        ],
        **extra,
    }


def responses_body(prompt: str = "hello", *, stream: bool = False, **extra: Any) -> dict[str, Any]:
    """A request shaped like codex's: developer and context messages, then the prompt."""
    return {
        "model": "gpt-5.5",
        "stream": stream,
        "instructions": "You are an agent.",
        "tools": [{"type": "function", "name": "exec_command", "parameters": {}}],
        "input": [
            {
                "type": "message",
                "role": "developer",
                "content": [{"type": "input_text", "text": "Be safe."}],
            },
            {
                "type": "message",
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "<environment_context>cwd</environment_context>"}
                ],
            },
            {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": prompt}],
            },
        ],
        **extra,
    }


def post(
    url: str, body: Any, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """POST JSON; returns (status, headers, raw body) for successes and HTTP errors alike."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"content-type": "application/json", "x-api-key": "sk-secret", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def sse_events(raw: bytes) -> list[tuple[str | None, Any]]:
    """(event name, parsed data) for each server-sent event."""
    events = []
    for block in raw.decode().split("\n\n"):
        if not block.strip():
            continue
        name, data = None, None
        for line in block.splitlines():
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                payload = line[len("data: ") :]
                data = payload if payload == "[DONE]" else json.loads(payload)
        events.append((name, data))
    return events


@pytest.fixture
def server() -> Iterator[FakeModelServer]:
    with FakeModelServer() as s:
        yield s


# The script -------------------------------------------------------------------------------------


def test_turn_constructors() -> None:
    assert Turn.text("hi").content == "hi"
    assert Turn.text("hi", thinking="hmm").thinking == "hmm"
    tool = Turn.tool("Write", {"file_path": "a"}, text="writing")
    assert tool.tool_calls == (ToolCall("Write", {"file_path": "a"}),) and tool.content == "writing"
    assert tool.resolved_stop_reason() == "tool_use"
    both = Turn.tools(("Bash", {"command": "ls"}), ToolCall("Read", {"path": "x"}, id="t1"))
    assert [c.name for c in both.tool_calls] == ["Bash", "Read"] and both.tool_calls[1].id == "t1"
    error = Turn.error(529)
    assert error.http_error is not None and error.http_error.type == "overloaded_error"
    assert error.http_error.message == "Overloaded"
    assert Turn.error(400, "prompt is too long").http_error.type == "invalid_request_error"  # type: ignore[union-attr]
    assert Turn.stall(3, "late").stall_for == 3 and Turn.stall(3, "late").content == "late"
    assert Turn.text("x", usage={"input_tokens": 7}).usage == Usage(input_tokens=7)
    assert Turn.text("x", when="review").when == "review"


def test_an_error_turn_cannot_carry_text() -> None:
    with pytest.raises(ScriptError, match="error turn"):
        Turn(content="x", http_error=Turn.error(500).http_error)


def test_default_usage_is_estimated() -> None:
    assert Turn.text("a" * 40).output_tokens() == 10
    assert Turn.text("").output_tokens() == 1
    assert Turn.text("x").input_tokens() == 100
    assert Turn.text("x", usage=Usage(5, 6)).output_tokens() == 6


def test_script_accepts_strings_for_text_turns() -> None:
    script = Script(["hi", Turn.tool("Write", {})])
    assert script.turns[0] == Turn.text("hi")


def test_script_json_round_trip(tmp_path: Path) -> None:
    script = Script(
        [
            Turn.text("hi", thinking="hmm", usage=Usage(10, 2, cache_read_input_tokens=3)),
            Turn.tool("StructuredOutput", {"verdict": "ok"}, id="toolu_1"),
            Turn.tools(("Bash", {"command": "ls"}), ("Read", {"path": "a"}), text="two"),
            Turn.error(400, "prompt is too long", retry=False, retry_after=2),
            Turn.stall(5, "late", delay=0.5),
            Turn.text("LGTM", when="review", stop_reason="max_tokens"),
            Turn.text(""),
        ],
        exhausted_text="no more",
        aux_text="aux",
    )
    path = script.dump(tmp_path / "script.json")
    assert Script.load(path) == script


def test_script_json_forms() -> None:
    script = Script.from_json(
        [
            "plain",
            {"tool": "Write", "input": {"file_path": "a", "content": "b"}},
            {"error": 500, "repeat": 2},
            {"error": {"status": 400, "message": "prompt is too long"}},
            {"stall": 2},
        ]
    )
    kinds = [
        (
            t.content,
            [c.name for c in t.tool_calls],
            t.http_error and t.http_error.status,
            t.stall_for,
        )
        for t in script.turns
    ]
    assert kinds == [
        ("plain", [], None, 0),
        ("", ["Write"], None, 0),
        ("", [], 500, 0),
        ("", [], 500, 0),
        ("", [], 400, 0),
        ("", [], None, 2.0),
    ]
    assert script.exhausted_text == DEFAULT_EXHAUSTED_TEXT and script.aux_text == DEFAULT_AUX_TEXT


BAD_SCRIPTS = [
    (
        "{not json",
        "not valid JSON: Expecting property name enclosed in double quotes at line 1 column 2",
    ),
    ('"text"', "a script is a JSON object or a list of turns, not a string"),
    ('{"turn": []}', "unknown key 'turn'"),
    ('{"turns": {}}', "'turns' must be a list, not an object"),
    ('[{"txt": "hi"}]', "turns[0]: unknown key 'txt'"),
    ('["ok", 3]', "turns[1]: a turn is a JSON object or a string, not a number"),
    ('[{"delay": 1}]', "turns[0]: a turn needs one of"),
    (
        '[{"tool": "Write", "input": []}]',
        "the input of tool 'Write' must be a JSON object, not a list",
    ),
    ('[{"tool": ""}]', "the tool name must be a non-empty string"),
    ('[{"tool": "A", "tools": []}]', "use either 'tool' or 'tools'"),
    ('[{"tools": []}]', "'tools' must be a non-empty list"),
    ('[{"tools": [{"name": "A", "args": {}}]}]', "turns[0].tools[0]: unknown key 'args'"),
    ('[{"text": "a", "input": {}}]', "'input' and 'id' go with 'tool'"),
    ('[{"error": 200}]', "'status' must be an HTTP error status (400-599), got 200"),
    ('[{"error": "boom"}]', "an error is a status code or an object"),
    ('[{"error": 500, "text": "x"}]', "an 'error' turn cannot also have"),
    ('[{"error": {"status": 500, "retry": "no"}}]', "'retry' must be true or false"),
    ('[{"text": 5}]', "'text' must be a string, not a number"),
    ('[{"text": "a", "delay": -1}]', "'delay' must be a non-negative number of seconds"),
    ('[{"stall": "long"}]', "'stall' must be a non-negative number of seconds"),
    (
        '[{"text": "a", "usage": {"input_tokens": -1}}]',
        "'input_tokens' must be a non-negative integer",
    ),
    ('[{"text": "a", "usage": {"tokens": 1}}]', "turns[0].usage: unknown key 'tokens'"),
    ('[{"text": "a", "repeat": 0}]', "'repeat' must be a positive integer"),
    ('[{"text": "a", "when": ""}]', "'when' must be a non-empty string"),
    ('{"turns": [], "aux_text": 1}', "'aux_text' must be a string"),
]


@pytest.mark.parametrize(("text", "message"), BAD_SCRIPTS, ids=[m for _, m in BAD_SCRIPTS])
def test_bad_json_scripts_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ScriptError) as info:
        Script.load(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def test_a_missing_script_file_is_a_script_error(tmp_path: Path) -> None:
    with pytest.raises(ScriptError, match="cannot read the script"):
        Script.load(tmp_path / "missing.json")


# The Anthropic API ------------------------------------------------------------------------------


def test_anthropic_non_streamed_text(server: FakeModelServer) -> None:
    server.set_script([Turn.text("hi there", usage=Usage(input_tokens=42, output_tokens=3))])
    status, headers, raw = post(f"{server.url}/v1/messages", anthropic_body())
    message = json.loads(raw)
    assert status == 200 and headers["content-type"] == "application/json"
    assert message["type"] == "message" and message["role"] == "assistant"
    assert message["model"] == "claude-sonnet-4-6"
    assert message["content"] == [{"type": "text", "text": "hi there"}]
    assert message["stop_reason"] == "end_turn"
    assert message["usage"] == {
        "input_tokens": 42,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": 3,
    }
    assert message["id"].startswith("msg_fake_")
    assert headers["request-id"].startswith("req_fake_")


def test_anthropic_streamed_text_follows_the_api_event_sequence(server: FakeModelServer) -> None:
    text = "a streamed answer that is longer than one delta"
    server.set_script([Turn.text(text)])
    status, headers, raw = post(f"{server.url}/v1/messages?beta=true", anthropic_body(stream=True))
    assert status == 200 and headers["content-type"] == "text/event-stream"
    events = sse_events(raw)
    names = [name for name, _ in events]
    assert names[:3] == ["message_start", "ping", "content_block_start"]
    assert names[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert all(name == data["type"] for name, data in events)
    start = events[0][1]["message"]
    assert start["content"] == [] and start["stop_reason"] is None
    deltas = [d["delta"] for n, d in events if n == "content_block_delta"]
    assert len(deltas) > 1 and all(d["type"] == "text_delta" for d in deltas)
    assert "".join(d["text"] for d in deltas) == text
    final = events[-2][1]
    assert final["delta"]["stop_reason"] == "end_turn"
    assert final["usage"]["output_tokens"] == Turn.text(text).output_tokens()


def test_anthropic_streamed_thinking_and_tool_calls(server: FakeModelServer) -> None:
    tool_input = {"file_path": "hello.txt", "content": "hi there, this is long enough to split\n"}
    server.set_script(
        [
            Turn(
                content="Writing.",
                thinking="I should write it.",
                tool_calls=(
                    ToolCall("Write", tool_input),
                    ToolCall("Bash", {"command": "ls"}, id="t2"),
                ),
            ),
        ]
    )
    events = sse_events(post(f"{server.url}/v1/messages", anthropic_body(stream=True))[2])
    blocks = [d["content_block"] for n, d in events if n == "content_block_start"]
    assert [b["type"] for b in blocks] == ["thinking", "text", "tool_use", "tool_use"]
    assert blocks[2]["name"] == "Write" and blocks[2]["input"] == {}
    assert blocks[2]["id"].startswith("toolu_fake_") and blocks[3]["id"] == "t2"

    def deltas(index: int) -> list[dict[str, Any]]:
        return [d["delta"] for n, d in events if n == "content_block_delta" and d["index"] == index]

    assert "".join(d.get("thinking", "") for d in deltas(0)) == "I should write it."
    assert deltas(0)[-1]["type"] == "signature_delta"
    assert deltas(2)[0] == {"type": "input_json_delta", "partial_json": ""}
    assert json.loads("".join(d["partial_json"] for d in deltas(2))) == tool_input
    assert events[-2][1]["delta"]["stop_reason"] == "tool_use"


def test_anthropic_non_streamed_tool_call(server: FakeModelServer) -> None:
    server.set_script([Turn.tool("StructuredOutput", {"verdict": "ok"})])
    message = json.loads(post(f"{server.url}/v1/messages", anthropic_body())[2])
    assert message["stop_reason"] == "tool_use"
    [block] = message["content"]
    assert block["type"] == "tool_use" and block["name"] == "StructuredOutput"
    assert block["input"] == {"verdict": "ok"}


@pytest.mark.parametrize(
    ("turn", "status", "kind", "message"),
    [
        (Turn.error(500), 500, "api_error", "Internal server error"),
        (Turn.error(529), 529, "overloaded_error", "Overloaded"),
        (
            Turn.error(400, "prompt is too long: 250000 tokens > 200000 maximum"),
            400,
            "invalid_request_error",
            "prompt is too long: 250000 tokens > 200000 maximum",
        ),
        (
            Turn.error(429, type="rate_limit_error", message="slow down"),
            429,
            "rate_limit_error",
            "slow down",
        ),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_anthropic_errors_use_the_api_error_format(
    server: FakeModelServer, turn: Turn, status: int, kind: str, message: str, stream: bool
) -> None:
    server.set_script([turn])
    got, headers, raw = post(f"{server.url}/v1/messages", anthropic_body(stream=stream))
    body = json.loads(raw)
    assert got == status
    assert body["type"] == "error" and body["error"] == {"type": kind, "message": message}
    assert body["request_id"] == headers["request-id"]
    assert "x-should-retry" not in headers


def test_error_retry_headers(server: FakeModelServer) -> None:
    server.set_script([Turn.error(500, retry=False), Turn.error(400, retry=True, retry_after=1.5)])
    headers = post(f"{server.url}/v1/messages", anthropic_body())[1]
    assert headers["x-should-retry"] == "false" and "retry-after" not in headers
    headers = post(f"{server.url}/v1/messages", anthropic_body())[1]
    assert headers["x-should-retry"] == "true"
    assert headers["retry-after"] == "2" and headers["retry-after-ms"] == "1500"


def test_count_tokens_models_and_probes(server: FakeModelServer) -> None:
    status, _, raw = post(f"{server.url}/v1/messages/count_tokens", anthropic_body())
    assert status == 200 and json.loads(raw)["input_tokens"] > 0
    with urllib.request.urlopen(f"{server.url}/v1/models", timeout=10) as resp:
        models = json.loads(resp.read())
    assert models["data"] and {"id", "type", "object"} <= set(models["data"][0])
    with urllib.request.urlopen(f"{server.url}/v1/models/claude-x", timeout=10) as resp:
        assert json.loads(resp.read())["id"] == "claude-x"
    with urllib.request.urlopen(
        urllib.request.Request(server.url, method="HEAD"), timeout=10
    ) as resp:
        assert resp.status == 200
    status, _, raw = post(f"{server.url}/v1/nothing", {})
    assert status == 404 and json.loads(raw)["error"]["type"] == "not_found_error"
    assert [r.kind for r in server.requests] == ["other"] * 5
    assert server.main_requests == [] and server.remaining == []


# OpenAI chat completions ------------------------------------------------------------------------


def test_openai_non_streamed_text(server: FakeModelServer) -> None:
    server.set_script([Turn.text("hi", usage=Usage(input_tokens=10, output_tokens=2))])
    status, _, raw = post(f"{server.url}/v1/chat/completions", openai_body())
    completion = json.loads(raw)
    assert status == 200 and completion["object"] == "chat.completion"
    [choice] = completion["choices"]
    assert choice["message"] == {"role": "assistant", "content": "hi"}
    assert choice["finish_reason"] == "stop"
    assert completion["usage"]["prompt_tokens"] == 10 and completion["usage"]["total_tokens"] == 12
    assert server.main_requests[0].api == "openai"


def test_openai_non_streamed_tool_call_on_the_short_path(server: FakeModelServer) -> None:
    server.set_script([Turn.tool("create", {"path": "/x", "file_text": "y"})])
    completion = json.loads(post(f"{server.url}/chat/completions", openai_body())[2])
    [choice] = completion["choices"]
    assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] is None
    [call] = choice["message"]["tool_calls"]
    assert call["type"] == "function" and call["function"]["name"] == "create"
    assert json.loads(call["function"]["arguments"]) == {"path": "/x", "file_text": "y"}


@pytest.mark.parametrize("include_usage", [False, True])
def test_openai_streamed_text_and_tools(server: FakeModelServer, include_usage: bool) -> None:
    tool_input = {"path": "/tmp/a-long-enough-path/file.txt", "file_text": "content"}
    server.set_script([Turn.tool("create", tool_input, text="Creating the file now, please wait.")])
    body = openai_body(stream=True, stream_options={"include_usage": include_usage})
    status, headers, raw = post(f"{server.url}/v1/chat/completions", body)
    assert status == 200 and headers["content-type"] == "text/event-stream"
    events = [data for _, data in sse_events(raw)]
    assert events[-1] == "[DONE]"
    chunks = events[:-1]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    choices = [c["choices"][0] for c in chunks if c["choices"]]
    text = "".join(ch["delta"].get("content") or "" for ch in choices)
    assert text == "Creating the file now, please wait."
    calls = [tc for ch in choices for tc in ch["delta"].get("tool_calls", [])]
    assert calls[0]["function"]["name"] == "create" and calls[0]["id"].startswith("call_fake_")
    assert json.loads("".join(tc["function"]["arguments"] for tc in calls)) == tool_input
    assert choices[-1]["finish_reason"] == "tool_calls"
    usage_chunks = [c for c in chunks if not c["choices"]]
    assert len(usage_chunks) == (1 if include_usage else 0)
    if include_usage:
        assert usage_chunks[0]["usage"]["prompt_tokens"] == 100


def test_openai_errors_use_the_openai_format(server: FakeModelServer) -> None:
    server.set_script([Turn.error(429)])
    status, _, raw = post(f"{server.url}/v1/chat/completions", openai_body(stream=True))
    assert status == 429
    assert json.loads(raw)["error"]["type"] == "rate_limit_error"


def test_responses_non_streamed_text_and_what_is_recorded(server: FakeModelServer) -> None:
    server.set_script([Turn.text("hi", usage=Usage(input_tokens=10, output_tokens=2))])
    status, _, raw = post(f"{server.url}/v1/responses", responses_body("say hi"))
    answer = json.loads(raw)
    assert status == 200 and answer["object"] == "response" and answer["status"] == "completed"
    [message] = answer["output"]
    assert message["type"] == "message" and message["role"] == "assistant"
    assert message["content"] == [{"type": "output_text", "text": "hi", "annotations": []}]
    assert answer["usage"]["input_tokens"] == 10 and answer["usage"]["total_tokens"] == 12
    [request] = server.main_requests
    assert request.api == "responses" and request.prompt == "say hi"
    assert request.system == "You are an agent.\nBe safe." and request.tools == ["exec_command"]


def test_responses_streamed_text_thinking_and_tool_call(server: FakeModelServer) -> None:
    tool_input = {"cmd": "printf 'made by the agent' > a-long-enough-file-name.txt"}
    server.set_script(
        [Turn.tool("exec_command", tool_input, text="Writing the file now.", thinking="Plan it.")]
    )
    status, headers, raw = post(f"{server.url}/v1/responses", responses_body(stream=True))
    assert status == 200 and headers["content-type"] == "text/event-stream"
    events = sse_events(raw)
    assert all(name == data["type"] for name, data in events)
    names = [name for name, _ in events]
    assert names[:3] == ["response.created", "response.in_progress", "response.output_item.added"]
    assert names[-1] == "response.completed"
    assert [data["sequence_number"] for _, data in events] == list(range(len(events)))
    deltas = lambda kind: "".join(d["delta"] for n, d in events if n == kind)  # noqa: E731
    assert deltas("response.reasoning_summary_text.delta") == "Plan it."
    assert deltas("response.output_text.delta") == "Writing the file now."
    assert json.loads(deltas("response.function_call_arguments.delta")) == tool_input
    done = [d["item"] for n, d in events if n == "response.output_item.done"]
    assert [item["type"] for item in done] == ["reasoning", "message", "function_call"]
    call = done[2]
    assert call["name"] == "exec_command" and call["call_id"].startswith("call_fake_")
    completed = events[-1][1]["response"]
    assert completed["output"] == done and completed["usage"]["input_tokens"] == 100


def test_responses_max_tokens_refusal_and_errors(server: FakeModelServer) -> None:
    server.set_script(
        [
            Turn.text("cut", stop_reason="max_tokens"),
            Turn.text("I can't help with that.", stop_reason="refusal"),
            Turn.error(400, "prompt is too long"),
        ]
    )
    events = sse_events(post(f"{server.url}/v1/responses", responses_body(stream=True))[2])
    assert events[-1][0] == "response.incomplete"
    assert events[-1][1]["response"]["incomplete_details"] == {"reason": "max_output_tokens"}
    answer = json.loads(post(f"{server.url}/v1/responses", responses_body())[2])
    assert answer["output"][0]["content"] == [
        {"type": "refusal", "refusal": "I can't help with that."}
    ]
    status, _, raw = post(f"{server.url}/v1/responses", responses_body(stream=True))
    assert status == 400
    assert json.loads(raw)["error"] == {
        "message": "prompt is too long",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_request_error",
    }


def test_responses_input_items_read_as_messages(server: FakeModelServer) -> None:
    body = responses_body("make it")
    body["input"] += [
        {
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "Running it."}],
        },
        {"type": "function_call", "call_id": "c1", "name": "exec_command", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "exit code 0"},
    ]
    server.set_script(["done"])
    post(f"{server.url}/v1/responses", body)
    [request] = server.main_requests
    assert request.prompt == "make it" and request.last_user_text == "exit code 0"
    assert [m["role"] for m in request.messages][-3:] == ["assistant", "assistant", "tool"]
    assert "Running it." in json.dumps(request.messages)


def test_a_stalled_responses_stream_sends_response_created_first(server: FakeModelServer) -> None:
    server.set_script([Turn.stall(0.5, "late")])
    events = sse_events(post(f"{server.url}/v1/responses", responses_body(stream=True))[2])
    assert events[0][0] == "response.created" and events[-1][0] == "response.completed"


# Turn selection ---------------------------------------------------------------------------------


def test_turns_are_played_in_order_then_the_script_is_exhausted(server: FakeModelServer) -> None:
    server.set_script(Script(["one", "two"], exhausted_text="all gone"))
    texts = [
        json.loads(post(f"{server.url}/v1/messages", anthropic_body())[2])["content"][0]["text"]
        for _ in range(4)
    ]
    assert texts == ["one", "two", "all gone", "all gone"]
    assert server.exhausted == 2
    assert [(r.turn, r.exhausted) for r in server.main_requests] == [
        (0, False),
        (1, False),
        (None, True),
        (None, True),
    ]


def test_quota_probes_and_title_requests_are_auxiliary(server: FakeModelServer) -> None:
    server.set_script(["the real answer", "no tools needed"])
    probe = anthropic_body("quota", tools=None, max_tokens=1)
    title = anthropic_body(
        "<session>hi</session>",
        tools=[],
        output_config={"format": {"type": "json_schema", "schema": {"type": "object"}}},
    )
    for body in (probe, title):
        assert (
            json.loads(post(f"{server.url}/v1/messages", body)[2])["content"][0]["text"]
            == DEFAULT_AUX_TEXT
        )
    answer = json.loads(post(f"{server.url}/v1/messages", anthropic_body())[2])
    assert answer["content"][0]["text"] == "the real answer"
    # an agent run with every tool disabled (claude --tools "") is still the conversation
    toolless = json.loads(post(f"{server.url}/v1/messages", anthropic_body(tools=[]))[2])
    assert toolless["content"][0]["text"] == "no tools needed"
    assert [r.kind for r in server.requests] == ["aux", "aux", "main", "main"]
    assert len(server.aux_requests) == 2 and server.exhausted == 0


def test_a_custom_main_request_rule() -> None:
    with FakeModelServer(["scripted"], is_main=lambda body: True) as server:
        text = json.loads(post(f"{server.url}/v1/messages", anthropic_body(tools=None))[2])
        assert text["content"][0]["text"] == "scripted"


def test_when_keys_turns_to_the_prompt(server: FakeModelServer) -> None:
    server.set_script(
        [
            Turn.text("review ok", when="review"),
            "first unkeyed",
            "second unkeyed",
            Turn.text("fix done", when="please fix"),
        ]
    )

    def ask(prompt: str) -> str:
        return json.loads(post(f"{server.url}/v1/messages", anthropic_body(prompt))[2])["content"][
            0
        ]["text"]

    assert ask("please fix the bug") == "fix done"
    assert ask("something else") == "first unkeyed"
    assert ask("please review this") == "review ok"
    assert ask("please review again") == "second unkeyed"  # the keyed turn is used up
    assert server.remaining == []


def test_when_matches_the_prompt_not_the_tool_result(server: FakeModelServer) -> None:
    server.set_script([Turn.tool("Write", {}, when="alpha"), Turn.text("alpha done", when="alpha")])
    body = anthropic_body("task alpha")
    post(f"{server.url}/v1/messages", body)
    body["messages"] += [
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t", "name": "Write", "input": {}}],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "t", "content": "File created"}],
        },
    ]
    answer = json.loads(post(f"{server.url}/v1/messages", body)[2])
    assert answer["content"][0]["text"] == "alpha done"
    assert server.main_requests[1].prompt == "task alpha"
    assert server.last_user_message() == "File created"


def test_set_script_and_add_while_serving(server: FakeModelServer) -> None:
    assert (
        json.loads(post(f"{server.url}/v1/messages", anthropic_body())[2])["content"][0]["text"]
        == DEFAULT_EXHAUSTED_TEXT
    )
    server.add("added", Turn.text("added too"))
    server.set_script(["replaced"])
    server.add("appended")
    texts = [
        json.loads(post(f"{server.url}/v1/messages", anthropic_body())[2])["content"][0]["text"]
        for _ in range(2)
    ]
    assert texts == ["replaced", "appended"]
    assert len(server.script.turns) == 2


# Recording --------------------------------------------------------------------------------------


def test_requests_are_recorded_with_secrets_redacted(server: FakeModelServer) -> None:
    server.set_script(["ok"])
    body = anthropic_body("the prompt")
    body["messages"][0]["content"].insert(
        0, {"type": "text", "text": "<system-reminder>\ndate\n</system-reminder>"}
    )
    post(f"{server.url}/v1/messages?beta=true", body, headers={"authorization": "Bearer tok"})
    [record] = server.requests
    assert isinstance(record, RecordedRequest)
    assert (record.method, record.path, record.api, record.kind, record.turn) == (
        "POST",
        "/v1/messages",
        "anthropic",
        "main",
        0,
    )
    assert (
        record.headers["x-api-key"] == "<redacted>"
        and record.headers["authorization"] == "<redacted>"
    )
    assert record.headers["content-type"] == "application/json"
    assert record.body == body and record.model == "claude-sonnet-4-6" and record.max_tokens == 1024
    assert record.tools == ["Write"] and record.system == "You are an agent."
    assert record.prompt == "the prompt"
    assert (
        record.last_user_text.endswith("the prompt") and "system-reminder" in record.last_user_text
    )
    assert record.stream is False and record.time > 0


def test_openai_tool_results_are_the_last_user_text(server: FakeModelServer) -> None:
    body = openai_body("make it")
    body["messages"] += [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "create", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "Created file /x"},
    ]
    post(f"{server.url}/v1/chat/completions", body)
    record = server.main_requests[0]
    assert record.last_user_text == "Created file /x" and record.prompt == "make it"
    assert record.system == "You are an agent." and record.tools == ["create"]


def test_requests_log_is_written_as_json_lines(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    with FakeModelServer(["ok"], requests_log=log) as server:
        post(f"{server.url}/v1/messages", anthropic_body("logged"))
        post(f"{server.url}/v1/messages/count_tokens", anthropic_body())
        assert read_requests_log(log) == server.requests
    records = read_requests_log(log)
    assert [r.kind for r in records] == ["main", "other"] and records[0].prompt == "logged"


def test_wait_for_requests(server: FakeModelServer) -> None:
    post(f"{server.url}/v1/messages", anthropic_body())
    assert len(server.wait_for_requests(1)) == 1
    with pytest.raises(TimeoutError, match="1 main request"):
        server.wait_for_requests(2, timeout=0.05)


# Delays and stalls ------------------------------------------------------------------------------


def test_a_delayed_turn_still_answers(server: FakeModelServer) -> None:
    server.set_script([Turn.text("eventually", delay=0.2)])
    assert (
        json.loads(post(f"{server.url}/v1/messages", anthropic_body())[2])["content"][0]["text"]
        == "eventually"
    )


def test_a_stalled_stream_sends_its_first_event_then_hangs() -> None:
    server = FakeModelServer([Turn.stall(60, "never seen")]).start()
    try:
        body = json.dumps(anthropic_body(stream=True)).encode()
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(
                b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
            )
            received = b""
            while not received.endswith(b"\n\n\r\n"):  # the end of the first event's chunk
                data = sock.recv(65536)
                assert data, f"closed early: {received!r}"
                received += data
            assert received.startswith(b"HTTP/1.1 200 ") and b"event: message_start" in received
            sock.settimeout(0.3)
            with pytest.raises(TimeoutError):
                sock.recv(65536)
            assert b"ping" not in received and b"never seen" not in received
    finally:
        server.stop()  # cuts the stall short; would hang the test otherwise


def test_a_stalled_turn_finishes_after_the_stall(server: FakeModelServer) -> None:
    server.set_script([Turn.stall(0.2, "after the stall"), Turn.stall(0.2, "not streamed")])
    events = sse_events(post(f"{server.url}/v1/messages", anthropic_body(stream=True))[2])
    assert (
        "".join(d["delta"].get("text", "") for n, d in events if n == "content_block_delta")
        == "after the stall"
    )
    assert (
        json.loads(post(f"{server.url}/v1/messages", anthropic_body())[2])["content"][0]["text"]
        == "not streamed"
    )


def test_chunked_request_bodies(server: FakeModelServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(
            "POST",
            "/v1/messages",
            body=iter([json.dumps(anthropic_body("chunked")).encode()]),
            headers={"content-type": "application/json"},
            encode_chunked=True,
        )
        assert conn.getresponse().read()
    finally:
        conn.close()
    assert server.main_requests[0].prompt == "chunked"


def test_stop_closes_idle_keep_alive_connections() -> None:
    server = FakeModelServer(["a"]).start()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("POST", "/v1/messages", body=json.dumps(anthropic_body()).encode())
        response = conn.getresponse()
        assert response.getheader("connection") != "close"
        response.read()
        server.stop()  # the connection is still open; stop() must not wait for the client
    finally:
        conn.close()


def test_stop_is_idempotent_and_the_url_needs_a_running_server() -> None:
    server = FakeModelServer()
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.url
    server.start()
    assert server.url.startswith("http://127.0.0.1:")
    server.stop()
    server.stop()


# Environments -----------------------------------------------------------------------------------


def test_environments_for_the_clis(server: FakeModelServer, tmp_path: Path) -> None:
    claude = server.anthropic_env(tmp_path)
    assert claude["HOME"] == str(tmp_path) and claude["ANTHROPIC_BASE_URL"] == server.url
    assert claude["CLAUDE_CODE_MAX_RETRIES"] == "0"
    assert "CLAUDE_CODE_MAX_RETRIES" not in server.anthropic_env(tmp_path, max_retries=None)
    copilot = server.copilot_env(tmp_path, cache_dir=tmp_path / "cache")
    assert copilot["COPILOT_PROVIDER_BASE_URL"] == server.url
    assert copilot["COPILOT_PROVIDER_TYPE"] == "anthropic" and copilot["COPILOT_OFFLINE"] == "true"
    assert copilot["XDG_CACHE_HOME"] == str(tmp_path / "cache")
    openai = server.copilot_env(tmp_path, api="openai")
    assert openai["COPILOT_PROVIDER_BASE_URL"] == f"{server.url}/v1"
    with pytest.raises(ValueError, match="api must be"):
        server.copilot_env(tmp_path, api="gemini")
    codex = server.codex_env(tmp_path / "codex-home")
    assert codex["HOME"] == str(tmp_path / "codex-home")
    assert codex["CODEX_HOME"] == str(tmp_path / "codex-home" / ".codex")
    config = (tmp_path / "codex-home" / ".codex" / "config.toml").read_text()
    assert 'model_provider = "godel-fake-model"\n' in config
    assert f'base_url = "{server.url}/v1"\nwire_api = "responses"\n' in config
    assert 'env_key = "FAKE_MODEL_API_KEY"\n' in config and codex["FAKE_MODEL_API_KEY"]
    assert "request_max_retries = 0\nstream_max_retries = 0\n" in config


# The pytest fixture -----------------------------------------------------------------------------


def test_the_pytest_fixture_is_a_running_server_with_an_empty_script(
    fake_model: FakeModelServer,
) -> None:
    assert fake_model.script.turns == ()
    fake_model.add("from the fixture")
    answer = json.loads(post(f"{fake_model.url}/v1/messages", anthropic_body())[2])
    assert answer["content"][0]["text"] == "from the fixture"


# The command ------------------------------------------------------------------------------------


def command(*args: str, **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "godel.testing.fake_model", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_the_command_serves_a_script_until_signalled(tmp_path: Path, sig: signal.Signals) -> None:
    script = Script(["from the command"]).dump(tmp_path / "script.json")
    log = tmp_path / "requests.jsonl"
    with command("--script", str(script), "--requests-log", str(log)) as proc:
        try:
            assert proc.stdout is not None and proc.stderr is not None
            url = proc.stdout.readline().strip()
            assert url.startswith("http://127.0.0.1:")
            answer = json.loads(post(f"{url}/v1/messages", anthropic_body("over there"))[2])
            assert answer["content"][0]["text"] == "from the command"
            proc.send_signal(sig)
            proc.wait(timeout=20)
            out, err = proc.stdout.read(), proc.stderr.read()
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0, err
    assert (
        f"export ANTHROPIC_BASE_URL={url}" in out
        and f"export COPILOT_PROVIDER_BASE_URL={url}" in out
    )
    assert "export HOME=" not in out
    assert [r.prompt for r in read_requests_log(log)] == ["over there"]


def test_the_command_rejects_a_bad_script_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[{"txt": "hi"}]')
    with command("--script", str(bad)) as proc:
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 2 and out == ""
    assert err.splitlines() == [
        f"fake-model: error: {bad}: turns[0]: unknown key 'txt' (expected one of: "
        "delay, error, id, input, repeat, stall, stop_reason, text, thinking, "
        "tool, tools, usage, when)"
    ]


def test_the_command_help() -> None:
    with command("--help") as proc:
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "--script" in out and "--requests-log" in out and "SIGTERM" in out


def test_the_command_reports_a_port_in_use() -> None:
    with FakeModelServer() as server, command("--port", str(server.port)) as proc:
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 2 and err.startswith("fake-model: error: cannot start:")


@pytest.mark.parametrize("port", ["99999", "-1", "eighty"])
def test_the_command_refuses_a_port_out_of_range_in_one_line(port: str) -> None:
    with command("--port", port) as proc:
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 2 and out == ""
    assert "Traceback" not in err
    assert err.splitlines()[-1].startswith(
        "python -m godel.testing.fake_model: error: argument --port"
    )
