"""``godel show``: the summary and the events of a run, read-only, from the real command."""

from __future__ import annotations

import json
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from godel import print, run, step, workflow, write_text
from godel.engine.workflow import RunOptions, execute
from godel.log.eventlog import EventLog
from godel.log.events import Op
from godel.log.ids import short_id


@step
async def save(path: str) -> None:
    await write_text(path, "z" * 8000)


@step
async def boom() -> None:
    await run(["sh", "-c", "echo nope >&2; exit 4"])


@workflow
async def good(path: str) -> None:
    await print("hello")
    await save(path)


@step
async def lines() -> str:
    return "\n" * 300 + "  after the blank lines " + "r" * 5000  # past the blob's preview


@workflow
async def big_values(path: str) -> str:
    await print("small")
    await save(path)
    return await lines()


@workflow
async def bad() -> None:
    await print("about to fail")
    await boom()


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    return tmp_path / "runs"


@pytest.fixture
def make_run(runs: Path) -> Callable[..., str]:
    """Run a workflow in this process; return its run id (whether it failed or not)."""

    def make(wf: Any, *args: Any) -> str:
        ids: list[str] = []
        options = RunOptions(
            runs_dir=runs, transcript=False, on_start=lambda run_id, _p: ids.append(run_id)
        )
        try:
            anyio.run(execute, wf.__godel_workflow__, args, {}, options)
        except Exception:
            pass
        return ids[0]

    return make


def test_show_a_failed_run(
    godel_run: Callable[..., Any], make_run: Callable[..., str], runs: Path
) -> None:
    run_id = make_run(bad)
    result = godel_run("show", run_id[:10], "--runs-dir", str(runs))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert "\x1b[" not in out  # no colours when stdout is not a terminal
    head, table = out.split("\n\n", 1)
    assert f"run       {run_id}" in head and "workflow  bad" in head and "status    FAILED" in head
    assert "error     CommandFailure: command failed (exit 4)" in head
    cause = next(e for e in EventLog.load(run_id, runs) if e.op == Op.RUN)
    assert f"failed at run boom [{short_id(cause.event_id)}]" in head
    lines = table.splitlines()
    assert lines[0].split() == ["ID", "OP", "STEP", "STATUS", "DURATION", "DETAIL"]
    assert any(
        line.startswith(short_id(cause.event_id)) and "FAILED" in line and "exit 4" in line
        for line in lines
    )
    assert any("print" in line and "(root)" in line and "about to fail" in line for line in lines)


def test_unknown_and_ambiguous_runs_exit_1(
    godel_run: Callable[..., Any], make_run: Callable[..., str], runs: Path, tmp_path: Path
) -> None:
    result = godel_run("show", "01ABCDEF", "--runs-dir", str(runs))
    assert result.returncode == 1 and "No runs/ directory found at" in result.stderr
    first, second = make_run(bad), make_run(bad)
    result = godel_run("show", "NOSUCHRUN", "--runs-dir", str(runs))
    assert result.returncode == 1 and 'No run matching "NOSUCHRUN"' in result.stderr
    common = next(i for i in range(26) if first[i] != second[i])
    assert common >= 4  # ULIDs made a moment apart share their time prefix
    result = godel_run("show", first[:common], env={"GODEL_RUNS_DIR": str(runs)})
    assert result.returncode == 1 and f'Ambiguous prefix "{first[:common]}"' in result.stderr
    assert first in result.stderr and second in result.stderr


