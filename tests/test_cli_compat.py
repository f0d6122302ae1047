"""godel-py 3.x's CLI messages that its users' scripts and habits rely on, word for word.

The seed CLI reference (godel-py's ``CLI.md``) quotes these lines; the real ``godel`` command
must print them (godel may add its own detail after them).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

WORKFLOW = """\
from godel import WorkflowFail, workflow


@workflow
async def main(*args, **kwargs):
    raise WorkflowFail("not yet")
"""


def test_a_duplicate_keyword_argument_is_godel_py_s_argument_error(godel_run, tmp_path: Path):
    (tmp_path / "wf.py").write_text(WORKFLOW)
    proc = godel_run("run", "wf.py", "--no-lint", "--", "k=1", "k=2")
    assert proc.returncode == 2
    assert proc.stderr.startswith(
        "[godel] argument error: Duplicate keyword argument 'k' — each kwarg key must appear "
        "at most once."
    ), proc.stderr
    assert not (tmp_path / "runs").exists()  # refused before any run exists


def test_resume_of_a_run_with_non_serialisable_args_says_so_first(
    godel_run, python_run, tmp_path: Path
):
    # A run started from Python with an argument JSON cannot hold records no workflow file a
    # CLI resume could use either; the one thing to say is godel-py's message (not "pass FILE",
    # which would only lead to this message).
    (tmp_path / "wf.py").write_text(WORKFLOW)
    started = python_run(
        "import sys, anyio\nsys.path.insert(0, '.')\nfrom wf import main\n"
        "try:\n    anyio.run(main, object())\nexcept Exception:\n    pass\n"
    )
    assert started.returncode == 0, started.stderr
    (run_id,) = [p.stem for p in (tmp_path / "runs").glob("*.jsonl")]
    expected = (
        "[godel] resume error: This run used non-serialisable args; programmatic resume only."
    )
    for extra in ([], ["wf.py"]):
        proc = godel_run("resume", run_id, *extra, "--no-lint")
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith(expected), proc.stderr


STEPS = """\
from godel import step, workflow


@step
async def one(i):
    return i


@workflow
async def main():
    for i in range(3):
        await one(i)
"""


def test_rewind_says_what_it_rewound_then_how_many_in_two_lines(godel_run, tmp_path: Path):
    # REFERENCE §8.4: `rewound run <id>`, then `invalidated N event(s)` on a line of its own.
    (tmp_path / "wf.py").write_text(STEPS)
    assert godel_run("run", "wf.py", "--no-lint").returncode == 0
    (run_id,) = [p.stem for p in (tmp_path / "runs").glob("*.jsonl")]
    shown = json.loads(godel_run("show", run_id, "--json").stdout)["events"]
    first = next(e["event_id"] for e in shown if e["op"] == "step.enter")
    proc = godel_run("rewind", run_id, "--to", first)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[0] == f"[godel] rewound run {run_id} (to)"
    assert re.fullmatch(r"\[godel\] invalidated [1-9][0-9]* event\(s\)", lines[1]), lines
    assert lines[-1].startswith(f"[godel] resume with: godel resume {run_id}")
