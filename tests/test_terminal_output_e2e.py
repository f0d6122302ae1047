"""What ``show``, ``tail``, ``watch --plain``, ``runs list`` and ``cost`` print from a run's data
is shown, never obeyed: a recorded value cannot move the cursor, set the title or reorder the
line (C0/C1 controls and bidi overrides appear as U+FFFD, or as ``\\u`` escapes in JSON), and a
lone surrogate (a file name decoded with surrogateescape) neither crashes the command nor goes
out raw. ``--json`` stays the exact data.

Answers come from the echo test backend (tests/plugins/godel-echo: it answers with the prompt).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

# C0 controls but the newline, DEL, C1 controls, bidi controls, surrogates.
UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
HOSTILE = "a\x1b]0;TITLE\x07 b\x9b2J c\u202erev d\x1b]52;c;aGk=\x07 e\rOVER\x08"

WORKFLOW = f"""
from godel import print, run, step, workflow
from godel.agents import echo

HOSTILE = {HOSTILE!r}
NAME = "file\\udcff.txt"  # os.fsdecode of a name that is not UTF-8


@step
async def take(text, name):
    return (await run(["printf", "%s", text])).stdout


@step
async def fail(name):
    # json.loads("\\ud800") gives a lone high surrogate: no encoding, not even surrogateescape
    raise RuntimeError("cannot open " + name + " " + HOSTILE + " \\ud800")


@workflow
async def main():
    await print(HOSTILE.replace("\\x1b", "ESC"))
    await take(HOSTILE, NAME)
    await echo()("answer " + HOSTILE + "\\nline 2")
    try:
        await fail(NAME)
    except RuntimeError:
        pass
    return NAME
"""


def test_hostile_run_data_is_shown_not_obeyed(godel_run, tmp_path: Path) -> None:
    (tmp_path / "wf.py").write_text(WORKFLOW)
    ran = godel_run("run", "wf.py", env={"ECHO_HOME": str(tmp_path / "echo")})
    assert ran.returncode == 0, ran.stderr
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    run_id = log.stem
    events = [json.loads(line) for line in log.read_text().splitlines()[1:]]
    commands = [
        ("show", run_id),
        ("show", run_id, "--all"),
        ("show", run_id, "--graph"),
        *[("show", run_id, "--full", e["event_id"]) for e in events],
        ("tail", run_id, "--no-follow", "-v"),
        ("tail", run_id, "--no-follow", "--show-tools"),
        ("watch", "--plain", run_id),
        ("runs", "list"),
        ("cost", run_id),
    ]
    for args in commands:
        out = godel_run(*args)
        assert out.returncode == 0, (args, out.stderr)
        assert not UNSAFE.search(out.stdout), (args, UNSAFE.findall(out.stdout))

    for args in (("show", run_id, "--json"), ("runs", "list", "--json"), ("cost", "--json")):
        out = godel_run(*args)
        assert out.returncode == 0, (args, out.stderr)
        assert not UNSAFE.search(out.stdout.replace("\n", "")), args
        json.loads(out.stdout)
    full = next(e for e in events if e["op"] == "step.enter" and e["step_path"] == ["take"])
    out = godel_run("show", run_id, "--full", full["event_id"], "--json")
    assert json.loads(out.stdout)["request"] == full["request"]  # the exact data
