"""capture_stdout=True: fd 1 goes to the transcript line by line, and still to the terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

from godel import parallel, step, workflow
from godel.engine.capture import active
from godel.exceptions import ConfigError


def transcript_events(runs_dir: Path, run_id: str) -> list[dict[str, Any]]:
    path = runs_dir / run_id / "transcript.jsonl"
    if not path.exists():
        return []
    return [json.loads(line)["event"] for line in path.read_text().splitlines()[1:]]


def stdout_lines(runs_dir: Path, run_id: str) -> list[tuple[tuple[str, ...], str]]:
    return [
        (tuple(e["step_path"]), e["line"])
        for e in transcript_events(runs_dir, run_id)
        if e["op"] == "stdout"
    ]


@pytest.fixture(autouse=True)
def _capture_on(monkeypatch):
    monkeypatch.delenv("GODEL_NO_CAPTURE", raising=False)
    yield
    assert not active()  # every test leaves fd 1 as it found it


def fd1_identity() -> tuple[int, int]:
    st = os.fstat(1)
    return st.st_dev, st.st_ino


def test_a_step_captures_print_raw_fd_writes_and_children(run_wf, runs_dir, capfd):
    before = fd1_identity()

    @step(capture_stdout=True)
    async def noisy(n: int) -> int:
        print("print", n)
        sys.stdout.write("partial ")
        sys.stdout.write("line\n")
        os.write(1, b"raw write\r\n")
        subprocess.run([sys.executable, "-c", "print('from a child')"], check=True)
        print("no newline at the end", end="")
        return n

    @workflow
    async def wf() -> int:
        print("before")
        n = await noisy(7)
        print("after")
        return n

    result, run_id = run_wf(wf, transcript=True)
    assert result == 7
    assert stdout_lines(runs_dir, run_id) == [
        (("noisy",), "print 7"),
        (("noisy",), "partial line"),
        (("noisy",), "raw write"),
        (("noisy",), "from a child"),
        (("noisy",), "no newline at the end"),
    ]
    events = [e for e in transcript_events(runs_dir, run_id) if e["op"] == "stdout"]
    assert len({tuple(e["stream_path"]) for e in events}) == 1  # one capture, one stream
    out = capfd.readouterr().out
    for text in (
        "before",
        "print 7",
        "partial line",
        "raw write",
        "from a child",
        "no newline at the end",
        "after",
    ):
        assert text in out  # the terminal still shows everything
    assert out.index("before") < out.index("print 7") < out.index("after")
    assert fd1_identity() == before


def test_a_workflow_captures_its_body_and_nested_steps_take_over(run_wf, runs_dir, capfd):
    @step(capture_stdout=True)
    async def inner() -> None:
        print("inside")

    @step
    async def plain() -> None:
        print("plain step")

    @workflow(capture_stdout=True)
    async def wf() -> None:
        print("first")
        await inner()
        print("between")
        await plain()
        print("last")

    _, run_id = run_wf(wf, transcript=True)
    assert stdout_lines(runs_dir, run_id) == [
        ((), "first"),
        (("inner",), "inside"),
        ((), "between"),
        ((), "plain step"),
        ((), "last"),
    ]
    assert "first\ninside\nbetween\nplain step\nlast\n" in capfd.readouterr().out


def test_capture_ends_on_failure_and_the_output_is_kept(run_wf, runs_dir, capfd):
    before = fd1_identity()

    @step(capture_stdout=True)
    async def failing() -> None:
        print("about to fail")
        raise ValueError("nope")

    @workflow
    async def wf() -> None:
        await failing()

    with pytest.raises(ValueError) as info:
        run_wf(wf, transcript=True)
    assert stdout_lines(runs_dir, info.value.run_id) == [(("failing",), "about to fail")]
    assert fd1_identity() == before
    assert "about to fail" in capfd.readouterr().out


def test_concurrent_captures_in_parallel_branches_are_refused(run_wf, runs_dir, capfd):
    @step(capture_stdout=True)
    async def chatty(i: int) -> int:
        print("branch", i)
        await anyio.sleep(0.05)
        return i

    @workflow
    async def wf() -> Any:
        return await parallel(chatty(1), chatty(2))

    with pytest.raises(ConfigError, match="concurrent branch") as info:
        run_wf(wf, transcript=True)
    assert "max_concurrency=1" in info.value.remediation_hint


def test_captures_one_at_a_time_in_parallel_are_fine(run_wf, runs_dir, capfd):
    @step(capture_stdout=True)
    async def chatty(i: int) -> int:
        print("branch", i)
        await anyio.sleep(0.01)
        return i

    @workflow
    async def wf() -> Any:
        return await parallel(chatty(1), chatty(2), max_concurrency=1)

    result, run_id = run_wf(wf, transcript=True)
    assert result == (1, 2)
    assert stdout_lines(runs_dir, run_id) == [(("chatty",), "branch 1"), (("chatty",), "branch 2")]


def test_a_step_inside_a_capturing_step_nests(run_wf, runs_dir, capfd):
    @step(capture_stdout=True)
    async def leaf(i: int) -> None:
        print("leaf", i)

    @step(capture_stdout=True)
    async def outer() -> None:
        print("outer 1")
        await parallel(leaf(1))
        print("outer 2")

    @workflow
    async def wf() -> None:
        await outer()

    _, run_id = run_wf(wf, transcript=True)
    assert stdout_lines(runs_dir, run_id) == [
        (("outer",), "outer 1"),
        (("outer", "leaf"), "leaf 1"),
        (("outer",), "outer 2"),
    ]


def test_godel_no_capture_turns_it_off(run_wf, runs_dir, capfd, monkeypatch):
    monkeypatch.setenv("GODEL_NO_CAPTURE", "1")

    @step(capture_stdout=True)
    async def noisy() -> None:
        print("visible only")

    @workflow(capture_stdout=True)
    async def wf() -> None:
        await noisy()

    _, run_id = run_wf(wf, transcript=True)
    assert stdout_lines(runs_dir, run_id) == []
    assert "visible only" in capfd.readouterr().out


def test_without_a_transcript_there_is_nothing_to_capture_into(run_wf, runs_dir, capfd):
    @step(capture_stdout=True)
    async def noisy() -> None:
        print("shown")
        assert not active()

    @workflow
    async def wf() -> None:
        await noisy()

    run_wf(wf, transcript=False)
    assert "shown" in capfd.readouterr().out


def test_captured_lines_are_redacted_but_the_terminal_copy_is_not(run_wf, runs_dir, capfd):
    token = "ghp_Zx9Cv8Bn7Mm6Ll5Kk4Jj3Hh2Gg1Ff0DdSsAaQq"

    @step(capture_stdout=True)
    async def leak() -> None:
        print("token", token, "and ACME-123456")

    @workflow(redact=[r"ACME-\d{6}"])
    async def wf() -> None:
        await leak()

    _, run_id = run_wf(wf, transcript=True)
    assert stdout_lines(runs_dir, run_id) == [
        (("leak",), "token [REDACTED:github_token] and [REDACTED]")
    ]
    assert token in capfd.readouterr().out


def test_resume_captures_the_steps_that_run_again(run_wf, runs_dir, capfd):
    from godel import print as gprint
    from godel.engine.workflow import resume

    @step(capture_stdout=True)
    async def noisy() -> None:
        print("body output")
        await gprint("recorded")

    @step
    async def fail_once(fail: list[bool]) -> None:
        if fail:
            fail.pop()
            raise RuntimeError("first attempt")

    flag = [True]

    @workflow
    async def wf() -> None:
        await noisy()
        await fail_once(flag)

    with pytest.raises(RuntimeError) as info:
        run_wf(wf, transcript=True)
    run_id = info.value.run_id
    anyio.run(lambda: resume(wf, run_id, runs_dir=runs_dir, args=(), kwargs={}))
    lines = stdout_lines(runs_dir, run_id)
    # The step body runs again on resume (its recorded print replays and is shown again).
    assert lines == [(("noisy",), "body output"), (("noisy",), "recorded")] * 2


def test_sys_stdout_buffering_is_restored(run_wf, runs_dir):
    stream = sys.stdout
    before = getattr(stream, "line_buffering", None)

    @step(capture_stdout=True)
    async def noisy() -> None:
        print("x")

    @workflow
    async def wf() -> None:
        await noisy()

    run_wf(wf, transcript=True)
    assert getattr(sys.stdout, "line_buffering", None) == before
