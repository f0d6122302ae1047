"""End to end: `godel repair` with the real claude and copilot CLIs, scripted by the fake model.

The repaired workflow asks an agent (the fake model) for a report, then parses it with a pydantic
model whose field name has a typo, so the run fails on a validation error. The repair agent (the
same CLI, the same fake model server) reads the file, edits the typo and says resume; `--resume`
then finishes the run without asking the first agent call again (the server's request log shows
it), because that call's answer is in the audit log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from godel.log.eventlog import EventLog
from godel.testing.fake_model import Turn

GODEL = Path(sys.executable).parent / "godel"

pytestmark = [pytest.mark.agents, pytest.mark.slow]

WORKFLOW = """
import json

from pydantic import BaseModel

from godel import input, step, workflow
from godel.agents import claude_code, copilot


class Report(BaseModel):
    name: str
    totl: int


def make(backend):
    return claude_code(model="sonnet") if backend == "claude" else copilot(model="sonnet")


@step
async def ask(backend):
    return await make(backend)("Report the quarter as JSON.")


@step
async def parse(text):
    return Report.model_validate(json.loads(text)).model_dump()


@workflow
async def main(backend, mode="typo"):
    if mode == "input":
        return {"approved": await input("Ship it? ")}
    return await parse(await ask(backend))
"""

REPORT = '{"name": "q3", "total": 7}'


@pytest.fixture(params=["claude", "copilot"])
def backend(request: pytest.FixtureRequest, require_cli) -> str:
    require_cli(request.param)
    return request.param


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "wf.py").write_text(WORKFLOW)
    return root


def cli_env(fake_model, backend: str, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_")}
    extra = fake_model.anthropic_env(home) if backend == "claude" else fake_model.copilot_env(home)
    return {**env, **extra, "GODEL_HOME": str(home / ".godel")}


def godel(project: Path, env: dict[str, str], *args: str, stdin: str | None = None):
    return subprocess.run(
        [str(GODEL), *args],
        cwd=project,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
    )


def tool_call(backend: str, tool: str, args: dict, rationale: str = "") -> list[Turn]:
    """The fake model's answer that makes the repair agent call ``tool``."""
    call = {"tool": tool, "args": args, "rationale": rationale}
    if backend == "claude":  # --json-schema: the StructuredOutput tool, then a closing text
        return [Turn.tool("StructuredOutput", call), Turn.text("Done.")]
    return [Turn.text(json.dumps(call))]  # copilot: the JSON is the final message


def only_run(project: Path, workflow: str = "main") -> EventLog:
    for path in (project / "runs").glob("*.jsonl"):
        log = EventLog.load(path.stem, project / "runs")
        if log.events[0].request.get("function") == workflow:
            return log
    raise AssertionError(f"no {workflow} run")


def test_repair_fixes_a_schema_typo_and_resumes(fake_model, backend, project, tmp_path):
    env = cli_env(fake_model, backend, tmp_path / "home")
    fake_model.set_script([Turn.text(REPORT)])
    failed = godel(project, env, "run", "wf.py", "--", backend)
    assert failed.returncode == 2, failed.stderr
    assert "ValidationError" in failed.stderr
    run_id = only_run(project).run_id
    asked = len(fake_model.main_requests)

    fake_model.set_script(
        [
            *tool_call(backend, "read_file", {"path": "wf.py"}, "see the model"),
            *tool_call(
                backend,
                "edit_file",
                {"path": "wf.py", "old": "    totl: int", "new": "    total: int"},
                "the field is called total in the data",
            ),
            *tool_call(backend, "resume", {"reason": "renamed totl to total"}),
        ]
    )
    out = godel(project, env, "repair", run_id, "--backend", backend, "--resume")
    assert out.returncode == 0, out.stderr
    assert f"[godel] repairing run {run_id} (state: FAILED)" in out.stderr
    assert "[godel] iteration 2/8: asking" in out.stderr
    assert "[godel]   edit_file: the field is called total in the data" in out.stderr
    assert "[godel] intervention complete in" in out.stderr
    assert "resume (renamed totl to total)" in out.stderr
    assert "-    totl: int\n+    total: int\n" in out.stdout  # the diff at the end
    assert "    total: int" in (project / "wf.py").read_text()
    backup = project / "runs" / run_id / "repair" / "1" / "files" / "wf.py"
    assert backup.read_text() == WORKFLOW

    log = only_run(project)
    assert log.events[0].status.value == "FINISHED"
    assert log.events[0].response["result"] == {"name": "q3", "total": 7}
    # The report agent was asked once, before the failure: the resume answered it from the log.
    prompts = [r.prompt for r in fake_model.main_requests]
    # (the repair's own prompts quote the source, so they are told apart by their DATA blocks)
    asks = [p for p in prompts if "Report the quarter" in (p or "") and "<<<DATA" not in p]
    assert len(asks) == 1
    assert asked == 1 and fake_model.exhausted == 0
    (repair,) = [e for e in log.events if e.op == "REPAIR"]
    assert repair.response["outcome"] == "resume"
    repair_log = only_run(project, "repair")
    assert repair.request["repair_run_id"] == repair_log.run_id
    ops = [e.op for e in repair_log.events]
    assert ops.count("repair.edit_file") == 1 and ops.count("agent.call") == 3
    # The prompt holds the failing run's text inside DATA blocks.
    first = next(p for p in prompts if p and "godel's repair agent" in p)
    assert "<<<DATA failure>>>" in first and "totl" in first


