"""`godel test`, `godel resume --plan` and `godel runs export` on workflows of commands: fast,
no agent CLI (tests/test_plan_e2e.py does the same with claude and copilot)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

WORKFLOW = """
from godel import WorkflowFail, run, step, workflow

GATE = "open"


@step
async def build():
    return (await run(["echo", "built"])).stdout.strip()


@step
async def check(what):
    if GATE == "closed":
        raise WorkflowFail("gate closed")
    return (await run(["echo", "checked", what])).stdout.strip()


@workflow
async def main():
    return [await build(), await check("all")]
"""


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def recorded(tmp_path: Path, godel_run: Callable[..., Any], gate: str = "open") -> str:
    (tmp_path / "wf.py").write_text(WORKFLOW.replace('GATE = "open"', f'GATE = "{gate}"'))
    out = godel_run("run", "wf.py", "--runs-dir", "runs")
    assert out.returncode == (0 if gate == "open" else 1), out.stderr
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    return log.stem


def test_godel_test_matches_and_diverges(tmp_path: Path, godel_run: Callable[..., Any]) -> None:
    run_id = recorded(tmp_path, godel_run)
    before = digest(tmp_path / "runs")
    same = godel_run("test", run_id[:8], "--runs-dir", "runs")
    assert same.returncode == 0, same.stderr
    assert same.stdout == "matches   (2 commands answered from the recording)\n"
    assert (tmp_path / "checked").exists() is False  # nothing ran

    (tmp_path / "wf.py").write_text(WORKFLOW.replace('"checked", what', '"verified", what'))
    changed = godel_run("test", run_id, "wf.py", "--runs-dir", "runs")
    assert changed.returncode == 1
    lines = changed.stdout.splitlines()
    assert lines[0] == "diverges  run at check: the request differs from the recorded one"
    assert '  -    "checked",' in lines and '  +    "verified",' in lines
    assert lines[-1] == "answered  1 command from the recording before it"

    (tmp_path / "wf.py").write_text(
        WORKFLOW.replace('return [await build(), await check("all")]', "return [await build()]")
    )
    fewer = godel_run("test", run_id, "wf.py", "--runs-dir", "runs", "--json")
    assert fewer.returncode == 1
    divergence = json.loads(fewer.stdout)["divergence"]
    assert divergence["kind"] == "missing" and divergence["step_path"] == ["check"]
    assert divergence["message"] == "recorded but not asked for any more (1 recorded effect(s))"

    assert digest(tmp_path / "runs") == before


def test_godel_test_on_an_exported_run(tmp_path: Path, godel_run: Callable[..., Any]) -> None:
    run_id = recorded(tmp_path, godel_run)
    out = godel_run("runs", "export", run_id, "kept", "--runs-dir", "runs")
    assert out.returncode == 0, out.stderr and out.stdout == f"kept/{run_id}.jsonl\n"
    assert godel_run("runs", "export", run_id, "kept", "--runs-dir", "runs").returncode == 1
    forced = godel_run("runs", "export", run_id, "kept", "--force", "--runs-dir", "runs")
    assert forced.returncode == 0, forced.stderr
    (tmp_path / "runs" / f"{run_id}.jsonl").unlink()  # the copy stands alone
    result = godel_run("test", f"kept/{run_id}.jsonl", "wf.py")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("matches")


def test_resume_plan_on_a_failed_run(tmp_path: Path, godel_run: Callable[..., Any]) -> None:
    run_id = recorded(tmp_path, godel_run, gate="closed")
    before = digest(tmp_path / "runs")
    (tmp_path / "wf.py").write_text(WORKFLOW)  # the gate opens: check runs live on resume
    plan = godel_run("resume", run_id, "--plan", "--runs-dir", "runs")
    assert plan.returncode == 0, plan.stderr
    assert plan.stdout.splitlines() == [
        "replays   1 recorded effect(s) from the log, 0 of them agent calls: $0.0000 saved",
        "diverges  at run at check: not in the recording: it would run live",
    ]
    data = json.loads(godel_run("resume", run_id, "--plan", "--json", "--runs-dir", "runs").stdout)
    assert data["outcome"] == "diverges" and data["divergence"]["request"]["cmd"] == [
        "echo",
        "checked",
        "all",
    ]
    assert digest(tmp_path / "runs") == before
    bad = godel_run("resume", run_id, "--json", "--runs-dir", "runs")
    assert bad.returncode == 2 and "--json goes with --plan" in bad.stderr


@pytest.mark.postgres
def test_godel_test_and_resume_plan_on_a_run_kept_in_postgres(
    tmp_path: Path, godel_run: Callable[..., Any], store_url: str
) -> None:
    """``--store URL`` (or ``$GODEL_STORE``): the recording is read from the store's rows."""
    (tmp_path / "wf.py").write_text(WORKFLOW.replace('GATE = "open"', 'GATE = "closed"'))
    out = godel_run("run", "wf.py", "--store", store_url)
    assert out.returncode == 1, out.stderr
    run_id = out.stderr.split("[godel] run ", 1)[1].split()[0]
    assert not (tmp_path / "runs").exists()
    same = godel_run("test", run_id[:8], "--store", store_url)
    assert same.returncode == 0, same.stderr
    assert same.stdout == "matches   (1 command answered from the recording)\n"
    (tmp_path / "wf.py").write_text(WORKFLOW)  # the gate opens: check runs live on resume
    changed = godel_run("test", run_id, env={"GODEL_STORE": store_url})
    assert changed.returncode == 1
    assert changed.stdout.splitlines()[0].startswith("diverges  ")
    plan = godel_run("resume", run_id, "--plan", "--store", store_url)
    assert plan.returncode == 0, plan.stderr
    assert plan.stdout.splitlines()[-1] == (
        "diverges  at run at check: not in the recording: it would run live"
    )
    missing = godel_run("test", "ZZZZZZZZ", "--store", store_url)
    assert missing.returncode == 1 and missing.stderr.startswith("[godel] no run 'ZZZZZZZZ'")
    assert not (tmp_path / "runs").exists()  # nothing was written
