"""Shell completion through click's protocol, as the shell drives it: the real ``godel`` with
``_GODEL_COMPLETE``, ``COMP_WORDS`` and ``COMP_CWORD`` set (docs/cli.md, "Shell completion")."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from godel import EventLog

# Three ULID run ids, oldest first (their first 10 characters encode the time).
OLD, MID, NEW = (
    "01M8A00000AAAAAAAAAAAAAAAA",
    "01M8B00000BBBBBBBBBBBBBBBB",
    "01M8C00000CCCCCCCCCCCCCCCC",
)


def make_runs(directory, *ids):
    for run_id in ids:
        log = EventLog.create(directory, run_id, durability="none")
        root = log.start("WORKFLOW_STARTED", request={"function": "f", "args": [], "kwargs": {}})
        log.finish(root, {"result": None})
        log.close()


def complete(project, line, shell="bash", cwd=None, env=None):
    """What ``godel`` answers for ``line`` (the cursor at its end), as (type, value) pairs."""
    words = line.split()
    if line.endswith(" "):
        words.append("")
    proc = project.godel(
        cwd=cwd,
        env={
            "_GODEL_COMPLETE": f"{shell}_complete",
            "COMP_WORDS": " ".join(words),
            "COMP_CWORD": str(len(words) - 1),
            **(env or {}),
        },
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return proc.stdout


def pairs(output):
    return [tuple(line.split(",", 1)) for line in output.splitlines() if line]


@pytest.mark.parametrize("command", ["show", "tail", "resume", "pause", "rewind"])
def test_run_ids_complete_newest_first_from_the_configured_runs_dir(project, command):
    project.write(".godel/settings.json", json.dumps({"runs_dir": "runs"}))
    make_runs(project.root / "runs", OLD, NEW, MID)
    assert pairs(complete(project, f"godel {command} ")) == [
        ("plain", NEW),
        ("plain", MID),
        ("plain", OLD),
    ]
    assert pairs(complete(project, f"godel {command} 01m8b")) == [("plain", MID)]


def test_run_ids_from_runs_dir_and_a_suffix(project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    make_runs(elsewhere, OLD, MID)
    out = complete(project, f"godel show --runs-dir {elsewhere} ")
    assert pairs(out) == [("plain", MID), ("plain", OLD)]
    # The 8 characters `godel show` prints are a suffix.
    assert pairs(complete(project, f"godel show --runs-dir {elsewhere} BBBBBBBB")) == [
        ("plain", MID)
    ]
    # $GODEL_RUNS_DIR is the configured runs dir too; an empty one completes nothing.
    assert pairs(complete(project, "godel tail ", env={"GODEL_RUNS_DIR": str(elsewhere)})) == [
        ("plain", MID),
        ("plain", OLD),
    ]
    assert pairs(complete(project, "godel show ")) == []


def test_a_project_without_runs_dir_completes_from_the_godel_home(project):
    (project.root / ".godel").mkdir()
    make_runs(project.godel_home / "projects" / "proj" / "runs", OLD)
    assert pairs(complete(project, "godel resume ")) == [("plain", OLD)]


def test_run_file_completes_files_then_named_workflows(project):
    project.write(".godel/workflows/hello.py", "")
    project.write(".godel/workflows/help_me.py", "")
    project.write(".godel/workflows/review.py", "")
    project.write("workflows/deploy.py", "", under=project.godel_home)
    assert pairs(complete(project, "godel run ")) == [
        ("file", ""),
        ("plain", "deploy"),
        ("plain", "hello"),
        ("plain", "help_me"),
        ("plain", "review"),
    ]
    assert pairs(complete(project, "godel run hel")) == [
        ("file", "hel"),
        ("plain", "hello"),
        ("plain", "help_me"),
    ]
    # A path: the shell completes files, there is no name to offer.
    assert pairs(complete(project, "godel run src/he")) == [("file", "src/he")]
    # resume's FILE, after the run id, completes the same way.
    assert pairs(complete(project, f"godel resume {OLD} rev")) == [
        ("file", "rev"),
        ("plain", "review"),
    ]
    assert pairs(complete(project, "godel workflows which h")) == [
        ("plain", "hello"),
        ("plain", "help_me"),
    ]


def test_zsh_gets_the_path_of_each_named_workflow_as_its_description(project):
    wf = project.write(".godel/workflows/hello.py", "")
    out = complete(project, "godel run hel", shell="zsh")
    assert out.splitlines() == ["file", "hel", "_", "plain", "hello", str(wf)]


def test_commands_complete_with_their_summaries(project):
    out = complete(project, "godel r", shell="zsh")
    lines = out.splitlines()
    triples = [tuple(lines[i : i + 3]) for i in range(0, len(lines), 3)]
    assert triples == [
        ("plain", "repair", "Mend a failed or paused run with an agent (--resume to go on)."),
        ("plain", "resume", "Resume a run from its audit log."),
        ("plain", "rewind", "Go back to an event so resume re-runs from there."),
        ("plain", "run", "Run the @workflow in FILE as a new run."),
        ("plain", "runs", "List runs with their status (runs list)."),
    ]
    assert pairs(complete(project, "godel workflows ")) == [("plain", "list"), ("plain", "which")]
    assert pairs(complete(project, "godel config ")) == [("plain", "path"), ("plain", "show")]
    assert ("plain", "getting-started") in pairs(complete(project, "godel guide "))


def test_a_broken_settings_file_completes_nothing_quietly(project):
    project.write(".godel/settings.json", "{broken")
    assert pairs(complete(project, "godel show ")) == []
    assert pairs(complete(project, "godel run ")) == [("file", "")]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_source_scripts_the_docs_give(project, shell):
    if shell == "bash" and not any(
        os.access(os.path.join(d, "bash"), os.X_OK) for d in os.environ["PATH"].split(os.pathsep)
    ):
        pytest.skip("no bash")
    proc = project.godel(env={"_GODEL_COMPLETE": f"{shell}_source"})
    assert proc.returncode == 0, proc.stderr
    assert "_GODEL_COMPLETE" in proc.stdout and f"{shell}_complete" in proc.stdout


def test_completing_command_names_imports_no_command_module(project):
    """A Tab after `godel` lists commands from the registry's summaries, as --help does."""
    code = (
        "import json, sys\n"
        "from godel_cli.main import main\n"
        "main([])\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('godel_cli.commands'))))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=project.root,
        env=project.env(
            {"_GODEL_COMPLETE": "bash_complete", "COMP_WORDS": "godel ", "COMP_CWORD": "1"}
        ),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    *completions, modules = proc.stdout.splitlines()
    assert "plain,run" in completions and "plain,guide" in completions
    assert json.loads(modules) == []


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses file names that are not UTF-8")
def test_a_workflow_file_name_that_is_not_utf8_is_left_out_quietly(project):
    project.write(".godel/workflows/hello.py", "")
    workflows = project.root / ".godel" / "workflows"
    (workflows / os.fsdecode(b"h\xffi.py")).write_text("")
    assert pairs(complete(project, "godel workflows which h")) == [("plain", "hello")]
    assert pairs(complete(project, "godel run h")) == [("file", "h"), ("plain", "hello")]
    out = complete(project, "godel run hel", shell="zsh")
    assert out.splitlines()[-3:] == ["plain", "hello", str(workflows / "hello.py")]
