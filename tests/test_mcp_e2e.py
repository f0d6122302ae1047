"""End to end: `godel mcp` driven by the official `mcp` SDK's client, and by the real claude CLI.

The server is the real `godel mcp` command in a subprocess, on stdio, as an MCP client starts it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import pytest

from godel.log.eventlog import EventLog
from godel.testing.fake_model import Turn

GODEL = Path(sys.executable).parent / "godel"

WORKFLOW = """
import os

from godel import WorkflowFail, step, workflow


@step
async def check():
    if GATE == "closed":
        raise WorkflowFail("gate closed")
    return "ok"


GATE = "closed"


@workflow
async def main():
    return await check()
"""

TOOLS = {
    "list_runs",
    "show_run",
    "read_event",
    "tail_events",
    "pause_run",
    "resume_run",
    "repair_context",
    "read_file",
    "edit_file",
    "run_lint",
    "rewind",
    "answer_input",
    "give_up",
}


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_")}
    return {**base, "PYTHONDONTWRITEBYTECODE": "1", **extra}


def fail_a_run(tmp_path: Path, *args: str) -> tuple[Path, str]:
    """A project whose run failed at its gate (``args``: where it lives, e.g. ``--store``)."""
    project = tmp_path / "proj"
    project.mkdir()
    (project / "wf.py").write_text(WORKFLOW)
    out = subprocess.run(
        [str(GODEL), "run", "wf.py", *args],
        cwd=project,
        env=env(GODEL_HOME=str(tmp_path / "gh")),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1, out.stderr
    return project, out.stderr.split("[godel] run ", 1)[1].split()[0]


@pytest.fixture
def failed_run(tmp_path: Path) -> tuple[Path, str]:
    return fail_a_run(tmp_path)


async def session_calls(
    project: Path, calls: list[tuple[str, dict[str, Any]]], *args: str
) -> list[Any]:
    from mcp import ClientSession, StdioServerParameters, stdio_client

    params = StdioServerParameters(
        command=str(GODEL),
        args=["mcp", *args],
        cwd=str(project),
        env=env(GODEL_HOME=str(project / ".gh")),
    )
    results: list[Any] = []
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        results.append({t.name for t in (await session.list_tools()).tools})
        for name, args in calls:
            results.append(await session.call_tool(name, args))
    return results


def payload(result: Any) -> Any:
    assert not result.is_error, result.content[0].text
    data = result.structured_content
    return data.get("result", data) if isinstance(data, dict) and len(data) == 1 else data


def test_the_sdk_client_inspects_and_mends_a_run(failed_run: tuple[Path, str], tmp_path: Path):
    project, run_id = failed_run
    outside = tmp_path / "outside.py"
    outside.write_text("x = 1\n")
    calls = [
        ("list_runs", {}),
        ("show_run", {"run_id": run_id[-8:]}),
        ("tail_events", {"run_id": run_id}),
        ("repair_context", {"run_id": run_id}),
        ("read_file", {"run_id": run_id, "path": "wf.py"}),
        ("edit_file", {"run_id": run_id, "path": str(outside), "old": "x", "new": "y"}),
        ("edit_file", {"run_id": run_id, "path": f"runs/{run_id}.jsonl", "old": "a", "new": "b"}),
        (
            "edit_file",
            {"run_id": run_id, "path": "wf.py", "old": 'GATE = "closed"', "new": 'GATE = "open"'},
        ),
        ("read_event", {"run_id": run_id, "event_id": "ZZZZZZZZ"}),
        ("show_run", {"run_id": "ZZZZZZZZ"}),
    ]
    (tools, runs, shown, tail, ctx, read, outside_edit, runs_edit, edit, bad_event, bad_run) = (
        anyio.run(session_calls, project, calls)
    )
    assert tools == TOOLS
    assert [r["run_id"] for r in payload(runs)] == [run_id]
    assert payload(runs)[0]["status"] == "FAILED"
    shown = payload(shown)
    assert shown["summary"]["status"] == "FAILED"
    assert [e["op"] for e in shown["events"]] == ["WORKFLOW_STARTED", "step.enter"]
    tail = payload(tail)
    assert tail["status"] == "FAILED" and tail["next"] == 4 and len(tail["events"]) == 4
    ctx = payload(ctx)
    assert ctx["state"] == "FAILED" and ctx["failure"]["error"] == "gate closed"
    assert [s["path"] for s in ctx["sources"]] == ["wf.py"]
    assert payload(read)["content"] == WORKFLOW
    assert outside_edit.is_error and "is outside the project" in outside_edit.content[0].text
    assert runs_edit.is_error and "is under the runs directory" in runs_edit.content[0].text
    assert bad_event.is_error and "ZZZZZZZZ" in bad_event.content[0].text
    assert bad_run.is_error and 'No run matching "ZZZZZZZZ"' in bad_run.content[0].text
    assert outside.read_text() == "x = 1\n"
    assert 'GATE = "open"' in (project / "wf.py").read_text()
    backup = project / "runs" / run_id / "repair" / "1" / "files" / "wf.py"
    assert payload(edit)["backup"] == str(backup) and backup.read_text() == WORKFLOW
    log = EventLog.load(run_id, project / "runs")
    (repair,) = [e for e in log.events if e.op == "REPAIR"]
    assert repair.request["via"] == "mcp" and repair.request["tool"] == "edit_file"
    show = subprocess.run(
        [str(GODEL), "show", run_id], cwd=project, env=env(), capture_output=True, text=True
    )
    assert "mcp edit_file" in show.stdout
    resumed = subprocess.run(
        [str(GODEL), "resume", run_id], cwd=project, env=env(), capture_output=True, text=True
    )
    assert resumed.returncode == 0, resumed.stderr


@pytest.mark.postgres
def test_the_sdk_client_mends_a_run_kept_in_postgres(store_url: str, tmp_path: Path) -> None:
    """``godel mcp --store URL``: the run, its REPAIR event and the resume are in the store; the
    backup and the resume's output are files of this machine (its runs dir), and nothing else."""
    from godel.store import events_of, open_store

    project, run_id = fail_a_run(tmp_path, "--store", store_url)
    edit = {"run_id": run_id, "path": "wf.py", "old": 'GATE = "closed"', "new": 'GATE = "open"'}
    calls = [
        ("list_runs", {}),
        ("show_run", {"run_id": run_id[-8:]}),
        ("tail_events", {"run_id": run_id}),
        ("repair_context", {"run_id": run_id}),
        ("edit_file", edit),
        ("pause_run", {"run_id": run_id}),
        ("resume_run", {"run_id": run_id}),
    ]
    _, runs, shown, tail, ctx, edited, paused, resumed = anyio.run(
        session_calls, project, calls, "--store", store_url
    )
    assert [(r["run_id"], r["status"]) for r in payload(runs)] == [(run_id, "FAILED")]
    assert [e["op"] for e in payload(shown)["events"]] == ["WORKFLOW_STARTED", "step.enter"]
    tail = payload(tail)
    assert tail["status"] == "FAILED" and tail["next"] == 4 and len(tail["events"]) == 4
    ctx = payload(ctx)
    assert ctx["failure"]["error"] == "gate closed" and ctx["store"] == store_url
    backup = project / "runs" / run_id / "repair" / "1" / "files" / "wf.py"
    assert payload(edited)["backup"] == str(backup) and backup.read_text() == WORKFLOW
    assert payload(paused) == {"run_id": run_id, "stored_in": store_url}
    output = Path(payload(resumed)["output"])
    assert output == project / "runs" / run_id / "mcp-resume.out"
    store = open_store(store_url)

    def stored() -> dict[str, Any]:
        return {ev.event_id: ev for batch in events_of(store, run_id) for ev in batch}

    deadline = time.monotonic() + 60
    while next(iter(stored().values())).status.value != "FINISHED":
        assert time.monotonic() < deadline, output.read_text() if output.exists() else ""
        time.sleep(0.1)
    (repair,) = [e for e in stored().values() if e.op == "REPAIR"]
    assert repair.request["via"] == "mcp" and repair.request["tool"] == "edit_file"
    assert not list((project / "runs").glob("*.jsonl"))  # every log is in the store


