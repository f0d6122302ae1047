"""``godel.runs.render``: one-line event formatting, identity groups, the table, the tree, the full view."""

from __future__ import annotations

import json
import keyword
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from godel import det, parallel, print, read_text, run, step, workflow, write_text
from godel.log.eventlog import EventLog
from godel.log.events import Event, EventStatus, Op
from godel.log.ids import short_id
from godel.runs.render.format import (
    clip,
    clock,
    detail,
    format_duration,
    format_event_line,
    repr_call_parts,
    seconds_between,
    shown,
    step_label,
    terminal_json,
)
from godel.runs.render.full import render_full
from godel.runs.render.graph import render_graph
from godel.runs.render.groups import Mark, group_events, latest_rows, rows
from godel.runs.render.table import render_header, render_table
from godel.runs.status import summarize_log


def ev(
    op: str,
    status: EventStatus = EventStatus.FINISHED,
    request: dict | None = None,
    response: dict | None = None,
    step_path: tuple[str, ...] = (),
) -> Event:
    return Event(
        "01HZZZZZZZZZZZZZZZABCDEFGH",
        "run",
        1,
        op=op,
        status=status,
        request=request or {},
        response=response,
        step_path=step_path,
        ts_start="2026-01-01T00:00:00+00:00",
        ts_end="2026-01-01T00:00:01.5+00:00" if status is not EventStatus.STARTED else None,
    )


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "-"),
        (0.0123, "0.012s"),
        (12.34, "12.3s"),
        (245, "4m 05s"),
        (7380, "2h 03m"),
    ],
)
def test_format_duration(seconds: float | None, text: str) -> None:
    assert format_duration(seconds) == text


def test_small_helpers() -> None:
    assert step_label(()) == "(root)" and step_label(("a", "b")) == "a/b"
    assert clip("one\ntwo\n", 100) == "one ⏎ two"
    assert clip("x" * 10, 5) == "xxxx…"
    assert (
        clip("red \x1b[31mtext\tend") == "red \ufffd[31mtext end"
    )  # escapes are shown, not obeyed
    assert seconds_between("2026-01-01T00:00:00+00:00", "2026-01-01T00:00:01.5+00:00") == 1.5
    assert seconds_between("2026-01-01T00:00:00+00:00", None) is None
    # What a hand edit may leave (Python 3.10's own parser refuses the last two).
    assert seconds_between("2026-01-01T00:00:00Z", "2026-01-01T00:00:00.25Z") == 0.25
    assert seconds_between("2026-01-01T00:00:00.1+00:00", "2026-01-01T00:00:00.1234567+00:00") == (
        0.023456
    )


