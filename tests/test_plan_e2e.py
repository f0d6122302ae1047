"""`godel resume --plan`, `godel test` and `godel runs export`, end to end: a run recorded with
the real claude / copilot CLI against godel's fake model, then checked against edits of its
workflow. Only the recording calls the agent: the plan and the replay tests never do.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from godel.testing.fake_model import Turn

GODEL = Path(sys.executable).parent / "godel"

pytestmark = [pytest.mark.agents, pytest.mark.slow]

USAGE = {"input_tokens": 1000, "output_tokens": 100}

WORKFLOW = """
from godel import step, workflow
from godel.agents import claude_code, copilot


def make(backend):
    return claude_code(model="sonnet") if backend == "claude" else copilot(model="sonnet")


@step
async def draft(backend):
    return await make(backend)("Draft the plan.")


@step
async def review(backend, plan):
    return await make(backend)(f"Review: {plan}")


@workflow
async def main(backend):
    plan = await draft(backend)
    return [plan, await review(backend, plan)]
"""

CHANGED_PROMPT = WORKFLOW.replace('"Draft the plan."', '"Draft the plan in detail."')

ADDED_STEP = WORKFLOW.replace(
    "@workflow\nasync def main(backend):\n",
    '@step\nasync def lint(backend):\n    return await make(backend)("Lint the repo.")\n\n\n'
    "@workflow\nasync def main(backend):\n    await lint(backend)\n",
)


@pytest.fixture(params=["claude", "copilot"])
def backend(request: pytest.FixtureRequest, require_cli) -> str:
    require_cli(request.param)
    return request.param


def godel(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GODEL), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def recorded(fake_model, backend, tmp_path) -> tuple[Path, dict[str, str], str]:
    """A run of WORKFLOW whose second call failed (the model errored): resumable."""
    (tmp_path / "wf.py").write_text(WORKFLOW)
    fake_model.set_script(
        [
            Turn.text("The plan.", usage=USAGE),
            Turn.error(400, "bad request", retry=False),
        ]
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_")}
    home = tmp_path / "home"
    env.update(
        fake_model.anthropic_env(home) if backend == "claude" else fake_model.copilot_env(home)
    )
    env["GODEL_HOME"] = str(home / ".godel")
    out = godel(tmp_path, env, "run", "wf.py", "--", backend)
    assert out.returncode == 1, out.stderr
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    return tmp_path, env, log.stem


def test_resume_plan_names_the_changed_prompt_and_writes_nothing(fake_model, backend, recorded):
    cwd, env, run_id = recorded
    asked = len(fake_model.main_requests)
    before = digest(cwd / "runs")

    same = godel(cwd, env, "resume", run_id, "--plan")
    assert same.returncode == 0, same.stderr
    assert "[godel] plan for resuming run" in same.stderr
    lines = same.stdout.splitlines()
    # copilot reports no cost: godel's estimate, marked ~ as everywhere else
    money = "~$0.0045" if backend == "copilot" else "$0.0045"
    assert lines[0] == (
        f"replays   1 recorded effect(s) from the log, 1 of them agent calls: {money} saved"
    )
    assert lines[1].startswith("diverges  at agent.call at review [")
    assert lines[1].endswith("it failed when recorded: it would run again")

    (cwd / "wf.py").write_text(CHANGED_PROMPT)
    changed = godel(cwd, env, "resume", run_id, "--plan")
    assert changed.returncode == 0, changed.stderr
    text = changed.stdout
    assert "replays   0 recorded effect(s)" in text
    assert "diverges  at agent.call at draft [" in text
    assert ": the request changed since it was recorded" in text
    assert '  -  "prompt": "Draft the plan.",' in text
    assert '  +  "prompt": "Draft the plan in detail.",' in text
    assert "after     2 recorded effect(s) from there on (" in text
    assert "policy    --on-mismatch abort: the resume stops there (ResumeError)" in text
    assert "policy    step 'draft' was edited since it ran" in text

    plan = json.loads(godel(cwd, env, "resume", run_id, "--plan", "--json").stdout)
    assert plan["divergence"]["kind"] == "changed"
    assert plan["divergence"]["request"]["prompt"] == "Draft the plan in detail."
    assert plan["divergence"]["recorded_request"]["prompt"] == "Draft the plan."
    assert [r["op"] for r in plan["rerun"]] == ["agent.call", "agent.call"]
    assert plan["rerun"][0]["cost_usd"] == pytest.approx(0.0045)

    assert digest(cwd / "runs") == before  # nothing written: no RESUME line, no transcript
    assert len(fake_model.main_requests) == asked  # no agent was asked anything


def test_plan_resume_from_python(recorded):
    cwd, env, run_id = recorded
    script = (
        "import json, godel\n"
        f"print(json.dumps(godel.plan_resume({run_id!r}, 'wf.py', runs_dir='runs')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    plan = json.loads(out.stdout)
    assert plan["outcome"] == "diverges" and plan["replayed"]["agent_calls"] == 1
    assert plan["replayed"]["saved_usd"] == pytest.approx(0.0045)
    assert plan["divergence"]["op"] == "agent.call"
    assert plan["divergence"]["step_path"] == ["review"]


@pytest.fixture
def finished(fake_model, backend, tmp_path) -> tuple[Path, dict[str, str], str]:
    (tmp_path / "wf.py").write_text(WORKFLOW)
    fake_model.set_script([Turn.text("The plan.", usage=USAGE), Turn.text("LGTM.", usage=USAGE)])
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_")}
    home = tmp_path / "home"
    env.update(
        fake_model.anthropic_env(home) if backend == "claude" else fake_model.copilot_env(home)
    )
    env["GODEL_HOME"] = str(home / ".godel")
    out = godel(tmp_path, env, "run", "wf.py", "--", backend)
    assert out.returncode == 0, out.stderr
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    return tmp_path, env, log.stem


def test_godel_test_passes_unchanged_and_fails_on_a_changed_prompt_or_an_added_step(
    fake_model, finished
):
    cwd, env, run_id = finished
    asked = len(fake_model.main_requests)
    exported = godel(cwd, env, "runs", "export", run_id, "tests/runs")
    assert exported.returncode == 0, exported.stderr
    copy = cwd / "tests" / "runs" / f"{run_id}.jsonl"
    assert exported.stdout == f"{Path('tests/runs') / copy.name}\n" and copy.is_file()
    assert f"[godel] exported run {run_id} to tests/runs" in exported.stderr
    again = godel(cwd, env, "runs", "export", run_id, "tests/runs")
    assert again.returncode == 1 and "already exists (--force replaces it)" in again.stderr
    before = digest(cwd / "runs"), digest(cwd / "tests")

    same = godel(cwd, env, "test", str(copy), "wf.py")
    assert same.returncode == 0, same.stderr
    assert same.stdout == "matches   (2 agent calls answered from the recording)\n"
    assert f"[godel] PASS run {run_id} with {cwd / 'wf.py'}" in same.stderr
    by_id = godel(cwd, env, "test", run_id[:10])  # from the runs dir, the recorded file
    assert by_id.returncode == 0, by_id.stderr

    (cwd / "wf.py").write_text(CHANGED_PROMPT)
    changed = godel(cwd, env, "test", str(copy), "wf.py")
    assert changed.returncode == 1
    assert changed.stdout.splitlines()[:8] == [
        "diverges  agent.call at draft: the request differs from the recorded one",
        "  --- recorded",
        "  +++ now",
        "  @@ -4,3 +4,3 @@",
        '     "model": "sonnet",',
        '  -  "prompt": "Draft the plan.",',
        '  +  "prompt": "Draft the plan in detail.",',
        '     "schema": null,',
    ]
    assert f"[godel] FAIL run {run_id}" in changed.stderr

    (cwd / "wf.py").write_text(ADDED_STEP)
    added = godel(cwd, env, "test", str(copy), "wf.py", "--json")
    assert added.returncode == 1
    result = json.loads(added.stdout)
    assert result["matches"] is False
    assert result["divergence"]["kind"] == "unrecorded"
    assert result["divergence"]["step_path"] == ["lint"]
    assert '+  "prompt": "Lint the repo.",' in result["divergence"]["diff"]

    assert len(fake_model.main_requests) == asked  # nothing ran live
    assert (digest(cwd / "runs"), digest(cwd / "tests")) == before  # nothing written


def test_replay_run_in_pytest(finished):
    cwd, env, run_id = finished
    (cwd / "test_wf.py").write_text(
        "import pytest\n"
        "from godel.testing import ReplayMismatch, replay_run\n\n\n"
        "def test_unchanged():\n"
        f"    assert replay_run('runs/{run_id}.jsonl', 'wf.py').matches\n\n\n"
        "def test_changed():\n"
        "    with pytest.raises(ReplayMismatch, match='the request differs') as err:\n"
        f"        replay_run('runs/{run_id}.jsonl', 'changed.py')\n"
        '    assert \'+  "prompt": "Draft the plan in detail.",\' in str(err.value)\n'
    )
    (cwd / "changed.py").write_text(CHANGED_PROMPT)
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_wf.py"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "2 passed" in out.stdout
