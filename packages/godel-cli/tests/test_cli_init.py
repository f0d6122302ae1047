"""``godel init`` end to end, in a temporary project, ``$HOME`` and ``$GODEL_HOME``
(REFERENCE §13.10, with the defaults of every configuration key written out)."""

from __future__ import annotations

import json
import os
import sys

import pytest

from godel.config import KEYS, GodelConfig


def test_init_creates_the_project_and_says_where_runs_go(project):
    proc = project.godel("init")
    assert proc.returncode == 0, proc.stderr
    runs = project.godel_home / "projects" / "proj" / "runs"
    assert proc.stdout == (
        "created .godel/\n"
        "created .godel/workflows/\n"
        "created .godel/settings.json\n"
        f"runs dir: {runs}\n"
        '  (set "runs_dir" in .godel/settings.json, e.g. "runs", to keep runs in the project)\n'
    )
    assert proc.stderr == ""
    assert (project.root / ".godel" / "workflows").is_dir()
    settings = (project.root / ".godel" / "settings.json").read_text()
    assert json.loads(settings) == GodelConfig().model_dump()
    assert list(json.loads(settings)) == list(KEYS), "every key, in the documented order"
    assert settings.startswith('{\n  "runs_dir": null,\n  "workflows_dir": ".godel/workflows",')
    # What it says is what the configuration now gives.
    shown = project.godel("config", "path")
    assert f"runs_dir:     {runs}\n" in shown.stdout


def test_init_never_overwrites(project):
    project.write(".godel/settings.json", '{"runs_dir": "runs"}\n')
    project.write(".godel/workflows/hello.py", "# mine\n")
    proc = project.godel("init", "--example")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (
        "exists, skipped .godel/\n"
        "exists, skipped .godel/workflows/\n"
        "exists, skipped .godel/settings.json\n"
        "exists, skipped .godel/workflows/hello.py\n"
        f"runs dir: {project.root / 'runs'}\n"
        "next: godel run hello\n"
    )
    assert (project.root / ".godel" / "settings.json").read_text() == '{"runs_dir": "runs"}\n'
    assert (project.root / ".godel" / "workflows" / "hello.py").read_text() == "# mine\n"
    again = project.godel("init")
    assert again.returncode == 0
    assert again.stdout.count("exists, skipped") == 3


def test_init_example_runs_offline_by_name(project):
    proc = project.godel("init", "--example")
    assert proc.returncode == 0, proc.stderr
    assert "created .godel/workflows/hello.py\n" in proc.stdout
    assert proc.stdout.endswith("next: godel run hello\n")
    hello = project.root / ".godel" / "workflows" / "hello.py"
    lint = project.godel("lint", str(hello))
    assert (lint.returncode, lint.stdout, lint.stderr) == (0, "", "")
    # No agent CLI on PATH: it must not need one.
    run = project.godel(
        "run",
        "hello",
        "--",
        "name=ann",
        env={"PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin"},
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == f"hello, ann, from {project.root}"
    assert [line.split(" rolled ")[0] for line in lines[1:]] == ["alice", "bob"]
    assert run.stderr.startswith(f"[godel] resolved workflow 'hello' -> {hello}\n")
    listed = project.godel("workflows", "list")
    assert listed.stdout == f"  hello  -> {hello}\n"


@pytest.mark.parametrize("where", ["settings", "env"])
def test_init_example_next_line_works_when_workflows_dir_is_elsewhere(project, where):
    env = {}
    if where == "settings":
        project.write(".godel/settings.json", json.dumps({"workflows_dir": "flows"}))
    else:
        env = {"GODEL_WORKFLOWS_DIR": "flows"}
    proc = project.godel("init", "--example", env=env)
    assert proc.returncode == 0, proc.stderr
    # `godel run hello` would not find it: the line names the file instead, which runs.
    assert proc.stdout.endswith("next: godel run .godel/workflows/hello.py\n")
    run = project.godel("run", ".godel/workflows/hello.py", env=env)
    assert run.returncode == 0, run.stderr


def test_init_in_a_directory_that_has_a_file_named_godel(project):
    project.write(".godel", "not a directory")
    proc = project.godel("init")
    assert proc.returncode == 1
    assert proc.stderr == (
        "[godel] cannot create .godel/: a file named .godel is in the way (move it, then run "
        "godel init again)\n"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_init_in_a_read_only_directory(project):
    project.root.chmod(0o500)
    try:
        proc = project.godel("init")
    finally:
        project.root.chmod(0o700)
    assert proc.returncode == 1
    assert proc.stderr == "[godel] cannot create .godel/: Permission denied\n"


@pytest.mark.parametrize("args", [["init"], ["config", "path"], ["workflows", "list"], ["guide"]])
def test_a_working_directory_that_was_removed_is_one_line(project, godel_bin, args):
    import subprocess

    gone = project.root / "gone"
    gone.mkdir()
    # The shell's directory is removed under it, as a checkout or an `rm -rf` does.
    proc = subprocess.run(
        ["sh", "-c", 'cd "$0" && rmdir "$0" && exec "$@"', str(gone), str(godel_bin), *args],
        capture_output=True,
        text=True,
        env=project.env(),
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == "[godel] the working directory no longer exists; cd to one that does\n"