@pytest.mark.parametrize(
    ("stamp", "millis"),
    [
        ("2026-01-01T00:00:01.123456+00:00", "123"),
        ("2026-01-01T00:00:01.5+00:00", "500"),
        ("2026-01-01T00:00:01.12+00:00", "120"),
        ("2026-01-01T00:00:01+00:00", "000"),
        ("2026-01-01T00:00:01.5Z", "500"),
    ],
)
def test_clock_shows_milliseconds_of_any_fraction(stamp: str, millis: str) -> None:
    assert re.fullmatch(rf"\d\d:\d\d:\d\d\.{millis}", clock(stamp))


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (
            ev(Op.RUN, request={"cmd": ["echo", "a b"]}, response={"returncode": 0}),
            "$ echo 'a b' → exit 0",
        ),
        (ev(Op.READ_TEXT, request={"path": "/f"}, response={"bytes_read": 12}), "/f (12 B)"),
        (
            ev(
                Op.WRITE_TEXT, request={"path": "/f", "content": "x"}, response={"bytes_written": 1}
            ),
            "/f (1 B)",
        ),
        (ev(Op.PRINT, request={"text": "hello\n"}, response={}), "hello"),
        (ev(Op.DET_RANDOM, response={"value": 0.5}), "0.5"),
        (ev(Op.DET_UUID4, response={"value": "u-u"}), "u-u"),
        (ev(Op.INPUT, request={"prompt": "name? "}, response={"value": "al"}), '"name? " → "al"'),
        (
            ev(Op.INPUT, EventStatus.STARTED, request={"prompt": "name? "}),
            '"name? " (waiting for an answer)',
        ),
        (ev(Op.SLEEP, request={"seconds": 2}, response={}), "2s"),
        (ev(Op.FORK, request={"branches": 3}), "3 branches"),
        (
            ev(
                Op.STEP_ENTER,
                request={"name": "s", "args": [1, "x"], "kwargs": {"k": 2}},
                response={"result": 5},
            ),
            '(1, "x", k=2) → 5',
        ),
        (
            ev(Op.RESUME, request={"attempt": 2}, response={"cached_events": 7}),
            "attempt 2, 7 cached events",
        ),
        (
            ev(
                Op.STEP_ENTER,
                EventStatus.FAILED,
                response={"error": "boom", "error_type": "ValueError"},
            ),
            "ValueError: boom",
        ),
        (
            ev(
                Op.RUN,
                EventStatus.FAILED,
                request={"cmd": ["false"]},
                response={"error": "exit 1", "error_type": "CommandFailure"},
            ),
            "CommandFailure: exit 1 ($ false)",
        ),
        (
            ev(
                Op.AGENT_CALL,
                request={
                    "backend": "claude",
                    "model": "sonnet",
                    "prompt": "hi",
                    "schema_name": "Pick",
                },
                response={"usage": {"input_tokens": 120, "output_tokens": 7}, "cost_usd": 0.0012},
            ),
            'claude/sonnet 120→7 tok $0.0012 schema=Pick "hi"',
        ),
        (
            ev(
                Op.AGENT_CALL,
                EventStatus.STARTED,
                request={"backend": "copilot", "model": None, "prompt": "go"},
            ),
            'copilot "go"',
        ),
        (ev("custom.op", request={"a": 1}), '{"a":1}'),
    ],
)
def test_detail(event: Event, expected: str) -> None:
    assert detail(event) == expected


def test_event_line() -> None:
    line = format_event_line(ev(Op.PRINT, request={"text": "hi\n"}, response={}, step_path=("a",)))
    assert "ABCDEFGH" in line and "print" in line and " a " in line and "FINISHED" in line
    assert "1.500s" in line and line.endswith("hi")


# runs made by the engine ----------------------------------------------------------------------


@step
async def leaf(x: int) -> int:
    await print(f"leaf {x}")
    return x


async def plain_branch(i: int) -> int:
    await print(f"branch {i}")
    return await leaf(i)


@step
async def io_step(path: str) -> str:
    await write_text(path, "y" * 9000)
    await run(["true"])
    det.random()
    return (await read_text(path))[:3]


@workflow
async def tree(path: str) -> None:
    await io_step(path)
    await parallel(plain_branch(1), leaf(2))


def _load(run_id: str, runs_dir: Path) -> tuple[EventLog, list[Any]]:
    log = EventLog.load(run_id, runs_dir)
    return log, group_events(log, log.events[0].event_id)


def test_table_and_header(run_wf: Callable[..., Any], runs_dir: Path, tmp_path: Path) -> None:
    _, run_id = run_wf(tree, str(tmp_path / "f.txt"))
    log, groups = _load(run_id, runs_dir)
    table = render_table(rows(groups)).splitlines()
    assert table[0].split() == ["ID", "OP", "STEP", "STATUS", "DURATION", "DETAIL"]
    assert len(table) == 1 + len(log)  # one attempt, nothing hidden
    assert any("write_text" in line and "(9000 B)" in line for line in table)
    header = render_header(summarize_log(log), log.events[0])
    assert (
        f"run       {run_id}" in header
        and "status    FINISHED" in header
        and "attempts  1" in header
    )


