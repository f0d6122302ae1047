"""Resume after editing a command whose recorded failure the run handled (caught): the
`--on-mismatch` policy decides, as for a recorded result (docs/durability.md, "When the code
changed"). It used to run the edited command live under every policy, the default abort too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

WORKFLOW = """
from godel import CommandFailure, run, step, workflow


@step
async def caught():
    try:
        await run(["sh", "-c", "echo first >> side.txt; false"])
    except CommandFailure:
        pass


@step
async def gate():
    await run(["test", "-f", "ok"])


@workflow
async def wf():
    await caught()
    await gate()
"""


def ops(log: Path) -> list[dict]:
    folded: dict[str, dict] = {}
    for line in log.read_text().splitlines()[1:]:
        event = json.loads(line)
        folded[event["event_id"]] = event
    return list(folded.values())


@pytest.mark.parametrize(
    ("policy", "code", "side", "says"),
    [
        ("abort", 2, "first\n", "ResumeError: run at caught"),
        ("continue", 0, "first\n", "replaying the recorded result (--on-mismatch continue)"),
        ("invalidate", 0, "first\nedited\n", "resumed run completed"),
    ],
)
def test_an_edited_handled_failure_follows_the_mismatch_policy(
    godel_run, tmp_path, policy, code, side, says
):
    (tmp_path / "wf.py").write_text(WORKFLOW)
    first = godel_run("run", "wf.py", "--no-lint")
    assert first.returncode == 1, first.stderr  # the gate: no ./ok yet
    (tmp_path / "wf.py").write_text(WORKFLOW.replace("echo first", "echo edited"))
    (tmp_path / "ok").touch()
    (log,) = (tmp_path / "runs").glob("*.jsonl")

    plan = godel_run("resume", log.stem, "--plan", "--no-lint", "--on-mismatch", policy)
    if policy == "continue":  # replayed, as the resume does: the plan goes on to the gate
        assert "keeps     run at caught [" in plan.stdout
    else:
        assert "diverges  at run at caught [" in plan.stdout
        assert "the request changed since it was recorded" in plan.stdout

    resumed = godel_run("resume", log.stem, "--no-lint", "--on-mismatch", policy)
    assert resumed.returncode == code, resumed.stderr
    assert says in resumed.stderr
    assert (tmp_path / "side.txt").read_text() == side  # paid again only when invalidated
    if policy == "invalidate":
        assert any(e["op"] == "INVALIDATE" for e in ops(log))
