"""The cost ledger as `godel show`, `godel runs list` and `godel cost` print it, on logs written
through ``EventLog`` (fast, no agent CLI; tests/test_cost_e2e.py runs claude and copilot)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from godel.log import EventLog, EventStatus, Op

USAGE = {
    "input_tokens": 1000,
    "output_tokens": 100,
    "cache_read_input_tokens": 50,
    "cache_creation_input_tokens": 0,
}


def write_run(runs: Path, workflow: str, calls: list[tuple[str, str, dict[str, Any]]]) -> str:
    """A finished run: one step per call (step name, model, response), then a resume that
    answered the first call from the log."""
    log = EventLog.create(runs, None, header={"workflow": workflow, "source_file": "wf.py"})
    root = log.start(Op.WORKFLOW_STARTED, request={"function": workflow, "args": [], "kwargs": {}})
    ids = []
    for i, (name, model, response) in enumerate(calls):
        st = log.start(
            Op.STEP_ENTER,
            request={"name": name},
            step_path=(name,),
            parent_id=root.event_id,
            step_local_seq=i,
        )
        call = log.start(
            Op.AGENT_CALL,
            request={"backend": model.split("/")[0], "model": model.split("/")[1], "prompt": name},
            step_path=(name,),
            parent_id=st.event_id,
        )
        log.finish(call, response)
        log.finish(st, {"result": "ok"})
        ids.append(call.event_id)
    first = calls[0][2].get("cost_usd") or 0.0
    log.record(
        Op.RESUME,
        request={"attempt": 2},
        response={"replayed": {"calls": 1, "saved_usd": first, "event_ids": ids[:1]}},
        status=EventStatus.FINISHED,
        parent_id=root.event_id,
        invocation_seq=-1,
        step_local_seq=-1,
    )
    log.finish(root, {"result": "done"})
    log.close()
    return log.run_id


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    return tmp_path / "runs"


def test_show_header_column_and_json(runs: Path, godel_run: Callable[..., Any]) -> None:
    run_id = write_run(
        runs,
        "review",
        [
            ("plan", "claude/sonnet", {"text": "a", "usage": USAGE, "cost_usd": 0.01}),
            (
                "fix",
                "copilot/gpt",
                {"text": "b", "usage": USAGE, "cost_usd": 0.02, "cost_estimated": True},
            ),
            ("note", "codex/o9", {"text": "c", "usage": USAGE, "cost_usd": None}),
        ],
    )
    shown = godel_run("show", run_id, "--runs-dir", str(runs))
    assert shown.returncode == 0, shown.stderr
    header, table = shown.stdout.split("\n\n", 1)
    assert header.splitlines()[-1] == (
        "cost      ~$0.0300 spent on 3 agent calls (3000 in, 300 out, 150 cache read tokens); "
        "1 estimated from a price table; 1 without a price; $0.0100 saved (1 replayed)"
    )
    rows = {(r.split()[1], r.split()[2]): r.split()[5] for r in table.splitlines()[1:]}
    assert rows[("step.enter", "plan")] == "$0.0100"  # spent $0.01, and saved $0.01 by the resume
    assert "($0.0100 saved)" in next(r for r in table.splitlines() if " plan " in r)
    assert rows[("step.enter", "fix")] == "~$0.0200"
    assert rows[("agent.call", "note")] == "?"
    data = json.loads(godel_run("show", run_id, "--json", "--runs-dir", str(runs)).stdout)
    cost = data["run"]["cost"]
    assert cost["spent_usd"] == pytest.approx(0.03) and cost["saved_usd"] == pytest.approx(0.01)
    assert (cost["calls"], cost["priced_calls"], cost["estimated_calls"]) == (3, 2, 1)
    assert [a["calls"] for a in cost["attempts"]] == [3, 0]
    assert [a["replayed_calls"] for a in cost["attempts"]] == [0, 1]


def test_runs_list_and_cost_across_runs(runs: Path, godel_run: Callable[..., Any]) -> None:
    write_run(runs, "review", [("plan", "claude/sonnet", {"usage": USAGE, "cost_usd": 0.01})])
    write_run(
        runs,
        "deploy",
        [
            ("plan", "claude/sonnet", {"usage": USAGE, "cost_usd": 0.03}),
            ("ship", "claude/opus", {"usage": USAGE, "cost_usd": 0.5}),
        ],
    )
    listed = godel_run("runs", "list", "--runs-dir", str(runs)).stdout.splitlines()
    assert [line.split()[-1] for line in listed] == ["COST", "$0.5300", "$0.0100"]

    by_model = godel_run("cost", "--by", "model", "--runs-dir", str(runs))
    assert by_model.returncode == 0, by_model.stderr
    assert [line.split() for line in by_model.stdout.splitlines()] == [
        ["MODEL", "CALLS", "IN", "OUT", "SPENT", "SAVED"],
        ["claude/opus", "1", "1000", "100", "$0.5000", "-"],
        ["claude/sonnet", "2", "2000", "200", "$0.0400", "$0.0400"],
        ["TOTAL", "3", "3000", "300", "$0.5400", "$0.0400"],
    ]
    by_workflow = json.loads(
        godel_run("cost", "--by", "workflow", "--json", "--runs-dir", str(runs)).stdout
    )
    assert {g["workflow"]: g["spent_usd"] for g in by_workflow["groups"]} == {
        "deploy": pytest.approx(0.53),
        "review": pytest.approx(0.01),
    }
    assert len(by_workflow["runs"]) == 2
    future = godel_run("cost", "--since", "2999-01-01", "--runs-dir", str(runs))
    assert future.returncode == 0 and future.stdout == ""
    assert "[godel] no runs since 2999-01-01" in future.stderr