def test_graph_shows_fork_branches(
    run_wf: Callable[..., Any], runs_dir: Path, tmp_path: Path
) -> None:
    _, run_id = run_wf(tree, str(tmp_path / "f.txt"))
    _, groups = _load(run_id, runs_dir)
    graph = render_graph(groups).splitlines()
    assert graph[0].startswith("✓ ") and "workflow" in graph[0]
    fork = next(i for i, line in enumerate(graph) if " FORK " in line)
    assert graph[fork + 1] == "│  ├─ branch [0]"
    assert "print branch 1" in graph[fork + 2] and graph[fork + 2].startswith("│  │  ├─ ✓ ")
    assert any(line.startswith("│  └─ ✓ ") and "step leaf (2)" in line for line in graph)
    ascii_graph = render_graph(groups, unicode=False)
    assert "|- ok " in ascii_graph and "├" not in ascii_graph


def test_full_view_has_the_whole_value(
    run_wf: Callable[..., Any], runs_dir: Path, tmp_path: Path
) -> None:
    _, run_id = run_wf(tree, str(tmp_path / "f.txt"))
    log, _ = _load(run_id, runs_dir)
    write = next(e for e in log if e.op == Op.WRITE_TEXT)
    text = render_full(write, log.get(write.parent_id))
    assert "y" * 9000 in text  # restored from the blob sidecar
    assert f"(short {short_id(write.event_id)})" in text and "step_local_seq  0" in text
    assert "── request ──" in text and "── response ──" in text and '"bytes_written": 9000' in text


# What no terminal may obey: C1 controls (\x9b is CSI), bidi overrides, and lone surrogates (a
# name decoded with surrogateescape): the last has no UTF-8 encoding, so printing it raised.
HOSTILE = "a\x9b2J b\u202ec d\udcff e\x1b]0;t\x07"


def test_clip_shows_c1_controls_bidi_overrides_and_lone_surrogates() -> None:
    text = clip(HOSTILE, 0)
    assert text == "a\ufffd2J b\ufffdc d\ufffd e\ufffd]0;t\ufffd"
    text.encode("utf-8")
    assert shown("tab\there", tab="  ") == "tab  here" and shown("é ✓ 日本") == "é ✓ 日本"


class _WholeSplitIsAnError(str):
    def splitlines(self, keepends: bool = False) -> list[str]:
        raise AssertionError("split the whole value")


def _clip_whole(text: str, width: int) -> str:
    """``clip`` as it was: every line of the value split and joined."""
    return clip(" ⏎ ".join(part.strip() for part in text.splitlines() if part.strip()), width)


def test_clip_splits_only_the_lines_it_shows_of_a_long_value() -> None:
    big = "\n \n" * 300 + "  first\r\nsecond line\n" * 200_000  # 4 MB, shown in 72 characters
    assert clip(_WholeSplitIsAnError(big)) == _clip_whole(big, 72)
    assert clip(big, 0) == _clip_whole(big, 0)


@settings(max_examples=300, database=None, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["", " ", "\t", "é", "x" * 40, "\x1b", "\u2028"]),
            st.text(alphabet="ab \n\r\x0b\x85", max_size=30),
        ),
        max_size=60,
    ),
    st.sampled_from(["\n", "\r\n", "\r", "\n\n  \n"]),
    st.integers(0, 120),
)
def test_clip_of_a_multi_line_value_is_the_clip_of_all_its_lines(
    parts: list[str], newline: str, width: int
) -> None:
    text = newline.join(parts) + newline
    assert clip(text, width) == _clip_whole(text, width)


def test_terminal_json_escapes_what_json_leaves_raw() -> None:
    value = {"k": HOSTILE + " é"}
    text = terminal_json(json.dumps(value, ensure_ascii=False))
    assert not re.search("[\x7f-\x9f\u202e\ud800-\udfff]", text)
    assert "\\u009b" in text and "\\u202e" in text and "\\udcff" in text and "é" in text
    assert json.loads(text) == value  # still the same JSON


def test_full_view_shows_hostile_values_escaped() -> None:
    event = ev("print", request={"text": HOSTILE}, step_path=("s\x9b",))
    text = render_full(event)
    text.encode("utf-8")
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e\ud800-\udfff]", text)
    assert "step path       s\ufffd" in text


