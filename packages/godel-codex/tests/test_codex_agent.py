"""The codex backend: registration, the command line it builds, its stream parser, its usage."""

from __future__ import annotations

import json
import time
from importlib.metadata import entry_points, version
from pathlib import Path

import pytest

import godel_codex
from godel.agents import AgentCall, Invocation
from godel_codex.agent import Codex, codex, rollout_usage, strict_schema, toml_string
from godel_codex.parser import CodexStreamParser


def test_registered_under_the_godel_entry_point():
    (ep,) = [ep for ep in entry_points(group="godel") if ep.name == "codex"]
    assert ep.value == "godel_codex.plugin"
    assert version("godel-codex") == godel_codex.__version__


def test_the_agent_and_the_parser_are_registered():
    import godel.agents
    import godel.parsers

    assert godel.agents.get("codex") is codex
    assert godel.parsers.get("codex") is CodexStreamParser


def call(**fields):
    base = dict(prompt="hi", model="gpt-5.5", session_id="S")
    return AgentCall(**{**base, **fields})


def opt(argv, flag):
    return argv[argv.index(flag) + 1]


def test_a_new_session_runs_exec_json_in_the_sandbox_with_the_prompt_on_stdin():
    agent = codex(model="gpt-5.5")
    argv = agent.command(call())
    assert argv[:3] == ["codex", "exec", "--json"] and argv[-1] == "-"
    assert "--skip-git-repo-check" in argv and opt(argv, "--color") == "never"
    assert opt(argv, "--sandbox") == "workspace-write" and opt(argv, "--model") == "gpt-5.5"
    assert "resume" not in argv and "fork" not in argv and "hi" not in argv
    assert agent.stdin(call()) == "hi"


def test_sandbox_and_skip_permissions():
    assert opt(codex(sandbox="read-only").command(call()), "--sandbox") == "read-only"
    argv = codex().command(call(skip_permissions=True))
    assert "--dangerously-bypass-approvals-and-sandbox" in argv and "--sandbox" not in argv
    with pytest.raises(ValueError, match="sandbox= must be one of read-only, workspace-write"):
        codex(sandbox="yolo")
    with pytest.raises(TypeError, match="takes no tools="):
        codex(tools=["Write"])


def test_sessions_fork_the_snapshot_of_the_previous_answer():
    agent = Codex()
    # The answer before this one left thread T1: continue in a copy of it.
    assert agent.command(call(session_mode="resume", cursor="T1"))[-3:] == ["fork", "T1", "-"]
    # No snapshot known (a session godel did not start): resume it in place.
    assert agent.command(call(session_mode="resume"))[-3:] == ["resume", "S", "-"]
    # A rewind forks the snapshot the run kept.
    fork = agent.command(call(session_id="N", session_mode="fork", fork_of="S", resume_at="T0"))
    assert fork[-3:] == ["fork", "T0", "-"]
    options_end = fork.index("fork")
    assert "--sandbox" in fork[:options_end]  # exec's options come before the subcommand


def test_system_prompt_schema_and_extra_args(tmp_path):
    agent = codex(extra_args=["--enable", "x"])
    schema = {"type": "object", "properties": {"city": {"type": "string"}}}
    argv = agent.command(call(system_prompt='be "brief"\nplease', schema=schema))
    assert opt(argv, "-c") == 'developer_instructions="be \\"brief\\"\\nplease"'
    written = json.loads(Path(opt(argv, "--output-schema")).read_text())
    assert written == {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    }
    assert argv[argv.index("--enable") + 1] == "x" and argv.index("--enable") < len(argv) - 1


def test_strict_schema_requires_every_property_and_forbids_others():
    nested = {
        "type": "object",
        "properties": {"a": {"$ref": "#/$defs/A"}, "b": {"type": "integer", "default": 1}},
        "$defs": {"A": {"type": "object", "properties": {"x": {"type": "string"}}}},
    }
    out = strict_schema(nested)
    assert out["required"] == ["a", "b"] and out["additionalProperties"] is False
    assert out["$defs"]["A"] == {
        "type": "object",
        "properties": {"x": {"type": "string"}},
        "required": ["x"],
        "additionalProperties": False,
    }
    mapping = {"type": "object", "additionalProperties": {"type": "integer"}}
    assert strict_schema(mapping) == mapping  # a dict[str, int] field stays a mapping


def test_toml_strings_keep_any_text():
    assert toml_string("naïve \x7f é") == '"naïve \\u007f é"'