def test_a_run_paused_at_input_is_answered(fake_model, project, tmp_path, require_cli):
    require_cli("claude")
    env = cli_env(fake_model, "claude", tmp_path / "home")
    proc = subprocess.Popen(
        [str(GODEL), "run", "wf.py", "--", "claude", "input"],
        cwd=project,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.read(len("Ship it? ")) == "Ship it? "
        run_id = only_run(project).run_id
        paused = godel(project, env, "pause", run_id)
        assert paused.returncode == 0, paused.stderr
        # stdin stays open until the run has paused: an EOF first would answer the input.
        proc.wait(timeout=60)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "paused" in err

    fake_model.set_script(
        [
            *tool_call("claude", "answer_input", {"value": "yes"}, "the release is ready"),
            *tool_call("claude", "resume", {"reason": "answered yes"}),
        ]
    )
    out = godel(project, env, "repair", run_id, "--resume")
    assert out.returncode == 0, out.stderr
    assert "[godel] waiting at input: 'Ship it? '" in out.stderr
    log = only_run(project)
    assert log.events[0].status.value == "FINISHED"
    assert log.events[0].response["result"] == {"approved": "yes"}
    prompt = fake_model.main_requests[0].prompt or ""
    assert "answer it with answer_input" in prompt and "Ship it?" in prompt


def test_give_up_refused_edits_and_the_iteration_limit(fake_model, project, tmp_path, require_cli):
    require_cli("claude")
    env = cli_env(fake_model, "claude", tmp_path / "home")
    fake_model.set_script([Turn.text(REPORT)])
    assert godel(project, env, "run", "wf.py", "--", "claude").returncode == 2
    run_id = only_run(project).run_id
    outside = tmp_path / "outside.py"
    outside.write_text("x = 1\n")
    log_file = f"runs/{run_id}.jsonl"

    fake_model.set_script(
        [
            *tool_call("claude", "edit_file", {"path": str(outside), "old": "x", "new": "y"}),
            *tool_call("claude", "edit_file", {"path": log_file, "old": "FAILED", "new": "OK"}),
            *tool_call("claude", "give_up", {"reason": "the data is wrong, not the code"}),
        ]
    )
    out = godel(project, env, "repair", run_id)
    assert out.returncode == 1, out.stderr
    assert "is outside the project" in out.stderr
    assert "is under the runs directory" in out.stderr
    assert "[godel] intervention gave up after" in out.stderr
    assert "the data is wrong, not the code" in out.stderr
    assert outside.read_text() == "x = 1\n"
    # Each refusal went back to the agent in its next prompt.
    assert "outside the project" in (fake_model.main_requests[2].prompt or "")
    assert "under the runs directory" in (fake_model.main_requests[4].prompt or "")
    log = only_run(project)
    (unrecoverable,) = [e for e in log.events if e.op == "UNRECOVERABLE"]
    assert unrecoverable.request["reason"] == "the data is wrong, not the code"
    (repair,) = [e for e in log.events if e.op == "REPAIR"]
    assert repair.response["outcome"] == "give_up"
    assert repair.response["reason"] == "the data is wrong, not the code"
    repair_log = only_run(project, "repair")
    assert repair_log.events[0].response["result"]["reason"] == "the data is wrong, not the code"

    # The limit: two reads and no decision.
    fake_model.set_script([*tool_call("claude", "read_file", {"path": "wf.py"})] * 2)
    out = godel(project, env, "repair", run_id, "--max-iterations", "2")
    assert out.returncode == 1, out.stderr
    assert "max_iterations (2) exceeded without resolution" in out.stderr
    assert "[godel] iteration 3/" not in out.stderr
