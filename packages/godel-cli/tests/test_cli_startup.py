"""What the commands agents run most (``--help``, ``show``, ``tail --no-follow``) import, and the
root help's width rule (click's, computed without ``shutil``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from godel import EventLog
from godel_cli.group import RootContext
from godel_cli.main import cli


def modules_after(args: list[str], cwd: Path) -> set[str]:
    """Run ``godel ARGS`` in a fresh interpreter; the names in its ``sys.modules`` after."""
    code = (
        "import json, sys\n"
        "from godel_cli.main import main\n"
        f"rc = main({args!r})\n"
        "print(json.dumps(sorted(sys.modules)))\n"
        "sys.exit(rc)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.splitlines()[-1]))


@pytest.fixture
def one_run(tmp_path: Path) -> tuple[Path, str]:
    runs = tmp_path / "runs"
    log = EventLog.create(runs, "r", durability="none")
    root = log.start("WORKFLOW_STARTED", request={"function": "f", "args": [], "kwargs": {}})
    log.record("det.random", response={"value": 0.5}, parent_id=root.event_id)
    log.finish(root, {"result": 1})
    log.close()
    return runs, "r"


def test_help_does_not_import_shutil(tmp_path: Path) -> None:
    assert "shutil" not in modules_after(["--help"], tmp_path)


def test_show_imports_nothing_for_writing(one_run: tuple[Path, str]) -> None:
    runs, run_id = one_run
    loaded = modules_after(["show", run_id, "--runs-dir", str(runs)], runs.parent)
    assert "godel.log.eventlog" in loaded
    # ids are made and secrets redacted only when a log is written
    assert not loaded & {"ulid", "importlib.metadata", "godel.log.redact"}


def test_tail_no_follow_starts_no_event_loop(one_run: tuple[Path, str]) -> None:
    runs, run_id = one_run
    loaded = modules_after(["tail", run_id, "--no-follow", "--runs-dir", str(runs)], runs.parent)
    assert "godel.log.reader" in loaded
    assert not loaded & {"asyncio", "anyio", "ulid"}


def test_run_imports_only_what_the_run_uses(tmp_path: Path) -> None:
    # The fixed cost of `godel run`: no temp files, no package resources, no compression (they
    # came with importlib.abc, and with tempfile for a pause request nobody made).
    (tmp_path / "empty.py").write_text(
        "from godel import workflow\n\n\n@workflow\nasync def main():\n    return None\n"
    )
    loaded = modules_after(["run", "empty.py"], tmp_path)
    assert "godel.engine.workflow" in loaded and "godel.strict.guard" in loaded
    assert not loaded & {"tempfile", "shutil", "importlib.resources", "bz2", "lzma", "random"}


@pytest.mark.parametrize(
    "columns", [None, "", "abc", "0", "-5", "20", "52", "60", "79", "80", "81", "200"]
)
def test_root_help_width_is_clicks(monkeypatch: pytest.MonkeyPatch, columns: str | None) -> None:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.setattr(click.formatting, "FORCED_WIDTH", None)
    for max_width in (None, 60, 100):
        ours = RootContext(cli, max_content_width=max_width).make_formatter()
        clicks = click.Context(cli, max_content_width=max_width).make_formatter()
        assert ours.width == clicks.width


def test_root_help_width_follows_clicks_test_runner_and_settings() -> None:
    assert RootContext(cli, terminal_width=66).make_formatter().width == 66
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_console_script_skips_the_collector_pass_at_exit(one_run: tuple[Path, str]) -> None:
    """The console script leaves every object in the collector's permanent generation, so the
    pass at interpreter shutdown has nothing to traverse; the command's output is whole."""
    runs, run_id = one_run
    code = (
        "import gc, sys\n"
        "from godel_cli.entry import main\n"
        f"sys.argv = ['godel', 'show', {run_id!r}, '--runs-dir', {str(runs)!r}]\n"
        "rc = main()\n"
        "print('frozen', gc.get_freeze_count(), 'count', gc.get_count()[0])\n"
        "sys.exit(rc)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "det.random" in result.stdout  # the table was printed before
    frozen = int(result.stdout.split("frozen ", 1)[1].split()[0])
    assert frozen > 1000  # the modules' functions and classes, at least


def test_godel_alone_shows_the_help_and_exits_0() -> None:
    godel = Path(sys.executable).parent / "godel"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_")}
    alone = subprocess.run([str(godel)], capture_output=True, text=True, env=env, timeout=60)
    helped = subprocess.run(
        [str(godel), "--help"], capture_output=True, text=True, env=env, timeout=60
    )
    assert alone.returncode == helped.returncode == 0, alone.stderr
    assert alone.stdout == helped.stdout and "Usage: godel" in alone.stdout