def test_op_and_step_path_of_a_hand_edited_log_are_shown_not_obeyed() -> None:
    event = ev("pr\x1b]0;T\x07int", request={"text": "x"}, step_path=("s\x1b[2J\x9b",))
    for text in (
        render_table([(event, Mark.NONE)]),
        format_event_line(event),
        format_event_line(event, lambda text, role: text),
    ):
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", text), repr(text)
        assert "pr\ufffd]0;T\ufffdint" in text and "s\ufffd[2J\ufffd" in text


# identity groups across attempts --------------------------------------------------------------


def _two_attempts(runs_dir: Path) -> EventLog:
    """Attempt 1: step s prints, then its command fails. Attempt 2 replays the print (no new
    event) and runs the command again as a new event under a new step event."""
    with EventLog.create(runs_dir) as log:
        root = log.start(Op.WORKFLOW_STARTED, request={"function": "w"})
        s1 = log.start(
            Op.STEP_ENTER, request={"name": "s"}, step_path=("s",), parent_id=root.event_id
        )
        log.record(
            Op.PRINT, request={"text": "hi\n"}, response={}, step_path=("s",), parent_id=s1.event_id
        )
        r1 = log.start(
            Op.RUN,
            request={"cmd": ["x"]},
            step_path=("s",),
            parent_id=s1.event_id,
            step_local_seq=1,
        )
        log.fail(r1, "exit 1", error_type="CommandFailure")
        log.fail(s1, "exit 1", error_type="CommandFailure")
        log.fail(root, "exit 1", error_type="CommandFailure")
        run_id = log.run_id
    with EventLog.open(run_id, runs_dir) as log:
        root = log.get(root.event_id)
        log.record(
            Op.RESUME,
            request={"attempt": 2},
            parent_id=root.event_id,
            invocation_seq=-1,
            step_local_seq=-1,
        )
        s2 = log.start(
            Op.STEP_ENTER, request={"name": "s"}, step_path=("s",), parent_id=root.event_id
        )
        r2 = log.start(
            Op.RUN,
            request={"cmd": ["x"]},
            step_path=("s",),
            parent_id=s2.event_id,
            step_local_seq=1,
        )
        log.finish(r2, {"returncode": 0})
        log.finish(s2, {"result": None})
        stale = log.record(
            Op.DET_NOW, response={"value": "t"}, parent_id=root.event_id, step_local_seq=1
        )
        log.set_status(stale, EventStatus.INVALIDATED)
        log.finish(root, {"result": None})
    return EventLog.load(run_id, runs_dir)


def test_default_rows_show_the_latest_attempt_only(runs_dir: Path) -> None:
    log = _two_attempts(runs_dir)
    groups = group_events(log, log.events[0].event_id)
    shown = [(e.op, e.status.value, mark) for e, mark in rows(groups)]
    assert shown == [
        (Op.WORKFLOW_STARTED, "FINISHED", ""),
        (Op.STEP_ENTER, "FINISHED", ""),
        (Op.PRINT, "FINISHED", ""),
        (Op.RUN, "FINISHED", ""),
    ]