def test_graph(
    godel_run: Callable[..., Any], make_run: Callable[..., str], runs: Path, tmp_path: Path
) -> None:
    run_id = make_run(good, str(tmp_path / "out.txt"))
    result = godel_run("show", run_id, "--graph", "--runs-dir", str(runs))
    assert result.returncode == 0, result.stderr
    tree = result.stdout.split("\n\n", 1)[1].splitlines()
    assert tree[0].startswith("✓ ") and "workflow good(" in tree[0]
    assert tree[1].startswith("├─ ✓ ") and "print hello" in tree[1]
    assert tree[2].startswith("└─ ✓ ") and "step save" in tree[2]
    assert tree[3].startswith("   └─ ✓ ") and "write_text" in tree[3] and "(8000 B)" in tree[3]


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "ascii"])
def test_a_stdout_that_is_not_utf8_shows_what_it_can(
    make_run: Callable[..., str], runs: Path, tmp_path: Path, encoding: str
) -> None:
    """Arrows and marks it cannot encode become ``?``, not a UnicodeEncodeError."""
    import os
    import sys

    run_id = make_run(good, str(tmp_path / "out.txt"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_")}
    for args in ([], ["--graph"], ["--json"]):
        done = subprocess.run(
            [str(Path(sys.executable).parent / "godel"), "show", run_id, *args],
            capture_output=True,
            env={**env, "PYTHONIOENCODING": encoding, "GODEL_RUNS_DIR": str(runs)},
            timeout=60,
        )
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        assert run_id.encode() in done.stdout and b"Traceback" not in done.stderr


def test_full_event_by_its_short_id(
    godel_run: Callable[..., Any], make_run: Callable[..., str], runs: Path, tmp_path: Path
) -> None:
    run_id = make_run(good, str(tmp_path / "out.txt"))
    write = next(e for e in EventLog.load(run_id, runs) if e.op == Op.WRITE_TEXT)
    result = godel_run("show", run_id, "--full", short_id(write.event_id), "--runs-dir", str(runs))
    assert result.returncode == 0, result.stderr
    assert f"event           {write.event_id}" in result.stdout
    assert "z" * 8000 in result.stdout  # the whole value, back from the blob sidecar
    as_json = json.loads(
        godel_run(
            "show", run_id, "--full", write.event_id, "--json", "--runs-dir", str(runs)
        ).stdout
    )
    assert as_json["request"]["content"] == "z" * 8000 and as_json["op"] == "write_text"
    missing = godel_run("show", run_id, "--full", "NOPE1234", "--runs-dir", str(runs))
    assert missing.returncode == 1 and 'Event ID not found: "NOPE1234"' in missing.stderr


def test_json(godel_run: Callable[..., Any], make_run: Callable[..., str], runs: Path) -> None:
    run_id = make_run(bad)
    data = json.loads(godel_run("show", run_id, "--json", "--runs-dir", str(runs)).stdout)
    assert data["run"]["status"] == "FAILED" and data["run"]["failure"]["cause"]["op"] == "run"
    assert [e["op"] for e in data["events"]][:2] == ["WORKFLOW_STARTED", "print"]
    assert {"event_id", "short_id", "mark", "children_ids", "request", "response"} <= set(
        data["events"][0]
    )
    tree = json.loads(
        godel_run("show", run_id, "--graph", "--json", "--runs-dir", str(runs)).stdout
    )["tree"]
    assert tree[0]["event"]["op"] == "WORKFLOW_STARTED" and tree[0]["children"]


def test_torn_last_line_is_a_warning(
    godel_run: Callable[..., Any], make_run: Callable[..., str], runs: Path
) -> None:
    run_id = make_run(bad)
    with open(runs / f"{run_id}.jsonl", "ab") as f:
        f.write(b'{"event_id":"01M8')
    result = godel_run("show", run_id, "--runs-dir", str(runs))
    assert result.returncode == 0
    assert "[godel] warning:" in result.stderr and "torn last line" in result.stderr
    assert "status    FAILED" in result.stdout


RESUMABLE = textwrap.dedent("""
    from pathlib import Path
    from godel import workflow, step, run, print

    @step
    async def flaky(flag: str):
        await print("trying")
        await run(["test", "-e", flag])

    @workflow
    async def resumable(flag: str):
        await flaky(flag)
""")


def test_resumed_run_shows_the_latest_attempt_and_all_shows_the_prior_one(
    godel_run: Callable[..., Any], tmp_path: Path
) -> None:
    wf = tmp_path / "wf.py"
    wf.write_text(RESUMABLE)
    flag = tmp_path / "flag"
    first = godel_run("run", str(wf), "--", str(flag))
    assert first.returncode == 1, first.stderr
    run_id = next(
        line.split()[-1] for line in first.stderr.splitlines() if line.startswith("[godel] run ")
    )
    flag.touch()
    assert godel_run("resume", run_id).returncode == 0
    shown = godel_run("show", run_id)
    assert "status    FINISHED" in shown.stdout and "attempts  2" in shown.stdout
    table = shown.stdout.split("\n\n", 1)[1]
    assert "FAILED" not in table and "RESUME" not in table
    assert table.count("step.enter") == 1 and table.count(" run ") == 1
    # --all as REFERENCE §13.4 lays it out: each failed attempt boxed above the one that
    # followed it, the RESUME record in place.
    utf8 = {"PYTHONIOENCODING": "utf-8"}
    everything = godel_run("show", run_id, "--all", env=utf8).stdout.split("\n\n", 1)[1]
    lines = everything.splitlines()
    boxes = [i for i, line in enumerate(lines) if line == "  ┌─ ✗ 1 prior attempt(s):"]
    assert len(boxes) == 2
    for i in boxes:
        assert lines[i + 1].startswith("  │  ") and " FAILED " in lines[i + 1]
        assert lines[i + 2] == "  └─ succeeded:" and " FINISHED " in lines[i + 3]
    assert "step.enter" in lines[boxes[0] + 1] and " run " in lines[boxes[1] + 1]
    assert any(" RESUME " in line for line in lines)


LIVE = textwrap.dedent("""
    from godel import workflow, input, print

    @workflow
    async def live():
        name = await input("name? ")
        await print(f"hi {name}")
""")


def test_a_live_run_is_running_and_readable(
    godel_bin: Path, cli_env: dict[str, str], tmp_path: Path
) -> None:
    wf = tmp_path / "live.py"
    wf.write_text(LIVE)
    env = {**cli_env, "GODEL_RUNS_DIR": str(tmp_path / "runs")}
    proc = subprocess.Popen(
        [str(godel_bin), "run", str(wf), "--auto-checkpoint", "pipe"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert proc.stderr is not None and proc.stdin is not None
        run_id = next(line.split()[-1] for line in proc.stderr if line.startswith("[godel] run "))
        live = subprocess.run(
            [str(godel_bin), "show", run_id],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=60,
        )
        assert live.returncode == 0 and "status    RUNNING" in live.stdout
        listed = subprocess.run(
            [str(godel_bin), "runs", "list", "--json"],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=60,
        )
        assert json.loads(listed.stdout)[0]["status"] == "RUNNING"
        proc.stdin.write("ada\n")
        proc.stdin.flush()
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    done = subprocess.run(
        [str(godel_bin), "show", run_id],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert "status    FINISHED" in done.stdout and '"name? " → "ada"' in done.stdout


RETRIED = textwrap.dedent("""
    from godel import WorkflowFail, print, retry, run, step, workflow

    @retry(3)
    @step
    async def flaky(flag: str):
        await run(["sh", "-c", f"echo x >> {flag}"])
        lines = (await run(["cat", flag])).stdout.count("x")
        if lines < 3:
            raise WorkflowFail(f"attempt {lines} failed")
        return lines

    @step
    async def last():
        await print("done")

    @workflow
    async def retried(flag: str):
        await flaky(flag)
        await last()
""")


def test_failed_retry_attempts_are_shown_only_with_all(
    godel_run: Callable[..., Any], tmp_path: Path
) -> None:
    (tmp_path / "wf.py").write_text(RETRIED)
    done = godel_run("run", "wf.py", "--", str(tmp_path / "count"))
    assert done.returncode == 0, done.stderr
    (log_path,) = (tmp_path / "runs").glob("*.jsonl")
    log = EventLog.load(log_path.stem, tmp_path / "runs")
    steps = [e for e in log.events if e.op == Op.STEP_ENTER and e.step_path == ("flaky",)]
    assert [e.status.value for e in steps] == ["FAILED", "FAILED", "FINISHED"]
    ok = steps[-1]
    runs_of = {s.event_id: [e for e in log.events if e.parent_id == s.event_id] for s in steps}
    utf8 = {"PYTHONIOENCODING": "utf-8"}

    # By default: the attempt that succeeded, and what ran in it; nothing of the failed two.
    table = godel_run("show", log_path.stem, env=utf8).stdout.split("\n\n", 1)[1]
    shown = [line.split()[0] for line in table.splitlines()[1:]]
    root = log.events[0]
    after = [e for e in log.events if e.step_path and e.step_path[0] == "last"]
    assert shown == [
        short_id(root.event_id),
        short_id(ok.event_id),
        *[short_id(e.event_id) for e in runs_of[ok.event_id]],
        *[short_id(e.event_id) for e in after],
    ]
    assert "FAILED" not in table and "attempt 1 failed" not in table

    # --all: the failed attempts, with what ran in them, boxed just above the one that succeeded.
    lines = godel_run("show", log_path.stem, "--all", env=utf8).stdout.split("\n\n", 1)[1]
    lines = lines.splitlines()
    start = lines.index("  ┌─ ✗ 2 prior attempt(s):")
    box = lines[start + 1 : start + 7]
    expected = []
    for attempt in steps[:2]:
        expected += [short_id(attempt.event_id)]
        expected += [short_id(e.event_id) for e in runs_of[attempt.event_id]]
    assert [line[5:].split()[0] for line in box] == expected
    assert all(line.startswith("  │  ") for line in box)
    assert "attempt 1 failed" in box[0] and "attempt 2 failed" in box[3]
    assert lines[start + 7] == "  └─ succeeded:"
    assert lines[start + 8].startswith(short_id(ok.event_id))

    # The tree, the same way.
    graph = godel_run("show", log_path.stem, "--graph", env=utf8).stdout
    assert "✗" not in graph and short_id(steps[0].event_id) not in graph
    graph_all = godel_run("show", log_path.stem, "--graph", "--all", env=utf8).stdout
    tree = graph_all.split("\n\n", 1)[1].splitlines()
    start = tree.index("├─ ┌─ ✗ 2 prior attempt(s):")
    assert tree[start + 1].startswith(f"│  │  ✗ {short_id(steps[0].event_id)} step flaky")
    assert tree[start + 7] == "│  └─ succeeded:"
    assert tree[start + 8].startswith(f"├─ ✓ {short_id(ok.event_id)} step flaky")

    # JSON: hidden by default, marked "prior" with --all.
    plain = json.loads(godel_run("show", log_path.stem, "--json").stdout)
    assert steps[0].event_id not in {e["event_id"] for e in plain["events"]}
    marked = json.loads(godel_run("show", log_path.stem, "--json", "--all").stdout)
    marks = {e["event_id"]: e["mark"] for e in marked["events"]}
    assert marks[steps[0].event_id] == marks[steps[1].event_id] == "prior"
    assert marks[ok.event_id] == ""


REWOUND = textwrap.dedent("""
    from godel import det, step, workflow

    @step
    async def a():
        return det.randint(1, 6)

    @step
    async def b():
        return det.randint(1, 6)

    @workflow
    async def rewound():
        return [await a(), await b()]
""")


def test_invalidated_events_are_shown_only_with_all_in_a_section_at_the_end(
    godel_run: Callable[..., Any], tmp_path: Path
) -> None:
    (tmp_path / "wf.py").write_text(REWOUND)
    assert godel_run("run", "wf.py").returncode == 0
    (log_path,) = (tmp_path / "runs").glob("*.jsonl")
    run_id = log_path.stem
    b = next(e for e in EventLog.load(run_id, tmp_path / "runs").events if e.step_path == ("b",))
    assert godel_run("rewind", run_id, "--to", b.event_id).returncode == 0
    assert godel_run("resume", run_id).returncode == 0
    log = EventLog.load(run_id, tmp_path / "runs")
    gone = [e for e in log.events if e.status.value == "INVALIDATED"]
    assert {e.step_path for e in gone} == {("b",)} and len(gone) == 2  # the step and its draw
    utf8 = {"PYTHONIOENCODING": "utf-8"}
    for extra in ((), ("--graph",)):
        shown = godel_run("show", run_id, *extra, env=utf8).stdout
        assert "INVALIDATED" not in shown and "⊘" not in shown
        assert all(short_id(e.event_id) not in shown for e in gone)
        lines = godel_run("show", run_id, "--all", *extra, env=utf8).stdout.splitlines()
        title = lines.index("┄┄┄ invalidated (rewind) ┄┄┄")
        assert len(lines) == title + 3  # the section ends the output
        for line, ev in zip(lines[title + 1 :], gone, strict=True):
            assert line.startswith("  ⊘ ") and short_id(ev.event_id) in line


def test_a_hand_edited_parent_cycle_is_a_warning_not_a_hang(
    godel_run: Callable[..., Any], make_run: Callable[..., str], runs: Path
) -> None:
    # The root and its step each naming the other as parent. Readers walk parents up (the cost
    # ledger looped for ever on a cycle above an agent call); the root was no longer found.
    run_id = make_run(good, str(runs.parent / "out.txt"))
    log = runs / f"{run_id}.jsonl"
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    a = next(x["event_id"] for x in lines if x.get("op") == "WORKFLOW_STARTED")
    b = next(x["event_id"] for x in lines if x.get("op") == "step.enter")
    for x in lines:
        if x.get("event_id") in (a, b):
            x["parent_id"] = b if x["event_id"] == a else a
    log.write_text("".join(json.dumps(x) + "\n" for x in lines))
    for command in (("show", run_id), ("show", run_id, "--graph"), ("cost", run_id)):
        result = godel_run(*command, "--runs-dir", str(runs))
        assert result.returncode == 0, (command, result.stderr)
        if command[0] == "show":  # cost reads the log without its consistency checks
            assert "has parents that go round in a cycle" in result.stderr


def test_show_reads_a_blob_back_only_for_the_event_it_prints(
    make_run: Callable[..., str], runs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Big values stay in the blob sidecar until printed, one at a time; the text is the same."""
    from click.testing import CliRunner

    from godel.log.blobs import BlobStore
    from godel_cli.main import cli

    run_id = make_run(big_values, str(tmp_path / "out.txt"))
    small = next(e for e in EventLog.load(run_id, runs) if e.op == Op.PRINT)
    runner = CliRunner()
    variants = ([], ["--all"], ["--graph"], ["--full", small.event_id])

    def show(args: list[str]) -> tuple[int, str, str]:
        result = runner.invoke(cli, ["show", run_id, *args, "--runs-dir", str(runs)])
        return result.exit_code, result.stdout, result.stderr

    lazy = [show(args) for args in variants]
    load = EventLog.load.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(
        EventLog, "load", classmethod(lambda cls, *a, **k: load(cls, *a))
    )  # every blob read back on load, as before
    assert lazy == [show(args) for args in variants]
    assert "→ ⏎ after the blank lines rrr" in lazy[0][1]
    monkeypatch.undo()
    reads: list[str] = []
    get = BlobStore.get
    monkeypatch.setattr(BlobStore, "get", lambda self, d: reads.append(d) or get(self, d))
    assert show(["--full", small.event_id])[0] == 0 and reads == []


@step
async def huge(i: int) -> str:
    return f"{i}" * 2_000_000  # a blob of its own: 2 MB


@workflow
async def huge_values() -> None:
    for i in range(8):
        await huge(i)


def test_the_json_of_a_run_holds_one_big_value_at_a_time(
    make_run: Callable[..., str], runs: Path
) -> None:
    """``show --json`` of a run with eight 2 MB answers peaks below their sum. It held all of
    them several times over (the rows, the document's text, its terminal-safe copy): 65 MB."""
    import contextlib
    import os
    import tracemalloc

    from click.testing import CliRunner

    from godel_cli.main import cli

    run_id = make_run(huge_values)
    args = ["show", run_id, "--json", "--runs-dir", str(runs)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    events = json.loads(result.stdout)["events"]
    answers = [ev["response"]["result"] for ev in events if ev["op"] == "step.enter"]
    assert answers == [f"{i}" * 2_000_000 for i in range(8)]
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        tracemalloc.start()
        try:
            cli.main(args, standalone_mode=False)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 16_000_000, peak


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    run=st.dictionaries(st.text(), _json_values, max_size=4),
    events=st.lists(st.dictionaries(st.text(), _json_values, max_size=4), max_size=4),
)
def test_the_events_json_is_the_document_json_dumps_prints(
    run: dict[str, Any], events: list[dict[str, Any]]
) -> None:
    """Written an event at a time, the text is the one document's, character for character
    (empty lists, nested values, the terminal-safe escapes included)."""
    import contextlib
    import io

    from godel_cli.commands.show import _dump, _dump_events

    whole, streamed = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(whole):
        _dump({"run": run, "events": events})
    with contextlib.redirect_stdout(streamed):
        _dump_events(run, iter(events))
    assert streamed.getvalue() == whole.getvalue()
