"""The cost ledger and the budget guard, end to end: `godel run` → the real claude / copilot CLI
→ godel's fake model server (which reports the tokens of each answer), then `godel show`,
`godel runs list` and `godel cost` read the figures from the log.

claude reports each call's cost itself; copilot reports tokens only, so godel prices its calls
from godel-copilot's price table and marks them estimated (``~``). Both price sonnet at $3 in and
$15 out per million tokens: 1000 tokens in and 100 out cost $0.0045.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from godel.log import EventLog
from godel.testing.fake_model import Turn

GODEL = Path(sys.executable).parent / "godel"

pytestmark = [pytest.mark.agents, pytest.mark.slow]

USAGE = {"input_tokens": 1000, "output_tokens": 100}

WORKFLOW = """
from godel import parallel, step, workflow
from godel.agents import claude_code, copilot


def make(backend):
    return claude_code(model="sonnet") if backend == "claude" else copilot(model="sonnet")


@step
async def draft(backend):
    return await make(backend)("Draft the plan.")


@step
async def review(backend, part):
    return await make(backend)(f"Review part {part}.")


@step
async def reviews(backend):
    return await parallel(review(backend, 1), review(backend, 2))


@workflow
async def main(backend):
    plan = await draft(backend)
    notes = await reviews(backend)
    return [plan, *notes]
"""

BUDGETED = """
from godel import step, workflow
from godel.agents import claude_code, copilot


@step
async def ask(backend, n):
    agent = claude_code(model="sonnet") if backend == "claude" else copilot(model="sonnet")
    return await agent(f"Question {n}.")


@workflow
async def main(backend):
    return [await ask(backend, n) for n in (1, 2, 3)]
