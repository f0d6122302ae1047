"""`read_text(path, replay=...)` on resume: "file" (default) the recorded content, "reread" the
file as it is now. The mode is not part of the request hash (REFERENCE §3.5)."""

from __future__ import annotations

import json
from pathlib import Path

WORKFLOW = """
from godel import workflow, step, read_text, run, print

@step
async def load():
    kept = await read_text("data.txt")
    fresh = await read_text("data.txt", replay="{mode}")
    return kept, fresh

@step
async def later():
    await run("test -f go")

@workflow
async def wf():
    kept, fresh = await load()
    await later()
    await print(f"kept={{kept.strip()}} fresh={{fresh.strip()}}")
"""


def events(log: Path) -> list[dict]:
    folded: dict[str, dict] = {}
    for line in log.read_text().splitlines()[1:]:
        event = json.loads(line)
        folded[event["event_id"]] = event
    return list(folded.values())


def test_resume_returns_recorded_content_by_default_and_rereads_on_request(godel_run, tmp_path):
    wf = tmp_path / "wf.py"
    wf.write_text(WORKFLOW.format(mode="file"))
    (tmp_path / "data.txt").write_text("v1\n")
    first = godel_run("run", "wf.py")
    assert first.returncode == 1, first.stderr  # `later` fails: no ./go yet
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    reads = [e for e in events(log) if e["op"] == "read_text"]
    assert [r["request"]["replay"] for r in reads] == ["file", "file"]

    (tmp_path / "data.txt").write_text("v2\n")
    (tmp_path / "go").touch()
    # Switching the second read to "reread" is not a changed request (no --on-mismatch needed).
    wf.write_text(WORKFLOW.format(mode="reread"))
    resumed = godel_run("resume", log.stem)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout == "kept=v1 fresh=v2\n"
    reads = [e for e in events(log) if e["op"] == "read_text"]
    assert [(r["request"]["replay"], r["response"]["content"]) for r in reads] == [
        ("file", "v1\n"),
        ("file", "v1\n"),
        ("reread", "v2\n"),  # the re-read is recorded too
    ]


def test_an_unknown_replay_mode_is_a_clear_error(godel_run, tmp_path):
    (tmp_path / "wf.py").write_text(WORKFLOW.format(mode="sometimes"))
    (tmp_path / "data.txt").write_text("v1\n")
    proc = godel_run("run", "wf.py")
    assert proc.returncode == 2
    assert "replay= must be 'file' or 'reread', got 'sometimes'" in proc.stderr
    assert "Traceback" not in proc.stderr
