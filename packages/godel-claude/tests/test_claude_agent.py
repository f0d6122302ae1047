"""The claude_code backend: registration, the command line it builds, and its stream parser."""

from __future__ import annotations

import json
from importlib.metadata import entry_points, version

import godel_claude
from godel.agents import AgentCall
from godel_claude.agent import ClaudeCode, claude_code
from godel_claude.parser import ClaudeStreamParser


def test_registered_under_the_godel_entry_point():
    (ep,) = [ep for ep in entry_points(group="godel") if ep.name == "claude"]
    assert ep.value == "godel_claude.plugin"
    assert version("godel-claude") == godel_claude.__version__


def test_the_agent_and_the_parser_are_registered():
    import godel.agents
    import godel.parsers

    assert godel.agents.get("claude_code") is claude_code
    assert godel.parsers.get("claude") is ClaudeStreamParser


def call(**fields):
    base = dict(prompt="hi", model="claude-sonnet-5", session_id="S")
    return AgentCall(**{**base, **fields})


def opt(argv, flag):
    return argv[argv.index(flag) + 1]


def test_a_new_session_streams_json_with_partial_messages_and_the_prompt_on_stdin():
    agent = claude_code(model="sonnet", skip_permissions=True)
    c = call(skip_permissions=True)
    argv = agent.command(c)
    assert argv[:6] == [
        "claude",
        "-p",
        "--output-format",
        "stream-json",
        "--verbose",
        "--include-partial-messages",
    ]
    assert opt(argv, "--model") == "claude-sonnet-5" and opt(argv, "--session-id") == "S"
    assert "--dangerously-skip-permissions" in argv and "hi" not in argv
    assert agent.stdin(c) == "hi"


def test_resume_fork_system_prompt_tools_and_schema_flags():
    agent = ClaudeCode(replace_system_prompt=True)
    assert opt(agent.command(call(session_mode="resume")), "--resume") == "S"
    fork = agent.command(call(session_id="N", session_mode="fork", fork_of="S", resume_at="u1"))
    assert (
        opt(fork, "--resume") == "S"
        and "--fork-session" in fork
        and opt(fork, "--session-id") == "N"
    )
    assert opt(fork, "--resume-session-at") == "u1"
    argv = agent.command(
        call(system_prompt="be brief", tools=("Read", "Bash"), schema={"type": "object"})
    )
    assert opt(argv, "--system-prompt") == "be brief"
    assert opt(argv, "--tools") == "Read,Bash" and opt(argv, "--allowedTools") == "Read,Bash"
    assert json.loads(opt(argv, "--json-schema")) == {"type": "object"}
    assert (
        opt(
            claude_code(system_prompt="x").command(call(system_prompt="x")),
            "--append-system-prompt",
        )
        == "x"
    )
    assert opt(agent.command(call(tools=())), "--tools") == ""  # no tools at all


def test_model_aliases_resolve_and_full_ids_pass_through():
    assert claude_code(model="opus").resolve_model() == "claude-opus-4-8"
    assert claude_code(model="claude-opus-4-6").resolve_model() == "claude-opus-4-6"


def feed(lines):
    parser = ClaudeStreamParser()
    out = []
    for line in lines:
        out += parser.feed(json.dumps(line) if not isinstance(line, str) else line)
    return out + parser.close()


