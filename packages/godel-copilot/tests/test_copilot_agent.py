"""The copilot backend: registration, the command line it builds, and its stream parser."""

from __future__ import annotations

import json
from importlib.metadata import entry_points, version

import godel_copilot
from godel.agents import AgentCall
from godel_copilot.agent import copilot
from godel_copilot.parser import CopilotStreamParser


def test_registered_under_the_godel_entry_point():
    (ep,) = [ep for ep in entry_points(group="godel") if ep.name == "copilot"]
    assert ep.value == "godel_copilot.plugin"
    assert version("godel-copilot") == godel_copilot.__version__


def test_the_agent_and_the_parser_are_registered():
    import godel.agents
    import godel.parsers

    assert godel.agents.get("copilot") is copilot
    assert godel.parsers.get("copilot") is CopilotStreamParser


def test_argv_for_new_and_resumed_sessions():
    agent = copilot(model="sonnet", skip_permissions=True, tools=["shell"])
    argv = agent.command(
        AgentCall(
            prompt="-fix it",
            model=agent.resolve_model(),
            session_id="S",
            tools=("shell",),
            skip_permissions=True,
        )
    )
    assert argv[:3] == ["copilot", "--prompt=-fix it", "--output-format"]
    assert "--session-id=S" in argv and argv[argv.index("--model") + 1] == "claude-sonnet-4.6"
    assert (
        "--allow-all-tools" in argv
        and "--allow-tool=shell" in argv
        and "--available-tools=shell" in argv
    )
    resumed = agent.command(
        AgentCall(prompt="p", model=None, session_id="S", session_mode="resume")
    )
    assert "--resume=S" in resumed and "--model" not in resumed


def test_godel_pys_model_names_resolve_to_names_copilot_accepts():
    resolved = {
        name: copilot(model=name).resolve_model()
        for name in ("default", "gpt-5", "sonnet-4", "claude-sonnet-4", "claude-sonnet-4.5")
    }
    assert resolved == {
        "default": None,  # the CLI's own default: no --model
        "gpt-5": "gpt-5.4",
        "sonnet-4": "claude-sonnet-4.6",
        "claude-sonnet-4": "claude-sonnet-4.6",
        "claude-sonnet-4.5": "claude-sonnet-4.6",
    }
    assert copilot(model="my-model").resolve_model() == "my-model"
    assert copilot().resolve_model() is None


def test_copilot_cannot_fork_and_has_no_system_prompt_flag():
    assert copilot().can_fork is False and copilot().system_prompt_flag is False


def feed(events):
    parser = CopilotStreamParser()
    out = []
    for e in events:
        out += parser.feed(json.dumps(e))
    return out + parser.close()


def test_the_parser_normalises_the_jsonl_events():
    records = feed(
        [
            {"type": "session.skills_loaded", "data": {}},
            {"type": "assistant.reasoning_delta", "data": {"deltaContent": "hmm"}},
            {
                "type": "assistant.message_delta",
                "data": {"messageId": "m1", "deltaContent": "Let me write it."},
            },
            {
                "type": "assistant.message",
                "data": {
                    "messageId": "m1",
                    "content": "Let me write it.",
                    "toolRequests": [{"name": "create"}],
                },
            },
            {
                "type": "tool.execution_start",
                "data": {"toolCallId": "t1", "toolName": "create", "arguments": {"p": 1}},
            },
            {
                "type": "tool.execution_complete",
                "data": {"toolCallId": "t1", "success": True, "result": {"content": "Created"}},
            },
            {"type": "assistant.message", "data": {"messageId": "m2", "content": "Done."}},
            {"type": "assistant.usage", "data": {"inputTokens": 10, "outputTokens": 3}},
            {"type": "result", "sessionId": "S", "exitCode": 0, "usage": {"premiumRequests": 0}},
        ]
    )
    assert [r["op"] for r in records] == [
        "agent.thought",
        "agent.response",
        "agent.tool_call",
        "agent.tool_result",
        "agent.response",
        "agent.result",
    ]
    result = records[-1]
    assert result["text"] == "Done." and result["session_id"] == "S" and result["is_error"] is False
    assert result["usage"] == {"input_tokens": 10, "output_tokens": 3}


def test_errors_make_an_error_result():
    records = feed(
        [
            {"type": "session.error", "data": {"message": "500 overloaded"}},
            {"type": "result", "sessionId": "S", "exitCode": 1},
        ]
    )
    assert records[0] == {"op": "agent.error", "message": "500 overloaded"}
    assert records[-1]["is_error"] and records[-1]["error"] == "500 overloaded"


def test_token_counts_come_from_the_session_log(tmp_path):
    from godel_copilot.agent import session_usage

    log = tmp_path / "events.jsonl"
    record = {
        "type": "session.usage_record",
        "timestamp": "2026-11-24T06:10:28.393Z",
        "data": {
            "usage": {
                "inputTokens": 120,
                "outputTokens": 7,
                "cacheReadTokens": 20,
                "cacheWriteTokens": 3,
            }
        },
    }
    old = {**record, "timestamp": "2026-11-24T05:00:00.000Z"}
    log.write_text(
        "\n".join(json.dumps(r) for r in (old, record, {"type": "other"})) + "\nnot json\n"
    )
    from datetime import datetime

    since = datetime.fromisoformat("2026-11-24T06:10:28+00:00").timestamp()
    assert session_usage(log, since=since) == {
        "input_tokens": 100,
        "output_tokens": 7,
        "cache_read_input_tokens": 20,
        "cache_creation_input_tokens": 3,
    }
    assert session_usage(tmp_path / "missing.jsonl", since=since) == {}