def test_all_rows_mark_prior_attempts_invalidated_events_and_records(runs_dir: Path) -> None:
    log = _two_attempts(runs_dir)
    groups = group_events(log, log.events[0].event_id)
    shown = [(e.op, e.status.value, mark) for e, mark in rows(groups, show_all=True)]
    assert shown == [
        (Op.WORKFLOW_STARTED, "FINISHED", ""),
        (Op.STEP_ENTER, "FAILED", Mark.PRIOR),
        (Op.STEP_ENTER, "FINISHED", ""),
        (Op.PRINT, "FINISHED", ""),
        (Op.RUN, "FAILED", Mark.PRIOR),
        (Op.RUN, "FINISHED", ""),
        (Op.RESUME, "FINISHED", Mark.META),
        (Op.DET_NOW, "INVALIDATED", Mark.INVALID),
    ]
    # Laid out as REFERENCE §13.4 shows --all: prior attempts boxed above the attempt that
    # followed them, invalidated events in a section at the end, records in place.
    ids = {e.op + e.status.value: short_id(e.event_id) for e in log.events}
    text = render_table(rows(groups, show_all=True)).splitlines()
    expected = [
        "ID ",
        ids["WORKFLOW_STARTEDFINISHED"] + "  WORKFLOW_STARTED",
        "  ┌─ ✗ 1 prior attempt(s):",
        f"  │  {ids['step.enterFAILED']}  step.enter",
        "  └─ succeeded:",
        ids["step.enterFINISHED"] + "  step.enter",
        ids["printFINISHED"] + "  print",
        "  ┌─ ✗ 1 prior attempt(s):",
        f"  │  {ids['runFAILED']}  run",
        "  └─ succeeded:",
        ids["runFINISHED"] + "  run",
        ids["RESUMEFINISHED"] + "  RESUME",
        "┄┄┄ invalidated (rewind) ┄┄┄",
        f"  ⊘ {ids['det.nowINVALIDATED']}  det.now",
    ]
    assert len(text) == len(expected) and all(
        line.startswith(start) for line, start in zip(text, expected, strict=True)
    ), text
    assert "CommandFailure: exit 1" in text[3] and "FAILED" in text[8]
    ascii_text = render_table(rows(groups, show_all=True), unicode=False).splitlines()
    assert ascii_text[2] == "  +- x 1 prior attempt(s):" and ascii_text[4] == "  `- succeeded:"
    assert ascii_text[12] == "--- invalidated (rewind) ---"


def test_graph_merges_the_children_of_every_attempt(runs_dir: Path) -> None:
    log = _two_attempts(runs_dir)
    groups = group_events(log, log.events[0].event_id)
    graph = render_graph(groups, unicode=False).splitlines()
    assert len(graph) == 4
    assert graph[1].startswith("`- ok ") and "step s" in graph[1]
    assert graph[2].startswith("   |- ok ") and "print hi" in graph[2]  # replayed: from attempt 1
    assert graph[3].startswith("   `- ok ") and "run $ x" in graph[3]  # re-run: from attempt 2
    ids = {e.op + e.status.value: short_id(e.event_id) for e in log.events}
    full = render_graph(groups, show_all=True, unicode=False).splitlines()
    # Durations left out; everything else exact.
    assert [re.sub(r" \(\d+\.\d+s\)$", "", line) for line in full] == [
        f"ok {ids['WORKFLOW_STARTEDFINISHED']} workflow w()",
        "|- +- x 1 prior attempt(s):",
        f"|  |  FAILED {ids['step.enterFAILED']} step s CommandFailure: exit 1",
        "|  `- succeeded:",
        f"|- ok {ids['step.enterFINISHED']} step s",
        f"|  |- ok {ids['printFINISHED']} print hi",
        "|  |- +- x 1 prior attempt(s):",
        f"|  |  |  FAILED {ids['runFAILED']} run CommandFailure: exit 1 ($ x)",
        "|  |  `- succeeded:",
        f"|  `- ok {ids['runFINISHED']} run $ x → exit 0",
        f"`- ok {ids['RESUMEFINISHED']} RESUME attempt 2",
        "--- invalidated (rewind) ---",
        f"  INVALID {ids['det.nowINVALIDATED']} det.now t",
    ]


def _calls(runs_dir: Path, calls: list[tuple[str, bool]]) -> EventLog:
    """One ``run`` per (command, fails) in the workflow body, each its own call."""
    with EventLog.create(runs_dir) as log:
        root = log.start(Op.WORKFLOW_STARTED, request={"function": "w"})
        for i, (cmd, fails) in enumerate(calls):
            ev = log.start(
                Op.RUN, request={"cmd": [cmd]}, parent_id=root.event_id, step_local_seq=i
            )
            if fails:
                log.fail(ev, "exit 1", error_type="CommandFailure")
            else:
                log.finish(ev, {"returncode": 0})
        log.finish(root, {"result": None})
        run_id = log.run_id
    return EventLog.load(run_id, runs_dir)