"""


@pytest.fixture(params=["claude", "copilot"])
def backend(request: pytest.FixtureRequest, require_cli) -> str:
    require_cli(request.param)
    return request.param


def agent_env(fake_model, backend: str, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_")}
    extra = fake_model.anthropic_env(home) if backend == "claude" else fake_model.copilot_env(home)
    return {**env, **extra, "GODEL_HOME": str(home / ".godel")}


def godel(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GODEL), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )


def only_run(cwd: Path) -> str:
    (path,) = (cwd / "runs").glob("*.jsonl")
    return path.stem


def test_show_runs_list_and_cost_carry_the_figures(fake_model, backend, tmp_path):
    (tmp_path / "wf.py").write_text(WORKFLOW)
    fake_model.set_script([Turn.text(t, usage=USAGE) for t in ("plan", "ok", "ok")])
    env = agent_env(fake_model, backend, tmp_path / "home")
    out = godel(tmp_path, env, "run", "wf.py", "--", backend)
    assert out.returncode == 0, out.stderr
    run_id = only_run(tmp_path)
    mark = "" if backend == "claude" else "~"  # copilot's figures are estimated

    shown = godel(tmp_path, env, "show", run_id)
    assert shown.returncode == 0, shown.stderr
    header = [line for line in shown.stdout.splitlines() if line.startswith("cost ")]
    expected = f"cost      {mark}$0.0135 spent on 3 agent calls (3000 in, 300 out tokens)"
    if backend == "copilot":
        expected += "; 3 estimated from a price table"
    assert header == [expected]
    table = shown.stdout.split("\n\n", 1)[1].splitlines()
    assert table[0].split()[:7] == ["ID", "OP", "STEP", "STATUS", "DURATION", "COST", "DETAIL"]
    cost_of = {}
    for line in table[1:]:
        cells = line.split()
        cost_of.setdefault((cells[1], cells[2]), []).append(cells[5])
    assert cost_of[("WORKFLOW_STARTED", "(root)")] == [f"{mark}$0.0135"]
    assert cost_of[("step.enter", "draft")] == [f"{mark}$0.0045"]
    assert cost_of[("step.enter", "reviews")] == [f"{mark}$0.0090"]  # both branches
    assert cost_of[("FORK", "reviews")] == [f"{mark}$0.0090"]
    assert cost_of[("agent.call", "reviews/review")] == [f"{mark}$0.0045"] * 2

    data = json.loads(godel(tmp_path, env, "show", run_id, "--json").stdout)
    cost = data["run"]["cost"]
    assert cost["spent_usd"] == pytest.approx(0.0135) and cost["calls"] == 3
    assert cost["estimated"] is (backend == "copilot")
    assert cost["tokens"] == {"input": 3000, "output": 300, "cache_read": 0, "cache_write": 0}
    assert [a["calls"] for a in cost["attempts"]] == [3]
    step = next(e for e in data["events"] if e["step_path"] == ["reviews"])
    assert step["cost"]["spent_usd"] == pytest.approx(0.009) and step["cost"]["calls"] == 2

    listed = godel(tmp_path, env, "runs", "list").stdout.splitlines()
    assert listed[0].split()[-1] == "COST" and listed[1].split()[-1] == f"{mark}$0.0135"
    (entry,) = json.loads(godel(tmp_path, env, "runs", "list", "--json").stdout)
    assert entry["cost"]["spent_usd"] == pytest.approx(0.0135)

    by_step = godel(tmp_path, env, "cost", "--by", "step")
    assert by_step.returncode == 0, by_step.stderr
    rows = [line.split() for line in by_step.stdout.splitlines()]
    assert rows[0] == ["STEP", "CALLS", "IN", "OUT", "SPENT", "SAVED"]
    assert rows[1:] == [
        ["reviews/review", "2", "2000", "200", f"{mark}$0.0090", "-"],
        ["draft", "1", "1000", "100", f"{mark}$0.0045", "-"],
        ["TOTAL", "3", "3000", "300", f"{mark}$0.0135", "-"],
    ]
    totals = json.loads(godel(tmp_path, env, "cost", run_id[:8], "--by", "model", "--json").stdout)
    assert [g["model"] for g in totals["groups"]] == [f"{backend}/sonnet"]
    assert totals["total"]["spent_usd"] == pytest.approx(0.0135)


def test_a_budget_stops_the_run_and_a_higher_one_finishes_it(fake_model, backend, tmp_path):
    (tmp_path / "wf.py").write_text(BUDGETED)
    fake_model.set_script([Turn.text(f"answer {n}", usage=USAGE) for n in (1, 2, 3)])
    env = agent_env(fake_model, backend, tmp_path / "home")
    out = godel(tmp_path, env, "run", "wf.py", "--max-cost", "0.005", "--", backend)
    # $0.0045 < $0.005: the second call is made; $0.0090 >= $0.005: the third is not.
    assert out.returncode == 1, out.stderr
    mark = "" if backend == "claude" else "~"
    assert (
        "BudgetExceeded: the run has spent $0.0090 of its $0.0050 budget; "
        f"the call to {backend}(sonnet) was not made"
    ) in out.stderr
    assert len(fake_model.main_requests) == 2
    run_id = only_run(tmp_path)
    log = EventLog.load(run_id, tmp_path / "runs")
    root = log.events[0]
    assert root.response["error_type"] == "BudgetExceeded"
    assert root.request.get("function") == "main" and log.header["max_cost_usd"] == 0.005

    again = godel(tmp_path, env, "resume", run_id)  # the same budget: stopped again, no call
    assert again.returncode == 1 and "BudgetExceeded" in again.stderr
    assert len(fake_model.main_requests) == 2

    plan = godel(tmp_path, env, "resume", run_id, "--plan").stdout.splitlines()
    assert plan[-1] == (
        "budget    $0.0090 spent of $0.0050: the resume would stop before its first live "
        "agent call (BudgetExceeded); --max-cost raises the budget"
    )
    plan = godel(tmp_path, env, "resume", run_id, "--plan", "--max-cost", "0.05").stdout
    assert plan.splitlines()[-1] == "budget    $0.0090 spent of $0.0500"

    done = godel(tmp_path, env, "resume", run_id, "--max-cost", "0.05")
    assert done.returncode == 0, done.stderr
    assert len(fake_model.main_requests) == 3  # only the third call: the others were replayed
    log = EventLog.load(run_id, tmp_path / "runs")
    assert log.events[0].response["result"] == ["answer 1", "answer 2", "answer 3"]
    shown = godel(tmp_path, env, "show", run_id).stdout
    (header,) = [line for line in shown.splitlines() if line.startswith("cost ")]
    assert header.startswith(f"cost      {mark}$0.0135 spent on 3 agent calls")
    # two calls, replayed by each resume; an estimate saved is an estimate too
    assert header.endswith(f"; {mark}$0.0180 saved (4 replayed)")
    rows = [line.split() for line in godel(tmp_path, env, "cost").stdout.splitlines()]
    assert rows[-1] == ["TOTAL", "3", "3000", "300", f"{mark}$0.0135", f"{mark}$0.0180"]


@pytest.mark.parametrize("source", ["decorator", "configuration", "environment"])
def test_the_budget_comes_from_the_workflow_or_the_configuration(
    fake_model, require_cli, tmp_path, source
):
    require_cli("claude")
    text = BUDGETED
    env = agent_env(fake_model, "claude", tmp_path / "home")
    if source == "decorator":
        text = text.replace("@workflow\n", "@workflow(max_cost_usd=0.005)\n")
    elif source == "configuration":
        (tmp_path / ".godel").mkdir()
        (tmp_path / ".godel" / "settings.json").write_text('{"max_cost_usd": 0.005}')
    else:
        env["GODEL_MAX_COST_USD"] = "0.005"
    (tmp_path / "wf.py").write_text(text)
    fake_model.set_script([Turn.text(f"answer {n}", usage=USAGE) for n in (1, 2, 3)])
    out = godel(tmp_path, env, "run", "wf.py", "--", "claude")
    assert out.returncode == 1, out.stderr
    assert "of its $0.0050 budget; the call to claude(sonnet) was not made" in out.stderr
    assert len(fake_model.main_requests) == 2


def test_claude_max_turns_caps_one_call_as_documented(fake_model, require_cli, tmp_path):
    require_cli("claude")
    (tmp_path / "wf.py").write_text(
        "from godel import workflow\n"
        "from godel.agents import claude_code\n\n\n"
        "@workflow\n"
        "async def main():\n"
        '    agent = claude_code(model="sonnet", tools=["Bash"], skip_permissions=True,\n'
        '                        extra_args=["--max-turns", "1"])\n'
        '    return await agent("List the files, then say done.")\n'
    )
    fake_model.set_script([Turn.tool("Bash", {"command": "ls"}), Turn.text("done")])
    out = godel(tmp_path, agent_env(fake_model, "claude", tmp_path / "home"), "run", "wf.py")
    assert out.returncode == 1, out.stderr
    assert "AgentError: claude(sonnet): the model reported an error: " in out.stderr
    assert "Reached maximum number of turns (1)" in out.stderr
    assert len(fake_model.main_requests) == 1  # the tool's result was never sent back


def test_a_failed_call_that_was_paid_for_counts_as_spent_and_against_the_budget(
    fake_model, require_cli, tmp_path
):
    """A call that fails after the model answered (here claude's turn cap) was paid for: its
    cost is on the FAILED event, in `godel cost`, and the budget stops `@retry` paying again."""
    require_cli("claude")
    (tmp_path / "wf.py").write_text(
        "from godel import retry, step, workflow\n"
        "from godel.agents import claude_code\n\n\n"
        "@retry(3)\n"
        "@step\n"
        "async def ask():\n"
        '    agent = claude_code(model="sonnet", tools=["Bash"], skip_permissions=True,\n'
        '                        extra_args=["--max-turns", "1"])\n'
        '    return await agent("List the files, then say done.")\n\n\n'
        "@workflow(max_cost_usd=0.004)\n"
        "async def main():\n"
        "    return await ask()\n"
    )
    fake_model.set_script([Turn.tool("Bash", {"command": "ls"}, usage=USAGE)] * 3)
    env = agent_env(fake_model, "claude", tmp_path / "home")
    out = godel(tmp_path, env, "run", "wf.py")
    assert out.returncode == 1, out.stderr
    assert "BudgetExceeded: the run has spent $0.0045 of its $0.0040 budget" in out.stderr
    assert len(fake_model.main_requests) == 1  # the second attempt was not made
    events = list(EventLog.load(only_run(tmp_path), tmp_path / "runs"))
    (call,) = [e for e in events if e.op == "agent.call"]
    # Its figures are the call's alone: the step and the workflow it failed are not calls.
    assert [e.op for e in events if "cost_usd" in (e.response or {})] == ["agent.call"]
    assert call.response["error_type"] == "AgentError"
    assert call.response["cost_usd"] == pytest.approx(0.0045)
    assert call.response["usage"]["input_tokens"] == 1000
    rows = [line.split() for line in godel(tmp_path, env, "cost").stdout.splitlines()]
    assert rows[-1] == ["TOTAL", "1", "1000", "100", "$0.0045", "-"]


def test_the_configuration_prices_a_copilot_call(fake_model, require_cli, tmp_path):
    require_cli("copilot")
    (tmp_path / "wf.py").write_text(BUDGETED.replace("(1, 2, 3)", "(1,)"))
    fake_model.set_script([Turn.text("answer 1", usage=USAGE)])
    env = agent_env(fake_model, "copilot", tmp_path / "home")
    user = Path(env["GODEL_HOME"]) / "settings.json"  # the user's settings: no project here
    user.parent.mkdir(parents=True, exist_ok=True)
    user.write_text(json.dumps({"prices": {"claude-sonnet-4.6": {"input": 10, "output": 100}}}))
    out = godel(tmp_path, env, "run", "wf.py", "--", "copilot")
    assert out.returncode == 0, out.stderr
    (call,) = [
        e for e in EventLog.load(only_run(tmp_path), tmp_path / "runs") if e.op == "agent.call"
    ]
    # 1000 tokens in at $10 and 100 out at $100 per million: the configuration's price wins
    assert call.response["cost_usd"] == pytest.approx(0.02)
    assert call.response["cost_estimated"] is True
    assert call.response["priced_as"] == "claude-sonnet-4.6"
    listed = godel(tmp_path, env, "runs", "list").stdout.splitlines()
    assert listed[1].split()[-1] == "~$0.0200"
