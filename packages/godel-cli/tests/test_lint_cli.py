"""``godel lint`` end to end: the real console script in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

GODEL = Path(sys.executable).parent / "godel"

FLOW = """\
from godel import workflow, step, run


@step
async def build():
    run("make")
    try:
        await run("make test")
    except Exception:
        pass


@workflow
async def main():
    await build()
"""
WARNINGS_ONLY = """\
from godel import step, run


@step
async def build(targets):
    for t in targets:
        await run(t)
"""
CLEAN = """\
from godel import workflow, step, run


@step
async def build():
    await run("make")


@workflow
async def main():
    await build()
"""


def godel(cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_") and k != "PYTHONPATH"}
    return subprocess.run(
        [str(GODEL), "lint", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()  # keeps configuration above tmp_path out of the picture
    (tmp_path / "flow.py").write_text(FLOW)
    (tmp_path / "warn.py").write_text(WARNINGS_ONLY)
    (tmp_path / "clean.py").write_text(CLEAN)
    return tmp_path


# Text lines are the reference's `{file}:{line}:{col}: {rule} {severity}: {message}` (0-based
# column), each hint on its own indented line; the summary goes to stderr.
def test_text_output_hints_summary_and_exit_1_on_errors(project: Path) -> None:
    result = godel(project, "flow.py")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "flow.py:6:4: PL001 error: 'run' is async and must be awaited",
        "    hint: write 'await run(...)', or pass the call to parallel(...)",
        "flow.py:9:4: PL007 warning: 'except Exception' may swallow WorkflowFail or RewindSignal; "
        "consider catching specific types",
        "    hint: catch the specific exceptions you expect, or re-raise with a bare 'raise'",
    ]
    assert result.stderr == "\n1 error(s), 1 warning(s)\n"


def test_warnings_only_exit_0(project: Path) -> None:
    result = godel(project, "warn.py")
    assert (result.returncode, result.stderr) == (0, "\n1 warning(s)\n")
    assert result.stdout.splitlines()[0] == (
        "warn.py:7:14: PL004 warning: run inside a loop without idempotent=True will block rewind"
    )


def test_clean_file_prints_nothing(project: Path) -> None:
    result = godel(project, "clean.py")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


# JSON is the reference's: one list (indent 2) for every file, items keyed file, rule, severity,
# message, line, col (null when unknown); `hint` is ours, added inside each item.
def test_json_is_one_list_of_the_reference_items(project: Path) -> None:
    result = godel(project, "clean.py", "flow.py", "missing.py", "--format", "json")
    assert result.returncode == 1
    items = json.loads(result.stdout)
    assert result.stdout == json.dumps(items, indent=2) + "\n"
    assert items == [
        {
            "file": "flow.py",
            "rule": "PL001",
            "severity": "error",
            "message": "'run' is async and must be awaited",
            "line": 6,
            "col": 4,
            "hint": "write 'await run(...)', or pass the call to parallel(...)",
        },
        {
            "file": "flow.py",
            "rule": "PL007",
            "severity": "warning",
            "message": "'except Exception' may swallow WorkflowFail or RewindSignal; "
            "consider catching specific types",
            "line": 9,
            "col": 4,
            "hint": "catch the specific exceptions you expect, or re-raise with a bare 'raise'",
        },
        {
            "file": "missing.py",
            "rule": "PL000",
            "severity": "error",
            "message": "IOError: file not found: missing.py",
            "line": 0,
            "col": None,
            "hint": "",
        },
    ]
    assert result.stderr == "\n2 error(s), 1 warning(s)\n"


def test_json_of_a_clean_file_is_an_empty_list(project: Path) -> None:
    result = godel(project, "clean.py", "--format", "json")
    assert (result.returncode, result.stdout, result.stderr) == (0, "[]\n", "")


def test_unreadable_files_are_pl000_errors(project: Path) -> None:
    (project / "broken.py").write_text("def f(:\n")
    result = godel(project, "missing.py", "broken.py", ".")
    assert result.returncode == 1
    assert [line for line in result.stdout.splitlines() if not line.startswith(" ")] == [
        "missing.py:0:: PL000 error: IOError: file not found: missing.py",
        "broken.py:1:6: PL000 error: SyntaxError: invalid syntax",
        ".:0:: PL000 error: '.' is a directory, not a file",
    ]


def test_a_named_pipe_or_a_device_is_pl000_and_is_not_opened(project: Path) -> None:
    """A named pipe used to wait forever for a writer, and /dev/zero was read to 64 MiB."""
    os.mkfifo(project / "pipe.py")
    result = godel(project, "pipe.py", "/dev/zero", "clean.py", timeout=20)
    assert result.returncode == 1
    assert [line for line in result.stdout.splitlines() if not line.startswith(" ")] == [
        "pipe.py:0:: PL000 error: 'pipe.py' is a named pipe, not a file",
        "/dev/zero:0:: PL000 error: '/dev/zero' is a device, not a file",
    ]


def test_select_and_skip(project: Path) -> None:
    result = godel(project, "flow.py", "clean.py", "--select", "PL014,PL007", "--skip", "PL007")
    assert result.returncode == 0
    assert [
        line.split(": ")[1].split()[0]
        for line in result.stdout.splitlines()
        if not line.startswith(" ")
    ] == ["PL014", "PL014"]


def test_unknown_codes_warn_on_stderr_but_do_not_fail(project: Path) -> None:
    result = godel(project, "flow.py", "--skip", "PL999,bogus,PL007")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Warning: unknown rule ID 'PL999' in --skip (ignored)",
        "Warning: unknown rule ID 'bogus' in --skip (ignored)",
        "",
        "1 error(s), 0 warning(s)",
    ]
    assert [line.split(" ")[1] for line in result.stdout.splitlines() if line[0] != " "] == [
        "PL001"
    ]


def test_list_rules_needs_no_files(project: Path) -> None:
    result = godel(project, "--list-rules")
    assert result.returncode == 0
    rows = [line.split(None, 4) for line in result.stdout.splitlines()]
    by_code = {row[0]: row for row in rows}
    assert by_code["PL001"][1:4] == ["error", "on", "godel-core"]
    assert by_code["PL004"][1:4] == ["warning", "on", "godel-core"]
    assert by_code["PL014"][1:4] == ["warning", "off", "godel-core"]
    assert by_code["PL000"][1:4] == ["error", "on", "godel-core"]
    assert {f"PL{n:03}" for n in range(15)} <= set(by_code)


def test_list_rules_as_json(project: Path) -> None:
    doc = json.loads(godel(project, "--list-rules", "--format", "json").stdout)
    pl001 = next(r for r in doc["rules"] if r["code"] == "PL001")
    assert set(pl001) == {
        "code",
        "severity",
        "default_enabled",
        "summary",
        "distribution",
        "version",
        "error",
    }
    assert (pl001["severity"], pl001["distribution"], pl001["error"]) == (
        "error",
        "godel-core",
        None,
    )


@pytest.mark.parametrize("args", [(), ("--format", "xml", "flow.py"), ("--nope", "flow.py")])
def test_usage_errors_exit_2(project: Path, args: tuple[str, ...]) -> None:
    result = godel(project, *args)
    assert result.returncode == 2
    assert "Usage: godel lint" in result.stderr


def test_pyproject_configuration_is_read(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.godel.lint]\ndisable = ["PL001"]\n')
    result = godel(project, "flow.py")
    assert (result.returncode, result.stderr) == (0, "\n1 warning(s)\n")


# What the reference's docs teach is not flagged by default: an agent call and run() directly in
# a @workflow, and @step written above @retry(n). PL009 and PL011 report it only when selected.
REFERENCE_USAGE = """\
from godel import workflow, step, run, retry
from godel.agents import claude_code