STREAM = [
    {"type": "thread.started", "thread_id": "T1"},
    {"type": "turn.started"},
    {"type": "item.completed", "item": {"id": "item_0", "type": "reasoning", "text": "Plan."}},
    {"type": "item.completed", "item": {"id": "item_1", "type": "agent_message", "text": "Ok."}},
    {
        "type": "item.started",
        "item": {"id": "item_2", "type": "command_execution", "command": "ls", "exit_code": None},
    },
    {
        "type": "item.completed",
        "item": {
            "id": "item_2",
            "type": "command_execution",
            "command": "ls",
            "aggregated_output": "a.txt\n",
            "exit_code": 0,
            "status": "completed",
        },
    },
    {"type": "item.completed", "item": {"id": "item_3", "type": "agent_message", "text": "Done."}},
    {
        "type": "turn.completed",
        "usage": {
            "input_tokens": 300,
            "cached_input_tokens": 100,
            "cache_write_input_tokens": 5,
            "output_tokens": 20,
            "reasoning_output_tokens": 0,
        },
    },
]


def parse(events):
    parser = CodexStreamParser()
    records = []
    for event in events:
        records += parser.feed(json.dumps(event))
    return records + parser.close()


def test_the_parser_turns_the_stream_into_transcript_records():
    records = parse(STREAM)
    assert [r["op"] for r in records] == [
        "agent.init",
        "agent.thought",
        "agent.response",
        "agent.tool_call",
        "agent.tool_result",
        "agent.response",
        "agent.result",
    ]
    assert records[0]["session_id"] == "T1"
    assert records[3] == {
        "op": "agent.tool_call",
        "tool": "command_execution",
        "input": {"command": "ls"},
        "id": "item_2",
    }
    assert records[4]["output"] == "a.txt\n" and records[4]["is_error"] is False
    result = records[-1]
    assert result["text"] == "Done." and result["session_id"] == "T1"
    assert result["usage"] == {
        "input_tokens": 200,
        "output_tokens": 20,
        "cache_read_input_tokens": 100,
        "cache_creation_input_tokens": 5,
    }


def test_a_failed_turn_is_an_error_result():
    records = parse(
        [
            {"type": "thread.started", "thread_id": "T1"},
            {"type": "error", "message": "Reconnecting... 1/5"},
            {"type": "turn.failed", "error": {"message": "prompt is too long"}},
        ]
    )
    assert records[1] == {"op": "agent.error", "message": "Reconnecting... 1/5"}
    assert records[-1]["is_error"] is True and records[-1]["error"] == "prompt is too long"
    assert codex().is_context_overflow(records[-1]["error"])


def rollout(home: Path, thread: str, entries: list[tuple[float, dict]]) -> None:
    day = home / "sessions" / "2026" / "01" / "02"
    day.mkdir(parents=True, exist_ok=True)
    lines = [{"type": "session_meta", "payload": {"id": thread}, "timestamp": "x"}]
    for when, last in entries:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(when))
        payload = {"type": "token_count", "info": {"last_token_usage": last}}
        lines.append({"timestamp": stamp, "type": "event_msg", "payload": payload})
    path = day / f"rollout-2026-01-02T00-00-00-{thread}.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def test_usage_counts_only_this_invocations_requests(tmp_path):
    now = time.time()
    usage = {"input_tokens": 100, "cached_input_tokens": 0, "output_tokens": 7}
    rollout(tmp_path, "T2", [(now - 3600, usage), (now, usage), (now + 1, usage)])
    assert rollout_usage(tmp_path, "T2", since=now - 1) == {
        "input_tokens": 200,
        "output_tokens": 14,
        "cache_read_input_tokens": 0,
        "cache_creation_input_tokens": 0,
    }
    assert rollout_usage(tmp_path, "missing", since=now) is None


def test_the_result_names_godels_session_and_keeps_the_thread_as_the_cursor(tmp_path):
    rollout(tmp_path, "T1", [(time.time(), {"input_tokens": 100, "output_tokens": 3})])
    agent = codex(env={"CODEX_HOME": str(tmp_path)})
    argv = agent.command(call(session_id="G"))
    inv = Invocation(argv, 0, records=parse(STREAM), started_at=time.time() - 1)
    result = agent.extract_result(inv)
    assert result is not None
    assert result.session_id == "G" and result.cursor == "T1" and result.text == "Done."
    assert result.usage["input_tokens"] == 100 and result.usage["output_tokens"] == 3


def test_a_missing_session_is_recognised():
    inv = Invocation(
        ["codex"], 1, stderr="Error: thread/resume failed: no rollout found for thread id S"
    )
    assert codex().session_missing(inv)
