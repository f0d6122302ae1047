"""Named workflows end to end: ``godel run NAME``, ``godel resume RUN NAME`` and
``godel workflows list|which`` in a temporary project and ``$GODEL_HOME`` (REFERENCE §13.1
step 1, §13.12, §15.4)."""

from __future__ import annotations

import json
import os
from pathlib import Path

GREET = """
from godel import print, workflow


@workflow
async def greet(name="world"):
    await print(f"{WHO} greets {name}")
    return name
"""

FAILS_ONCE = """
import os

from godel import WorkflowFail, print, step, workflow


@step
async def gate():
    if os.environ.get("GATE") == "closed":
        raise WorkflowFail("gate closed")
    return "open"


@workflow
async def gated():
    await print("gate is " + await gate())
"""


def greeter(who: str) -> str:
    return f"WHO = {who!r}\n" + GREET


def test_run_a_project_workflow_by_name(project):
    wf = project.write(".godel/workflows/greet.py", greeter("project"))
    proc = project.godel("run", "greet", "--", "bob")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "project greets bob\n"
    lines = proc.stderr.splitlines()
    assert lines[0] == f"[godel] resolved workflow 'greet' -> {wf}"
    assert lines[1].startswith("[godel] run ")
    # The log records the resolved file, so `godel resume` finds it without a name.
    log = Path(lines[2].removeprefix("[godel] audit log: "))
    assert log.is_relative_to(project.godel_home / "projects" / "proj" / "runs")
    header = json.loads(log.read_text().splitlines()[0])["godel_log"]
    assert header["source_file"] == str(wf)


def test_a_name_resolves_from_a_subdirectory_of_the_project(project):
    wf = project.write(".godel/workflows/greet.py", greeter("project"))
    sub = project.root / "src" / "deep"
    sub.mkdir(parents=True)
    proc = project.godel("run", "greet", cwd=sub)
    assert proc.returncode == 0, proc.stderr
    assert f"[godel] resolved workflow 'greet' -> {wf}" in proc.stderr


def test_user_workflows_are_found_and_project_ones_shadow_them(project):
    user = project.write("workflows/greet.py", greeter("user"), under=project.godel_home)
    project.write("workflows/only_user.py", greeter("user-only"), under=project.godel_home)
    # Outside any project: the user's workflow.
    proc = project.godel("run", "greet", cwd=project.home)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "user greets world\n"
    assert f"[godel] resolved workflow 'greet' -> {user}" in proc.stderr
    # In a project that has one of that name: the project's.
    mine = project.write(".godel/workflows/greet.py", greeter("project"))
    proc = project.godel("run", "greet", "--", "ann")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "project greets ann\n"
    assert f"[godel] resolved workflow 'greet' -> {mine}" in proc.stderr
    listed = project.godel("workflows", "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == (
        f"  greet      -> {mine}\n  only_user  -> {user.parent / 'only_user.py'}\n"
    )


def test_an_existing_file_wins_over_a_name(project):
    project.write(".godel/workflows/greet.py", greeter("named"))
    project.write("greet.py", greeter("file"))
    proc = project.godel("run", "greet.py")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "file greets world\n"
    assert "resolved workflow" not in proc.stderr


def test_an_unknown_name_lists_what_is_available_and_exits_2(project):
    project.write(".godel/workflows/greet.py", greeter("p"))
    project.write(".godel/workflows/review.py", greeter("p"))
    project.write(".godel/workflows/_helpers.py", "X = 1\n")  # not a workflow: starts with _
    proc = project.godel("run", "nope")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == "[godel] workflow not found: 'nope'\n  available: greet, review\n"
    assert not (project.godel_home / "projects").exists(), "no run was started"


def test_no_workflows_at_all(project):
    proc = project.godel("run", "nope.py")
    assert proc.returncode == 2
    assert (
        proc.stderr
        == "[godel] workflow not found: 'nope.py'\n  available: (no workflows registered)\n"
    )


def test_resume_takes_a_named_workflow(project):
    wf = project.write(".godel/workflows/gated.py", FAILS_ONCE)
    first = project.godel("run", "gated", env={"GATE": "closed"})
    assert first.returncode == 1, first.stderr
    run_id = next(
        line.split()[-1] for line in first.stderr.splitlines() if line.startswith("[godel] run ")
    )
    bad = project.godel("resume", run_id, "nope")
    assert bad.returncode == 2
    assert bad.stderr == "[godel] workflow not found: 'nope'\n  available: gated\n"
    proc = project.godel("resume", run_id, "gated")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines()[0] == f"[godel] resolved workflow 'gated' -> {wf}"
    assert proc.stdout == "gate is open\n"


def test_workflows_which(project):
    wf = project.write(".godel/workflows/greet.py", greeter("p"))
    proc = project.godel("workflows", "which", "greet")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"{wf}\n", "")
    # A path to an existing file is printed as itself (absolute).
    other = project.write("flows/other.py", greeter("p"))
    proc = project.godel("workflows", "which", "flows/other.py")
    assert (proc.returncode, proc.stdout) == (0, f"{other}\n")
    missing = project.godel("workflows", "which", "nope")
    assert missing.returncode == 1
    assert missing.stdout == ""
    assert missing.stderr == "[godel] workflow not found: 'nope'\n  available: greet\n"


def test_workflows_list_when_there_are_none(project):
    proc = project.godel("workflows", "list")
    assert proc.returncode == 0
    assert proc.stdout == "(no workflows found)\n"
    assert f"looked in: {project.godel_home / 'workflows'}" in proc.stderr


def test_workflows_list_json_and_a_custom_workflows_dir(project):
    project.write(".godel/settings.json", json.dumps({"workflows_dir": "flows"}))
    wf = project.write("flows/build.py", greeter("p"))
    proc = project.godel("workflows", "list", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {
        "dirs": [str(project.root / "flows"), str(project.godel_home / "workflows")],
        "workflows": {"build": str(wf)},
    }


def test_a_broken_settings_file_is_one_line(project):
    project.write(".godel/settings.json", "{not json")
    for args, code in (
        (("workflows", "list"), 2),
        (("workflows", "which", "x"), 2),
        (("run", "x"), 2),
    ):
        proc = project.godel(*args)
        assert proc.returncode == code, proc.stderr
        assert "Traceback" not in proc.stderr
        assert proc.stderr.startswith("[godel] configuration error: ")
        assert "settings.json: malformed JSON" in proc.stderr


def test_a_directory_of_the_same_name_does_not_hide_a_named_workflow(project):
    wf = project.write(".godel/workflows/greet.py", greeter("project"))
    (project.root / "greet").mkdir()  # e.g. the code the workflow works on
    assert project.godel("workflows", "which", "greet").stdout == f"{wf}\n"
    proc = project.godel("run", "greet", "--", "bob")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "project greets bob\n"
    (project.root / "other").mkdir()  # a directory, and no workflow of that name
    proc = project.godel("run", "other")
    assert proc.returncode == 2
    assert proc.stderr == "[godel] 'other' is a directory, not a workflow file\n"


def test_a_named_pipe_is_refused_as_not_a_workflow_file(project):
    """It used to be looked up as a workflow name: `workflow not found: 'pipe.py'`."""
    os.mkfifo(project.root / "pipe.py")
    proc = project.godel("run", "pipe.py")
    assert proc.returncode == 2
    assert proc.stderr == "[godel] 'pipe.py' is a named pipe, not a workflow file\n"
