"""What `godel` says when it fails early or oddly: one clear line, the right exit code."""

from __future__ import annotations

from pathlib import Path

OK = "from godel import workflow\n\n\n@workflow\nasync def main():\n    return 1\n"


def test_a_file_where_the_runs_dir_should_be(godel_run, tmp_path: Path) -> None:
    (tmp_path / "wf.py").write_text(OK)
    (tmp_path / "runs").write_text("")
    proc = godel_run("run", "wf.py", "--no-lint")
    assert proc.returncode == 2
    assert proc.stderr == (
        f"[godel] cannot use {tmp_path / 'runs'} for runs: a file is in the way "
        "(pick another runs dir with --runs-dir or GODEL_RUNS_DIR)\n"
    )
    proc = godel_run("run", "wf.py", "--no-lint", env={"GODEL_RUNS_DIR": "/etc/passwd"})
    assert proc.returncode == 2 and "cannot use /etc/passwd for runs" in proc.stderr
    assert "audit log" not in proc.stderr


def test_a_bad_durability_is_a_usage_error_naming_the_allowed_values(
    godel_run, tmp_path: Path
) -> None:
    (tmp_path / "wf.py").write_text(OK)
    proc = godel_run("run", "wf.py", "--no-lint", env={"GODEL_DURABILITY": "bogus"})
    assert proc.returncode == 2
    assert proc.stderr == (
        "[godel] configuration error: $GODEL_DURABILITY: expected one of default, always, none, "
        'got "bogus"\n'
    )


def test_sys_exit_in_a_workflow_is_a_failure_with_a_documented_code(
    godel_run, tmp_path: Path
) -> None:
    (tmp_path / "wf.py").write_text(
        "import sys\nfrom godel import workflow\n\n\n@workflow\nasync def main():\n    sys.exit(5)\n"
    )
    proc = godel_run("run", "wf.py", "--no-lint")
    assert proc.returncode == 1
    assert "[godel] failed after" in proc.stderr
    assert "the workflow called sys.exit(5)" in proc.stderr


def test_unsafe_resume_names_its_type_once(godel_run, tmp_path: Path) -> None:
    from godel import EventLog

    (tmp_path / "wf.py").write_text(
        "from godel import workflow, run\n\n\n@workflow\nasync def main():\n"
        "    await run(['true'])\n"
    )
    log = EventLog.create(tmp_path / "runs", None, header={"workflow": "main"})
    root = log.start(
        "WORKFLOW_STARTED",
        request={
            "function": "main",
            "args": [],
            "kwargs": {},
            "source_file": str(tmp_path / "wf.py"),
        },
    )
    log.start("run", request={"cmd": ["true"]}, parent_id=root.event_id)  # in flight at a crash
    log.close()
    proc = godel_run("resume", log.run_id, "--no-lint")
    assert proc.returncode == 2
    assert proc.stderr.count("UnsafeResumeError") == 1, proc.stderr


def test_runs_list_never_prints_a_control_character(godel_run, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "01NEW\nLINE.jsonl").write_text("")
    proc = godel_run("runs", "list")
    assert proc.returncode == 0 and "\n" not in proc.stdout.strip() and "LINE" not in proc.stdout
