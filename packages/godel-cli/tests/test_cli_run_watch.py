"""``godel run --watch`` / ``-p`` and ``godel watch`` from the host's side: the run goes to a
child ``godel run``, the watch view (godel-watch) follows it, and the exit status is the run's.
Without godel-watch both name the package to install."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

WORKFLOW = """
from godel import input, parallel, print, run, step, workflow, WorkflowFail


@step
async def branch(name: str) -> str:
    await run(["echo", name])
    return name


@workflow
async def main(fail: str = "") -> str:
    await print("hello")
    await parallel(branch("a"), branch("b"))
    name = await input("name? ")
    await print(f"hi {name}")
    if fail:
        raise WorkflowFail("asked to fail")
    return name
"""


@pytest.fixture
def godel_in(godel_bin, cli_env, tmp_path):
    """``godel ARGS...`` in ``tmp_path`` with ``input`` on its stdin (a pipe: watch is plain)."""

    def run(*args: str, input: str = "", env: dict[str, str] | None = None):
        return subprocess.run(
            [str(godel_bin), *args],
            input=input,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**cli_env, **(env or {})},
            timeout=120,
        )

    return run


def _workflow(tmp_path: Path) -> Path:
    path = tmp_path / "wf.py"
    path.write_text(WORKFLOW)
    return path


def test_run_plain_shows_the_run_line_by_line_and_reads_input(godel_in, tmp_path) -> None:
    _workflow(tmp_path)
    result = godel_in("run", "wf.py", "-p", "--auto-checkpoint", "pipe", input="bob\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("── run ") and lines[0].endswith(" · main() ──")
    assert lines[1:3] == ["» hello", "⑂ parallel ×2"]
    assert "[b1]   $ echo a" in lines and "[b2]   $ echo b" in lines
    assert lines[-4:-1] == ["? name?", '  → "bob"', "» hi bob"]
    assert lines[-1].startswith("── finished in ")
    # The run's own stdout is replaced by the view's lines: each print once, no raw prompt.
    assert result.stdout.count("hi bob") == 1 and "name? bob" not in result.stdout
    assert "[godel] run " in result.stderr and "[godel] completed in " in result.stderr


def test_the_exit_status_is_the_runs(godel_in, tmp_path) -> None:
    _workflow(tmp_path)
    result = godel_in(
        "run", "wf.py", "--watch", "--auto-checkpoint", "pipe", "--", "fail=1", input="x\n"
    )
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1].startswith("── failed after ")
    assert "WorkflowFail: asked to fail" in result.stdout
    assert "[godel] failed after" in result.stderr


def test_a_run_that_cannot_start_reports_as_godel_run_does(godel_run, tmp_path) -> None:
    _workflow(tmp_path)
    result = godel_run("run", "wf.py", "-p", "--", "nope=1")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("[godel] argument error: main(fail: str = '')")


def test_the_watch_configuration_key_watches_by_default(godel_in, tmp_path) -> None:
    _workflow(tmp_path)
    (tmp_path / ".godel").mkdir()
    (tmp_path / ".git").mkdir()  # the project root
    (tmp_path / ".godel" / "settings.json").write_text(
        json.dumps({"runs_dir": "runs", "watch": {"default": True, "plain": True}})
    )
    watched = godel_in("run", "wf.py", "--auto-checkpoint", "pipe", input="ann\n")
    assert watched.returncode == 0, watched.stderr
    assert watched.stdout.splitlines()[-2:] == ["» hi ann", watched.stdout.splitlines()[-1]]
    assert watched.stdout.splitlines()[-1].startswith("── finished in ")
    plain = godel_in("run", "wf.py", "--no-watch", "--auto-checkpoint", "pipe", input="ann\n")
    assert plain.returncode == 0
    assert plain.stdout == "hello\nname? hi ann\n"  # the run's own output, no view


def test_help_says_what_the_view_does(godel_run) -> None:
    out = godel_run("run", "--help").stdout
    for flag in (
        "--watch / --no-watch",
        "-p, --plain",
        "--show-tools",
        "--max-agent-lines",
        "-v, --verbose",
    ):
        assert flag in out
    assert "the run goes on in this terminal" in out


def test_without_godel_watch_both_commands_name_the_package(godel_run, tmp_path) -> None:
    _workflow(tmp_path)
    env = {"GODEL_DISABLE_PLUGINS": "watch"}
    watch = godel_run("watch", "01ABCDEF", env=env)
    assert watch.returncode == 1
    assert watch.stderr.count("\n") == 1
    assert watch.stderr.startswith(
        "[godel] `godel watch` needs the godel-watch package: pip install godel-watch"
    )
    run = godel_run("run", "wf.py", "--watch", env=env)
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1
    assert run.stderr.startswith(
        "[godel] `godel run --watch` needs the godel-watch package: pip install godel-watch"
    )
    assert not (tmp_path / "runs").exists()  # nothing ran


def test_the_c_locale_watches_in_plain_mode_on_a_terminal(cli_env) -> None:
    # Under LC_ALL=C Python's UTF-8 mode says its encoding is UTF-8; the locale's is ASCII,
    # and `godel run --watch` must choose as `godel watch` does (plain).
    import os
    import sys

    code = (
        "import sys\n"
        "class Tty:\n    def isatty(self): return True\n    def flush(self): pass\n"
        "sys.stdout = Tty()\n"
        "from godel_cli.watched import wants_plain\n"
        "sys.stderr.write(str(wants_plain(False)))"
    )
    env = {k: v for k, v in cli_env.items() if not k.startswith(("LC_", "LANG", "GODEL_WATCH"))}
    env = {**env, "TERM": "xterm-256color", "HOME": os.environ.get("HOME", "/")}
    for locale_env, plain in (({"LC_ALL": "C"}, "True"), ({"LC_ALL": "C.UTF-8"}, "False")):
        out = subprocess.run(
            [sys.executable, "-c", code], env={**env, **locale_env}, capture_output=True, text=True
        )
        assert out.stderr.strip() == plain, (locale_env, out.stderr)
