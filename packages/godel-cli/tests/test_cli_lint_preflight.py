"""The lint pre-flight of ``godel run``/``resume`` (REFERENCE_BEHAVIOR 11.3, 6.5), end to end."""

from __future__ import annotations

from pathlib import Path

NOT_AWAITED = """\
from godel import workflow, step, run


@step
async def build():
    run(["true"])


@workflow
async def main():
    await build()
"""
# What a user who opted out of strict mode may write: a subprocess and a file write.
UNRECORDED = """\
import subprocess
import time
from godel import workflow, step


@step
async def build():
    subprocess.run(["true"], check=True)
    with open("out.txt", "w") as f:
        f.write(str(time.time() > 0))


@workflow
async def main():
    await build()
"""
WARNS = """\
from godel import workflow, step, run


@step
async def build(targets):
    for target in targets:
        await run(["echo", target])


@workflow
async def main():
    await build(["a", "b"])
"""


def runs(tmp_path: Path) -> list[str]:
    return sorted(p.stem for p in (tmp_path / "runs").glob("*.jsonl"))


def test_lint_errors_refuse_to_run_in_the_reference_words(godel_run, tmp_path: Path) -> None:
    (tmp_path / "wf.py").write_text(NOT_AWAITED)
    proc = godel_run("run", "wf.py")
    path = tmp_path.resolve() / "wf.py"
    assert proc.returncode == 1
    assert proc.stderr == (
        "Lint errors found — refusing to run:\n"
        f"  {path}:6:4: PL001 error: 'run' is async and must be awaited\n"
        "      hint: write 'await run(...)', or pass the call to parallel(...)\n"
        "\n"
        "Fix the errors or use --no-lint to skip.\n"
    )
    assert runs(tmp_path) == []


def test_resume_runs_the_same_pre_flight(godel_run, tmp_path: Path) -> None:
    # A run that failed (a finished one is not run again, so it would not reach the pre-flight).
    (tmp_path / "wf.py").write_text(
        NOT_AWAITED.replace('    run(["true"])', '    await run(["false"])')
    )
    assert godel_run("run", "wf.py").returncode == 1
    (run_id,) = runs(tmp_path)
    (tmp_path / "wf.py").write_text(NOT_AWAITED)
    proc = godel_run("resume", run_id)
    assert proc.returncode == 1
    assert proc.stderr.startswith("Lint errors found — refusing to run:\n")
    assert proc.stderr.endswith("\nFix the errors or use --no-lint to skip.\n")


def test_warnings_are_printed_and_the_run_goes_on(godel_run, tmp_path: Path) -> None:
    (tmp_path / "wf.py").write_text(WARNS)
    proc = godel_run("run", "wf.py")
    assert proc.returncode == 0, proc.stderr
    path = tmp_path.resolve() / "wf.py"
    assert proc.stderr.splitlines()[:2] == [
        f"{path}:7:14: PL004 warning: run inside a loop without idempotent=True will block rewind",
        "    hint: pass idempotent=True if running the command twice is harmless, "
        "or mark the step @step(idempotent=True)",
    ]
    assert len(runs(tmp_path)) == 1


def test_no_strict_skips_the_determinism_rules(godel_run, tmp_path: Path) -> None:
    (tmp_path / "wf.py").write_text(UNRECORDED)
    proc = godel_run("run", "wf.py", "--no-strict")
    assert proc.returncode == 0, proc.stderr
    assert "PL003" not in proc.stderr and "PL012" not in proc.stderr
    assert (tmp_path / "out.txt").read_text() == "True"
    (run_id,) = runs(tmp_path)
    resumed = godel_run("resume", run_id, "--no-strict")
    assert resumed.returncode == 0, resumed.stderr
    assert "Lint errors" not in resumed.stderr


def test_no_strict_still_runs_the_other_rules(godel_run, tmp_path: Path) -> None:
    text = UNRECORDED.replace("workflow, step\n", "workflow, step, run\n")
    (tmp_path / "wf.py").write_text(
        text.replace("    with open", "    run(['true'])\n    with open")
    )
    proc = godel_run("run", "wf.py", "--no-strict")
    assert proc.returncode == 1
    assert "PL001 error" in proc.stderr
    assert "PL003" not in proc.stderr and "PL012" not in proc.stderr


def test_godel_lint_itself_always_runs_the_determinism_rules(godel_run, tmp_path: Path) -> None:
    (tmp_path / "wf.py").write_text(UNRECORDED)
    proc = godel_run("lint", "wf.py")
    assert proc.returncode == 1
    codes = [line.split(" ")[1] for line in proc.stdout.splitlines() if not line.startswith(" ")]
    assert codes == ["PL012", "PL012", "PL003"]
