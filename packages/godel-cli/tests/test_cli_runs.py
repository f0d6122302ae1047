"""``godel runs list``: every run with the same status ``show`` gives it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from godel import WorkflowFail, print, workflow
from godel.engine.workflow import RunOptions, execute
from godel.log.eventlog import EventLog
from godel.log.events import Op


@workflow
async def fine() -> None:
    await print("ok")


@workflow
async def broken() -> None:
    raise WorkflowFail("no good")


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    return tmp_path / "runs"


@pytest.fixture
def populated(runs: Path) -> dict[str, str]:
    """Runs of every kind, oldest first: status -> run id."""
    made: dict[str, str] = {}
    for status, wf in (("FINISHED", fine), ("FAILED", broken)):
        ids: list[str] = []
        options = RunOptions(
            runs_dir=runs, transcript=False, on_start=lambda run_id, _p, ids=ids: ids.append(run_id)
        )
        try:
            anyio.run(execute, wf.__godel_workflow__, (), {}, options)
        except WorkflowFail:
            pass
        made[status] = ids[0]
    with EventLog.create(runs, header={"workflow": "died"}) as log:
        log.start(Op.WORKFLOW_STARTED, request={"function": "died"})
    made["CRASHED"] = log.run_id
    garbage = "01M8ZZZZZZZZZZZZZZZZZZZZZZ"  # its id is the newest, but it has no start: last
    (runs / f"{garbage}.jsonl").write_text('{"godel_log": {"format": 1}}\n{oops\n{"also": "bad"}\n')
    made["UNKNOWN"] = garbage
    return made


def test_no_runs(godel_run: Callable[..., Any], runs: Path) -> None:
    # A missing runs dir is an error (exit 1, as 3.x), an empty one lists nothing.
    result = godel_run("runs", "list", "--runs-dir", str(runs))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (
        f"[godel] No runs/ directory found at {runs} (use --runs-dir or GODEL_RUNS_DIR)\n"
    )
    assert godel_run("runs", "list", "--json", "--runs-dir", str(runs)).returncode == 1
    runs.mkdir()
    result = godel_run("runs", "list", "--runs-dir", str(runs))
    assert result.returncode == 0 and result.stdout == ""
    assert f"no runs in {runs}" in result.stderr
    assert json.loads(godel_run("runs", "list", "--json", "--runs-dir", str(runs)).stdout) == []


def test_list(godel_run: Callable[..., Any], populated: dict[str, str], runs: Path) -> None:
    result = godel_run("runs", "list", "--runs-dir", str(runs))
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "RUN",
        "ID",
        "WORKFLOW",
        "STATUS",
        "STARTED",
        "DURATION",
        "ATTEMPTS",
        "COST",
    ]
    listed = {line.split()[0]: line.split()[2] for line in lines[1:]}
    assert listed == {run_id: status for status, run_id in populated.items()}  # full ids, never cut
    order = [line.split()[0] for line in lines[1:]]
    assert order == [
        populated[s] for s in ("CRASHED", "FAILED", "FINISHED", "UNKNOWN")
    ]  # newest first, then the logs with no start (REFERENCE §13.13)
    assert f"warning: run {populated['UNKNOWN']}" in result.stderr and "corrupt" in result.stderr
    assert lines[-1].split()[1] == "<unknown>"
    assert any(line.split()[1] == "died" for line in lines)


def test_status_filter_limit_and_json(
    godel_run: Callable[..., Any], populated: dict[str, str], runs: Path
) -> None:
    failed = godel_run(
        "runs", "list", "--status", "failed", "--runs-dir", str(runs)
    ).stdout.splitlines()
    assert [line.split()[0] for line in failed[1:]] == [populated["FAILED"]]
    one = godel_run("runs", "list", "--limit", "1", "--json", "--runs-dir", str(runs))
    data = json.loads(one.stdout)
    assert [d["run_id"] for d in data] == [populated["CRASHED"]]
    every = godel_run("runs", "list", "--limit", "4", "--json", "--runs-dir", str(runs))
    assert [d["status"] for d in json.loads(every.stdout)] == [
        "CRASHED",
        "FAILED",
        "FINISHED",
        "UNKNOWN",
    ]
    three = godel_run("runs", "list", "--limit", "3", "--runs-dir", str(runs))
    assert "UNKNOWN" not in three.stdout
    bad = godel_run("runs", "list", "--status", "sideways", "--runs-dir", str(runs))
    assert bad.returncode == 2


def test_runs_list_and_show_agree(
    godel_run: Callable[..., Any], populated: dict[str, str], runs: Path
) -> None:
    listed = {
        d["run_id"]: d
        for d in json.loads(godel_run("runs", "list", "--json", "--runs-dir", str(runs)).stdout)
    }
    for status, run_id in populated.items():
        if status == "UNKNOWN":
            assert godel_run("show", run_id, "--runs-dir", str(runs)).returncode == 1
            continue
        shown = json.loads(godel_run("show", run_id, "--json", "--runs-dir", str(runs)).stdout)[
            "run"
        ]
        assert shown["status"] == listed[run_id]["status"] == status
        assert shown["duration"] == listed[run_id]["duration"]


def test_runs_alone_prints_its_help(godel_run: Callable[..., Any]) -> None:
    result = godel_run("runs")
    assert (
        result.returncode == 0 and "list" in result.stdout and "Usage: godel runs" in result.stdout
    )


@pytest.mark.parametrize("given_by", ["--runs-dir", "GODEL_RUNS_DIR"])
def test_a_runs_dir_it_may_not_read_is_one_line(
    godel_bin: Path, cli_env: dict[str, str], runs: Path, given_by: str
) -> None:
    """One line and exit 1 however the directory is named, not a traceback ($GODEL_RUNS_DIR)
    nor a usage error (--runs-dir)."""
    import os
    import shutil
    import subprocess

    prefix: list[str] = []
    if os.geteuid() == 0:  # root reads anything: drop the capabilities that let it
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv")
        caps = "-dac_override,-dac_read_search"
        prefix = ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}", "--"]
    runs.mkdir()
    runs.chmod(0)
    try:
        done = subprocess.run(
            [*prefix, str(godel_bin), "runs", "list"]
            + (["--runs-dir", str(runs)] if given_by == "--runs-dir" else []),
            capture_output=True,
            text=True,
            env={**cli_env, "GODEL_RUNS_DIR": str(runs)} if given_by != "--runs-dir" else cli_env,
            timeout=60,
        )
    finally:
        runs.chmod(0o755)
    assert done.returncode == 1, done.stderr
    assert done.stderr == f"[godel] cannot read the runs directory {runs}: permission denied\n"


def test_export_refuses_a_file_or_empty_dest_and_copies_a_run_named_twice_once(
    godel_run: Callable[..., Any], populated: dict[str, str], runs: Path, tmp_path: Path
) -> None:
    run_id = populated["FINISHED"]
    (tmp_path / "notes.txt").write_text("mine\n")
    into_file = godel_run("runs", "export", run_id, "notes.txt", "--runs-dir", str(runs))
    assert into_file.returncode == 1
    assert into_file.stderr == "[godel] cannot export to notes.txt: it is a file, not a folder\n"
    empty = godel_run("runs", "export", run_id, "", "--runs-dir", str(runs))
    assert empty.returncode == 2 and "DEST is empty" in empty.stderr
    assert not (tmp_path / f"{run_id}.jsonl").exists()  # not copied into the working directory
    twice = godel_run("runs", "export", run_id, run_id[:12], "kept", "--runs-dir", str(runs))
    assert twice.returncode == 0, twice.stderr
    assert twice.stdout == f"kept/{run_id}.jsonl\n"


def test_export_and_cost_list_the_runs_once_however_many_ids(
    populated: dict[str, str], runs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Listing the runs dir per id made `runs export` of 3,000 runs take minutes (quadratic).
    from click.testing import CliRunner

    import godel.log
    from godel_cli.main import cli

    listed: list[object] = []
    real = godel.log.list_run_ids

    def counting(directory: Any) -> list[str]:
        listed.append(directory)
        return real(directory)

    monkeypatch.setattr(godel.log, "list_run_ids", counting)
    named = [populated["FINISHED"], populated["FAILED"], populated["CRASHED"][-10:]]
    result = CliRunner().invoke(
        cli, ["runs", "export", *named, str(tmp_path / "out"), "--runs-dir", str(runs)]
    )
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out").glob("*.jsonl"))) == 3
    assert len(listed) == 1
    listed.clear()
    result = CliRunner().invoke(cli, ["cost", *named, "--runs-dir", str(runs)])
    assert result.exit_code == 0, result.output
    assert len(listed) == 1