agent = claude_code(model="sonnet")


@step
@retry(3)
async def flaky():
    await run("make test")


@workflow
async def main():
    await run("git status")
    summary = await agent("summarise the repository")
    await flaky()
    return summary
"""


def test_reference_usage_is_clean_by_default(project: Path) -> None:
    (project / "documented.py").write_text(REFERENCE_USAGE)
    result = godel(project, "documented.py")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    opted_in = godel(project, "documented.py", "--select", "PL009,PL011")
    assert opted_in.returncode == 0
    assert [line for line in opted_in.stdout.splitlines() if not line.startswith(" ")] == [
        "documented.py:8:1: PL011 warning: @retry is applied inside @step, so every attempt "
        "runs in the same step invocation and is recorded as one",
        "documented.py:16:20: PL009 warning: agent 'agent' is called in @workflow 'main' "
        "outside any @step",
    ]


def test_a_file_name_with_terminal_controls_is_shown_not_obeyed(project: Path) -> None:
    """`godel lint flows/*.py` in a cloned repository: a name that sets the terminal's title."""
    name = "evil\x1b]0;pwned\x07.py"
    (project / name).write_text(FLOW)
    result = godel(project, name)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith("evil\ufffd]0;pwned\ufffd.py:6:4: PL001 error")
    # JSON keeps the name exactly (escaped), for tools.
    as_json = godel(project, "--format", "json", name)
    assert json.loads(as_json.stdout)[0]["file"] == name


def test_a_select_that_names_no_rule_is_refused_not_a_silent_pass(tmp_path):
    """`--select PL01` (a typo) would run no rule and exit 0: CI would go green unchecked."""
    from click.testing import CliRunner

    from godel_cli.main import cli

    flow = tmp_path / "flow.py"
    flow.write_text("import time\n\nasync def main():\n    time.time()\n")
    result = CliRunner().invoke(cli, ["lint", "--select", "PL01", str(flow)])
    assert result.exit_code == 2 and "names no installed rule" in result.output
    result = CliRunner().invoke(cli, ["lint", "--select", "PL01,PL003", str(flow)])
    assert result.exit_code != 2  # one code that is a rule: the typo is a warning