def test_the_parser_normalises_every_line_type():
    records = feed(
        [
            {
                "type": "system",
                "subtype": "init",
                "session_id": "S",
                "model": "m",
                "tools": ["Write"],
                "cwd": "/w",
            },
            {"type": "stream_event", "event": {"type": "message_start"}},
            {
                "type": "stream_event",
                "event": {
                    "type": "content_block_delta",
                    "delta": {"type": "thinking_delta", "thinking": "hmm"},
                },
            },
            {
                "type": "stream_event",
                "event": {
                    "type": "content_block_delta",
                    "delta": {"type": "text_delta", "text": "I'll write"},
                },
            },
            {
                "type": "assistant",
                "uuid": "u1",
                "message": {
                    "id": "msg1",
                    "content": [
                        {"type": "text", "text": "I'll write"},
                        {
                            "type": "tool_use",
                            "id": "t1",
                            "name": "Write",
                            "input": {"file_path": "a"},
                        },
                    ],
                },
            },
            {
                "type": "user",
                "message": {
                    "content": [
                        {
                            "type": "tool_result",
                            "tool_use_id": "t1",
                            "content": [{"type": "text", "text": "ok"}],
                        }
                    ]
                },
            },
            "not json",
            {
                "type": "result",
                "subtype": "success",
                "is_error": False,
                "result": "done",
                "session_id": "S",
                "total_cost_usd": 0.01,
                "usage": {"input_tokens": 10, "output_tokens": 2, "server_tool_use": {}},
                "structured_output": {"a": 1},
                "stop_reason": "end_turn",
            },
        ]
    )
    ops = [r["op"] for r in records]
    assert ops == [
        "agent.init",
        "agent.thought",
        "agent.response",
        "agent.tool_call",
        "agent.tool_result",
        "agent.raw",
        "agent.result",
    ]
    assert records[3] == {
        "op": "agent.tool_call",
        "tool": "Write",
        "input": {"file_path": "a"},
        "id": "t1",
    }
    assert records[4]["output"] == "ok"
    result = records[-1]
    assert (
        result["text"] == "done" and result["structured"] == {"a": 1} and result["cost_usd"] == 0.01
    )
    assert result["usage"] == {"input_tokens": 10, "output_tokens": 2} and result["cursor"] == "u1"
    assert result["is_error"] is False and result["refusal"] is False


def test_without_partial_messages_complete_messages_carry_the_text():
    records = feed(
        [
            {
                "type": "assistant",
                "message": {
                    "content": [
                        {"type": "thinking", "thinking": "t"},
                        {"type": "text", "text": "answer"},
                    ]
                },
            }
        ]
    )
    assert records == [
        {"op": "agent.thought", "text": "t"},
        {"op": "agent.response", "text": "answer"},
    ]


def test_error_results_and_refusals():
    (err,) = feed(
        [
            {
                "type": "result",
                "subtype": "success",
                "is_error": True,
                "result": "API Error: 500 overloaded",
                "session_id": "S",
            }
        ]
    )
    assert err["is_error"] and err["error"] == "API Error: 500 overloaded"
    (limit,) = feed(
        [{"type": "result", "subtype": "error_max_turns", "is_error": False, "session_id": "S"}]
    )
    assert limit["is_error"] and limit["error"] == "error_max_turns"
    refused = feed(
        [
            {"type": "assistant", "message": {"stop_reason": "refusal", "content": []}},
            {"type": "result", "subtype": "success", "result": "no"},
        ]
    )
    assert refused[-1]["refusal"] is True


def test_a_result_with_wrong_figures_still_answers_without_them():
    (res,) = feed(
        [
            {
                "type": "result",
                "subtype": "success",
                "result": "hi",
                "session_id": "S",
                "usage": "lots",
                "total_cost_usd": "0.5",
            }
        ]
    )
    assert res["op"] == "agent.result" and res["text"] == "hi" and res["session_id"] == "S"
    assert res["usage"] == {} and "cost_usd" not in res


def test_a_result_line_over_the_line_limit_keeps_its_result():
    # The CLI's last line carries the whole answer: past 1 MiB it is still the call's outcome,
    # while the transcript keeps only a prefix of the line itself.
    from godel.parsers.jsonstream import _RAW_KEEP, MAX_LINE

    answer = "word " * (MAX_LINE // 4)
    line = {"type": "result", "subtype": "success", "is_error": False, "result": answer}
    result, raw = feed([{**line, "session_id": "S", "usage": {"output_tokens": 9}}])
    assert result["op"] == "agent.result" and result["text"] == answer
    assert raw["op"] == "agent.raw" and raw["reason"] == "oversized"
    assert len(raw["text"]) <= _RAW_KEEP