@pytest.mark.parametrize(
    ("calls", "hidden"),
    [
        ([("x", True), ("x", True), ("x", False)], [0, 1]),  # two failed attempts, then success
        ([("x", True), ("y", False)], []),  # a different command is not an attempt of it
        ([("x", True), ("x", True)], []),  # nothing succeeded: the failures are the outcome
        ([("x", False), ("x", True)], []),  # a failure after a success is news
        ([("x", True), ("y", False), ("x", False)], [0]),  # attempts need not be adjacent
    ],
)
def test_a_failed_call_followed_by_the_same_call_is_a_prior_attempt(
    runs_dir: Path, calls: list[tuple[str, bool]], hidden: list[int]
) -> None:
    log = _calls(runs_dir, calls)
    groups = group_events(log, log.events[0].event_id)
    runs = [e.event_id for e in log.events if e.op == Op.RUN]
    shown = [e.event_id for e, _ in rows(groups) if e.op == Op.RUN]
    assert shown == [r for i, r in enumerate(runs) if i not in hidden]
    marks = {e.event_id: m for e, m in rows(groups, show_all=True)}
    assert [marks[r] for r in runs] == [Mark.PRIOR if i in hidden else "" for i in range(len(runs))]


def test_no_events() -> None:
    assert render_table([]) == "(no events)"
    assert render_graph([]) == "(no events)"


def test_render_does_not_import_click() -> None:
    import subprocess
    import sys

    code = "import sys, godel.runs.render.table, godel.runs.render.graph, godel.runs.render.full; print('click' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert out.stdout.strip() == "False"


# Mostly calls, so that identities repeat; the records are never grouped.
_OPS = (Op.STEP_ENTER, Op.STEP_ENTER, Op.RUN, Op.RESUME, Op.PAUSED, Op.REWIND, Op.REPAIR)


@st.composite
def _logs(draw: st.DrawFn) -> tuple[list[Event], str | None]:
    """Events as a resumed, rewound or hand-edited log may hold them: parents before children,
    identities repeated (re-executed steps), every status, records among them."""
    events: list[Event] = []
    for seq in range(draw(st.integers(0, 30))):
        parent = draw(st.sampled_from([None, 0, 0, 0, 1, 2])) if seq else None
        events.append(
            Event(
                f"e{seq}",
                "run",
                seq,
                op=draw(st.sampled_from(_OPS)) if seq else Op.WORKFLOW_STARTED,
                status=draw(st.sampled_from(list(EventStatus))),
                parent_id=f"e{parent}" if parent is not None and parent < seq else None,
                step_path=draw(st.sampled_from([(), ("a",)])),
                invocation_seq=draw(st.integers(0, 1)),
                step_local_seq=0,
            )
        )
    root = draw(st.sampled_from([None, "e0", "e0", "e3"]))
    return events, root


@settings(max_examples=250, deadline=None)
@given(_logs())
def test_latest_rows_are_the_default_rows_of_the_groups(
    log: tuple[list[Event], str | None],
) -> None:
    events, root = log
    fast = latest_rows(events, root)
    if any(e.status is EventStatus.FAILED for e in events):
        assert fast is None  # prior attempts need the groups
        return
    assert fast is not None
    assert [(e.event_id, m) for e, m in fast] == [
        (e.event_id, m) for e, m in rows(group_events(events, root))
    ]


def test_failure_text_names_the_type_once() -> None:
    from godel.runs.render import failure_text

    assert failure_text({"error": "boom", "error_type": "ValueError"}) == "ValueError: boom"
    assert (
        failure_text(
            {"error": "UnsafeResumeError: run was in flight", "error_type": "UnsafeResumeError"}
        )
        == "UnsafeResumeError: run was in flight"
    )
    assert failure_text({"error_type": "KeyError"}) == "KeyError"
    assert failure_text(None) == "failed"


