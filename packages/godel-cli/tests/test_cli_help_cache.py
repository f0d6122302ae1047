"""The help cache: ``godel --help``, ``godel COMMAND --help`` and ``godel --version`` print
the same text from a record, without importing click, until anything it came from changes."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest


@pytest.fixture
def godel(tmp_path: Path, godel_bin: Path, cli_env: dict[str, str]):
    """``godel(*args, env=...)`` with its own cache folder; ``importtime=True`` runs it under
    ``python -X importtime`` (the imports on stderr)."""
    cache = tmp_path / "cache"

    def run(
        *args: str, env: Mapping[str, str] | None = None, importtime: bool = False
    ) -> subprocess.CompletedProcess[str]:
        prefix = [sys.executable, "-X", "importtime"] if importtime else []
        return subprocess.run(
            [*prefix, str(godel_bin), *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**cli_env, "GODEL_CACHE_DIR": str(cache), **(env or {})},
            timeout=60,
        )

    run.records = lambda: sorted((cache / "help").glob("*.marshal"))  # type: ignore[attr-defined]
    return run


def _imported(stderr: str) -> set[str]:
    return {
        line.rsplit("|", 1)[1].strip() for line in stderr.splitlines() if "import time:" in line
    }


@pytest.mark.parametrize(
    "args", [["--help"], ["run", "--help"], ["runs", "list", "-h"], ["--version"]]
)
def test_the_recorded_text_is_the_text_and_needs_no_click(godel, args):
    uncached = godel(*args, env={"GODEL_HELP_CACHE": "0"})
    assert uncached.returncode == 0 and uncached.stdout and not uncached.stderr
    assert godel.records() == []  # switched off: nothing recorded

    first = godel(*args, importtime=True)
    assert "click" in _imported(first.stderr)  # rendered by click, then recorded
    assert len(godel.records()) == 1
    again = godel(*args, importtime=True)
    assert again.returncode == 0
    assert "click" not in _imported(again.stderr)
    assert "typing" not in _imported(again.stderr)  # 20 ms: a `python -c pass` start again
    assert not {m for m in _imported(again.stderr) if m.startswith("godel.")}
    assert first.stdout == again.stdout == uncached.stdout


PLUGIN = """
from godel import hookimpl


@hookimpl
def godel_register_commands(register):
    register("hello", "acme_hello:hello", summary="{summary}")
"""


def _install_plugin(site: Path, summary: str) -> None:
    (site / "acme_hello.py").write_text(PLUGIN.format(summary=summary))
    info = site / "acme_hello-0.1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-hello\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text("[godel]\nhello = acme_hello\n")


def test_a_plugin_installed_or_edited_later_is_seen_at_once(godel, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    env = {"PYTHONPATH": str(site)}
    before = godel("--help", env=env)
    assert before.returncode == 0 and "hello" not in before.stdout
    assert godel("--help", env=env).stdout == before.stdout  # served from the record

    _install_plugin(site, "Say hello.")
    installed = godel("--help", env=env)
    assert "  hello  " in installed.stdout and "Say hello." in installed.stdout

    _install_plugin(site, "Say hello to everyone in the room.")
    edited = godel("--help", env=env)
    assert "Say hello to everyone in the room." in edited.stdout
    assert edited.stdout == godel("--help", env={**env, "GODEL_HELP_CACHE": "0"}).stdout


@pytest.mark.parametrize(
    "env",
    [{"COLUMNS": "60"}, {"COLUMNS": "70"}, {"GODEL_DISABLE_PLUGINS": "watch"}],
    ids=["narrow", "wide", "a-plugin-blocked"],
)
def test_the_terminal_width_and_godel_variables_choose_the_record(godel, env):
    plain = godel("--help")
    for _ in range(2):  # the second time from the record
        shown = godel("--help", env=env)
        assert shown.stdout == godel("--help", env={**env, "GODEL_HELP_CACHE": "0"}).stdout
    assert shown.stdout != plain.stdout


def test_output_with_a_warning_is_never_recorded(godel):
    for _ in range(2):
        warned = godel("--help", env={"GODEL_PLUGINS": "claude,no_such_plugin"})
        assert warned.returncode == 0
        assert "no_such_plugin" in warned.stderr
    assert godel.records() == []


def test_a_damaged_record_is_rendered_again(godel):
    first = godel("--help")
    (record,) = godel.records()
    record.write_bytes(b"\x00not a record")
    again = godel("--help")
    assert again.returncode == 0 and again.stdout == first.stdout and not again.stderr
    assert godel("--help").stdout == first.stdout


def test_an_unknown_command_is_an_error_and_not_recorded(godel):
    shown = godel("nosuchcommand", "--help")
    assert shown.returncode == 2 and "nosuchcommand" in shown.stderr
    assert godel.records() == []


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["init", "--help"]])
def test_a_closed_stdout_is_no_traceback_recorded_or_not(godel, godel_bin, tmp_path, cli_env, args):
    godel(*args)  # recorded: the next one is served from the record
    for _ in range(2):
        proc = subprocess.run(
            ["sh", "-c", 'exec "$@" >&-', "sh", str(godel_bin), *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**cli_env, "GODEL_CACHE_DIR": str(tmp_path / "cache")},
            timeout=60,
        )
        assert (proc.returncode, proc.stderr) == (0, "")
