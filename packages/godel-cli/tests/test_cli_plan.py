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


def test_resume_plan_after_a_rewind_says_the_effect_was_rewound(
    tmp_path: Path, godel_run: Callable[..., Any]
) -> None:
    """A rewound effect is in the recording: the plan used to call it "not in the recording"."""
    run_id = recorded(tmp_path, godel_run)
    log = (tmp_path / "runs" / f"{run_id}.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in log[1:]]
    check = next(ev for ev in events if ev["op"] == "run" and ev["step_path"] == ["check"])
    rewind = godel_run(
        "rewind", run_id, "--to", check["event_id"], "--assume-idempotent", "--runs-dir", "runs"
    )
    assert rewind.returncode == 0, rewind.stderr
    plan = godel_run("resume", run_id, "--plan", "--runs-dir", "runs")
    assert plan.stdout.splitlines()[1] == (
        f"diverges  at run at check [{check['event_id'][-8:]}]: invalidated by a rewind: "
        "it would run again"
    )
    data = json.loads(godel_run("resume", run_id, "--plan", "--json", "--runs-dir", "runs").stdout)
    assert data["divergence"]["kind"] == "rewound"
    assert data["divergence"]["event_id"] == check["event_id"]
    assert data["divergence"]["diff"] == []


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


def test_resume_plan_json_on_a_finished_run_is_plan_resumes_dict(
    tmp_path: Path, godel_run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/testing.md: `--plan --json` prints what `godel.plan_resume` returns, also when the
    run already finished (and so without loading the workflow file)."""
    import godel

    run_id = recorded(tmp_path, godel_run)
    out = godel_run("resume", run_id[:8], "--plan", "--json", "--runs-dir", "runs")
    assert out.returncode == 0, out.stderr
    monkeypatch.chdir(tmp_path)
    assert json.loads(out.stdout) == godel.plan_resume(run_id, runs_dir="runs")


EDITED = """
from godel import run, step, workflow


@step
async def build(what):
    return (await run(["echo", "built", what])).stdout.strip()


@step
async def gate():
    await run(["test", "-f", "open"])


@workflow
async def main():
    built = await build("all")
    await gate()
    return built
"""


def test_resume_plan_follows_on_mismatch_continue_past_a_changed_request(
    tmp_path: Path, godel_run: Callable[..., Any]
) -> None:
    """``continue`` replays the changed request, so the plan goes on to what runs live (the
    gate): it used to stop there and list everything after as running again."""
    (tmp_path / "wf.py").write_text(EDITED)
    assert godel_run("run", "wf.py", "--runs-dir", "runs").returncode == 1
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    (tmp_path / "wf.py").write_text(EDITED.replace('build("all")', 'build("some")'))
    args = ("resume", log.stem, "--plan", "--runs-dir", "runs", "--on-mismatch", "continue")
    lines = godel_run(*args).stdout.splitlines()
    assert lines[0].startswith("replays   1 recorded effect(s) from the log")
    assert lines[1].startswith("keeps     step.enter at build [")
    assert lines[1].endswith(
        "the request changed; --on-mismatch continue replays the recorded result"
    )
    assert '  -    "all"' in lines and '  +    "some"' in lines
    assert any(line.startswith("keeps     run at build [") for line in lines)
    (diverges,) = [line for line in lines if line.startswith("diverges")]
    assert diverges.endswith("it failed when recorded: it would run again")
    assert "diverges  at run at gate [" in diverges
    assert lines[-2].startswith("after     1 recorded effect(s) from there on ($0.0000 recorded)")
    plan = json.loads(godel_run(*args, "--json").stdout)
    assert [k["op"] for k in plan["kept"]] == ["step.enter", "run"]
    assert [r["step_path"] for r in plan["rerun"]] == [["gate"]]

    aborting = json.loads(godel_run(*args[:-2], "--json").stdout)  # the default: abort
    assert aborting["kept"] == [] and aborting["divergence"]["kind"] == "changed"


def test_resume_plan_stops_at_an_edited_step_with_on_source_edit_abort(
    tmp_path: Path, godel_run: Callable[..., Any]
) -> None:
    (tmp_path / "wf.py").write_text(EDITED)
    assert godel_run("run", "wf.py", "--runs-dir", "runs").returncode == 1
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    (tmp_path / "wf.py").write_text(
        EDITED.replace("    return (await", "    # why\n    return (await")
    )
    args = ("resume", log.stem, "--runs-dir", "runs", "--on-source-edit", "abort")
    lines = godel_run(*args, "--plan").stdout.splitlines()
    assert lines[1].startswith("diverges  at step.enter at build [")
    assert lines[1].endswith("its source changed since it ran: the resume stops here")
    resumed = godel_run(*args)
    assert resumed.returncode == 2 and "SourceEditedError" in resumed.stderr


def test_resume_plan_with_assume_idempotent_says_the_command_in_flight_runs_again(
    tmp_path: Path, godel_run: Callable[..., Any]
) -> None:
    """It used to say the resume refuses it (UnsafeResumeError) with the flag given too."""
    (tmp_path / "wf.py").write_text(EDITED)
    assert godel_run("run", "wf.py", "--runs-dir", "runs").returncode == 1
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    lines = log.read_text().splitlines(keepends=True)
    gate = next(
        i
        for i, line in enumerate(lines)
        if '"op": "run"' in line.replace('":"', '": "') and '"test"' in line
    )
    log.write_text("".join(lines[: gate + 1]))  # the process died while `test` ran
    args = ("resume", log.stem, "--plan", "--runs-dir", "runs")
    refused = godel_run(*args).stdout
    assert "it was in flight when the run stopped: its outcome is unknown" in refused
    assert "the resume refuses to run it again (UnsafeResumeError)" in refused
    allowed = godel_run(*args, "--assume-idempotent").stdout
    assert "declared safe to repeat, it would run again" in allowed
    assert "UnsafeResumeError" not in allowed
    plan = json.loads(godel_run(*args, "--assume-idempotent", "--json").stdout)
    assert plan["divergence"]["kind"] == "repeats"


BRANCHES = """
from godel import parallel, run, step, workflow


@step
async def build(i):
    await run(["echo", "build", str(i)])


async def lint():
    await run(["echo", "lint"])


@step
async def gate():
    await run(["test", "-f", "open"])


@workflow
async def main():
    await parallel(lint(), build(1), build(2))
    await gate()
"""


def test_resume_plan_follows_the_other_parallel_branches_past_a_live_effect(
    tmp_path: Path, godel_run: Callable[..., Any]
) -> None:
    """A branch that goes live does not stop its siblings' replay: the plan used to list
    their recorded commands as running again."""
    (tmp_path / "wf.py").write_text(BRANCHES)
    assert godel_run("run", "wf.py", "--runs-dir", "runs").returncode == 1
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    extra = '    await run(["echo", "lint"])\n    await run(["echo", "more"])\n'
    (tmp_path / "wf.py").write_text(BRANCHES.replace('    await run(["echo", "lint"])\n', extra))
    args = ("resume", log.stem, "--plan", "--json", "--runs-dir", "runs")
    plan = json.loads(godel_run(*args).stdout)
    assert plan["divergence"]["step_path"] == ["[0]"] and plan["divergence"]["kind"] == "new"
    assert plan["replayed"]["effects"] == 3  # lint, build 1, build 2
    assert [r["step_path"] for r in plan["rerun"]] == [["gate"]]


def test_resume_plan_names_recorded_effects_the_edited_workflow_no_longer_reaches(
    tmp_path: Path, godel_run: Callable[..., Any]
) -> None:
    """Nothing goes live, so nothing of them runs again (it used to say they would)."""
    (tmp_path / "wf.py").write_text(EDITED)
    assert godel_run("run", "wf.py", "--runs-dir", "runs").returncode == 1
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    (tmp_path / "wf.py").write_text(EDITED.replace("    await gate()\n", ""))
    lines = godel_run("resume", log.stem, "--plan", "--runs-dir", "runs").stdout.splitlines()
    assert lines[1:3] == [
        "then      the workflow finishes: nothing would run live",
        "unasked   1 recorded effect(s) the workflow no longer reaches ($0.0000 recorded):",
    ]
    assert lines[3].split()[1:] == ["run", "gate", "FAILED"]