@pytest.mark.agents
@pytest.mark.slow
def test_claude_calls_a_godel_tool(failed_run, fake_model, require_cli, tmp_path: Path):
    require_cli("claude")
    project, run_id = failed_run
    config = tmp_path / "mcp.json"
    config.write_text(
        json.dumps({"mcpServers": {"godel": {"command": str(GODEL), "args": ["mcp"]}}})
    )
    fake_model.set_script(
        [
            # claude connects MCP servers in the background: its model waits for them first
            # (each wait is bounded; importing the mcp SDK can take seconds on a loaded machine,
            # and once the server is up a further wait returns at once).
            *[Turn.tool("WaitForMcpServers", {})] * 6,
            Turn.tool("mcp__godel__show_run", {"run_id": run_id}),
            Turn.text("The run failed: gate closed."),
        ]
    )
    out = subprocess.run(
        [
            "claude",
            "-p",
            "Why did the last godel run fail?",
            "--output-format",
            "json",
            "--mcp-config",
            str(config),
            "--strict-mcp-config",
            "--allowedTools",
            "mcp__godel__show_run",
        ],
        cwd=project,
        env={**env(), **fake_model.anthropic_env(tmp_path / "home")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr + out.stdout
    assert json.loads(out.stdout)["result"] == "The run failed: gate closed."
    offered = set(fake_model.main_requests[-1].tools)
    assert "mcp__godel__show_run" in offered and "mcp__godel__edit_file" in offered
    answer = fake_model.last_user_message()
    assert "gate closed" in answer and run_id in answer