_LONG = "n" * 10_000


@step(name=_LONG)
async def long_named() -> None:
    raise RuntimeError("boom")


@workflow
async def with_a_long_step_name() -> None:
    await long_named()


def test_a_step_name_of_ten_thousand_characters_is_cut_everywhere(
    run_wf: Callable[..., Any], runs_dir: Path
) -> None:
    # tail, the header's "failed at" and the tree printed the whole name: 10,000-column lines.
    with pytest.raises(RuntimeError) as failed:
        run_wf(with_a_long_step_name)
    run_id = failed.value.run_id  # type: ignore[attr-defined]
    log, groups = _load(run_id, runs_dir)
    step_event = next(e for e in log if e.op == Op.STEP_ENTER)
    lines = [
        format_event_line(step_event),
        format_event_line(step_event, lambda text, _role: f"<{text}>"),
        *render_header(summarize_log(log), log.events[0]).splitlines(),
        *render_graph(groups).splitlines(),
        *render_table(rows(groups)).splitlines(),
    ]
    from godel.replay import apply_rewind

    with EventLog.open(run_id, runs_dir) as writable:
        rewound = apply_rewind(writable, [step_event.event_id], mode="to")
    lines += rewound.report_lines(run_id, EventLog.load(run_id, runs_dir).events)
    assert max(len(line) for line in lines) < 200
    assert any(line.startswith("failed at step.enter …nnn") for line in lines)


@pytest.mark.parametrize(
    ("args", "kwargs", "parts"),
    [
        ("(21,)", "{}", ["21"]),  # what godel-py 3.x wrote for prep(21)
        ("()", "{}", []),
        ("(1, 'a')", "{'scale': 3}", ["1, 'a'", "scale=3"]),
        ("((1,),)", "{}", ["(1,)"]),  # one argument, itself a tuple
        (
            "(<Foo object at 0x7f>,)",
            "{'x': <Foo object at 0x7f>}",
            ["<Foo object at 0x7f>", "{'x': <Foo object at 0x7f>}"],
        ),
        ("[1, 2]", "{1: 2}", ["[1, 2]", "{1: 2}"]),  # not a tuple, not names: as written
        ([21, "a"], {"k": None}, ["21", '"a"', "k=null"]),  # godel's own values
    ],
)
def test_repr_call_parts(args: Any, kwargs: Any, parts: list[str]) -> None:
    assert repr_call_parts(args, kwargs) == parts


_literals = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(_literals, max_size=4),
    st.dictionaries(
        # A keyword argument's name: an identifier that is not a keyword (`or=` is no call).
        st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True).filter(
            lambda name: not keyword.iskeyword(name)
        ),
        _literals,
        max_size=3,
    ),
)
def test_repr_call_parts_give_back_the_call_godel_py_recorded(
    args: list[Any], kwargs: dict[str, Any]
) -> None:
    """Shown as ``f(PARTS)``, a call godel-py recorded as ``repr(args)``, ``repr(kwargs)`` reads
    as that call: the same positional values, then the same named ones."""
    import ast

    shown = ", ".join(repr_call_parts(repr(tuple(args)), repr(kwargs)))
    call = ast.parse(f"f({shown})", mode="eval").body
    assert isinstance(call, ast.Call)
    assert [ast.literal_eval(a) for a in call.args] == args
    assert {k.arg: ast.literal_eval(k.value) for k in call.keywords} == kwargs


def test_steps_of_a_godel_py_log_show_their_call_not_its_repr() -> None:
    step_row = ev(
        "step.enter",
        request={"name": "prep", "args": "(21,)", "kwargs": "{}"},
        response={"result": "42"},
    )
    assert detail(step_row) == "(21) → 42"
    bare = ev(
        "step.enter",
        request={"name": "side", "args": "()", "kwargs": "{}"},
        response={"result": "'done'"},
    )
    assert detail(bare) == "→ 'done'"
