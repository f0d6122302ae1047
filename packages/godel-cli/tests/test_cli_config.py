"""``godel config path`` and ``godel config show`` end to end, in a temporary project,
``$HOME`` and ``$GODEL_HOME`` (REFERENCE §13.11, §15)."""

from __future__ import annotations

import json

from godel.config import KEYS, GodelConfig

DEFAULTS = json.dumps(GodelConfig().model_dump(), indent=2)


def test_config_path_outside_any_project(project):
    proc = project.godel("config", "path", cwd=project.home)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (
        "sources (low -> high precedence):\n"
        f"  ✗ {project.godel_home / 'settings.json'}\n"
        "  (no project .godel/ found)\n"
        "\n"
        "project_root: None\n"
        f"runs_dir:     {project.home / 'runs'}\n"
        "\n"
        "effective config:\n"
        f"{DEFAULTS}\n"
    )


def test_home_with_a_godel_home_is_a_project_whose_file_is_listed_once(project):
    """REFERENCE §15.1: the search checks $HOME itself, so ~/.godel makes it the project of
    the folders under it that are in no other; its settings file is the user file."""
    project.write("settings.json", json.dumps({"durability": "always"}), under=project.godel_home)
    elsewhere = project.home / "scratch"
    elsewhere.mkdir()
    proc = project.godel("config", "path", cwd=elsewhere)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("settings.json") == 1, proc.stdout
    assert f"project_root: {project.home}\n" in proc.stdout


def test_config_path_in_a_project_with_both_files_and_a_variable(project):
    project.write("settings.json", json.dumps({"strict": False}), under=project.godel_home)
    project.write(".godel/settings.json", json.dumps({"runs_dir": "var/runs"}))
    proc = project.godel("config", "path", env={"GODEL_DURABILITY": "always"})
    assert proc.returncode == 0, proc.stderr
    expected = {**GodelConfig().model_dump(), "strict": False, "runs_dir": "var/runs"}
    expected["durability"] = "always"
    assert proc.stdout == (
        "sources (low -> high precedence):\n"
        f"  ✓ {project.godel_home / 'settings.json'}\n"
        f"  ✓ {project.root / '.godel' / 'settings.json'}\n"
        "  ✓ $GODEL_DURABILITY\n"
        "\n"
        f"project_root: {project.root}\n"
        f"runs_dir:     {project.root / 'var' / 'runs'}\n"
        "\n"
        "effective config:\n"
        f"{json.dumps(expected, indent=2)}\n"
    )


def test_config_path_marks_are_ascii_when_stdout_cannot_show_them(project):
    proc = project.godel(
        "config", "path", cwd=project.home, env={"PYTHONIOENCODING": "ascii", "LC_ALL": "C"}
    )
    assert proc.returncode == 0, proc.stderr
    assert f"  - {project.godel_home / 'settings.json'}\n" in proc.stdout


def test_config_show_says_which_source_set_each_value(project):
    user = project.write("settings.json", json.dumps({"strict": False}), under=project.godel_home)
    mine = project.write(".godel/settings.json", json.dumps({"runs_dir": "runs", "strict": True}))
    proc = project.godel("config", "show", env={"GODEL_LINT": "0"})
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["KEY", "VALUE", "SET", "BY"]
    rows = {line.split()[0]: line for line in lines[1 : 1 + len(KEYS)]}
    assert list(rows) == list(KEYS)
    assert rows["runs_dir"].split() == ["runs_dir", '"runs"', "project", f"({mine})"]
    assert rows["strict"].split() == ["strict", "true", "project", f"({mine})"]
    assert rows["lint"].split() == ["lint", "false", "$GODEL_LINT"]
    assert rows["durability"].split() == ["durability", '"default"', "default"]
    assert lines[-1] == f"runs_dir: {project.root / 'runs'}"
    assert str(user) not in proc.stdout, "overridden by the project file"


def test_config_show_json(project):
    mine = project.write(".godel/settings.json", json.dumps({"env": {"CI": "1"}}))
    proc = project.godel("config", "show", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["project_root"] == str(project.root)
    assert data["runs_dir"] == str(project.godel_home / "projects" / "proj" / "runs")
    assert data["sources"] == [
        {"label": "user", "path": str(project.godel_home / "settings.json"), "exists": False},
        {"label": "project", "path": str(mine), "exists": True},
    ]
    assert data["values"]["env"] == {"value": {"CI": "1"}, "set_by": str(mine)}
    assert data["values"]["strict"] == {"value": True, "set_by": "default"}
    assert list(data["values"]) == list(KEYS)
    assert data["warnings"] == []


def test_unknown_keys_are_warnings_and_bad_values_one_line_errors(project):
    project.write(".godel/settings.json", json.dumps({"stirct": False}))
    proc = project.godel("config", "show", "--json")
    assert proc.returncode == 0
    assert proc.stderr.count("did you mean 'strict'?") == 1, proc.stderr  # once, not twice
    assert proc.stderr.startswith("[godel] warning: ")
    assert json.loads(proc.stdout)["warnings"][0].endswith("did you mean 'strict'?")
    for args in (("config", "path"), ("config", "show")):
        assert project.godel(*args).stderr.count("did you mean 'strict'?") == 1
    project.write(".godel/settings.json", json.dumps({"strict": "yes"}))
    for args in (("config", "path"), ("config", "show"), ("config", "show", "--json")):
        bad = project.godel(*args)
        assert bad.returncode == 2  # bad configuration: exit 2 for every command (issue 14)
        assert bad.stdout == ""
        assert bad.stderr.startswith("[godel] configuration error: ")
        assert "key 'strict': expected true or false" in bad.stderr
        assert len(bad.stderr.splitlines()) == 1


def test_config_alone_prints_its_help(project):
    proc = project.godel("config")
    assert proc.returncode == 0
    assert "Usage: godel config" in proc.stdout and "path" in proc.stdout and "show" in proc.stdout


# An OSC sequence (set the terminal's title): click strips only colour codes off a pipe.
TITLE = "\x1b]0;pwned\x07"


def test_a_cloned_projects_settings_and_file_names_are_shown_not_obeyed(project):
    """A repository's .godel/ is anyone's text: the terminal must not act on its controls."""
    project.write(
        ".godel/settings.json",
        json.dumps({"runs_dir": f"runs{TITLE}", "workflows_dir": f"flows{TITLE}"}),
    )
    for args in (["config", "path"], ["config", "show"], ["init"], ["workflows", "list"]):
        proc = project.godel(*args)
        assert proc.returncode == 0, proc.stderr
        assert "\x1b" not in proc.stdout + proc.stderr, args
        assert "\x07" not in proc.stdout + proc.stderr, args
    project.write(".godel/settings.json", "{}")
    project.write(f".godel/workflows/hi{TITLE}.py", "")
    listed = project.godel("workflows", "list")
    assert listed.returncode == 0 and "hi\ufffd]0;pwned\ufffd" in listed.stdout
    assert "\x1b" not in listed.stdout


def test_workflow_not_found_lists_names_shown_not_obeyed(project):
    project.write(f".godel/workflows/hi{TITLE}.py", "")
    for args in (["workflows", "which", "nope"], ["run", "nope"]):
        proc = project.godel(*args)
        assert proc.returncode in (1, 2), proc.stderr
        assert "available: hi\ufffd]0;pwned\ufffd" in proc.stderr, args
        assert "\x1b" not in proc.stderr, args
