"""Logs in godel-py 3.x's shape (docs/migrating.md): no header, no ``parent_id``, and each
parent rewritten with its whole ``children_ids`` every time a child is added."""

from __future__ import annotations

import json
from pathlib import Path

from godel.log import EventLog, LogReader

RUN = "0e5f9cd8-af47-46e0-93ab-0ec768c09d71"
ROOT, STEP, CMD = (
    "01M8YNK8W0DMCJY043267TT9RR",
    "01M8YNK8W1E1NAEZAFJ35Y9R28",
    "01M8YNK8W1E1NAEZAFJ35Y9R29",
)


def _line(event_id: str, seq: int, op: str, status: str, children: list[str]) -> str:
    return json.dumps(
        {
            "event_id": event_id,
            "run_id": RUN,
            "seq": seq,
            "children_ids": children,
            "step_path": [] if event_id == ROOT else ["doit"],
            "invocation_seq": 0,
            "step_local_seq": 0,
            "op": op,
            "request_hash": "",
            "request": {},
            "response": None if status == "STARTED" else {"result": "1"},
            "status": status,
            "ts_start": "2026-12-03T19:20:14.465762+00:00",
            "ts_end": None,
            "stream_path": [],
        }
    )


LINES = [
    _line(ROOT, 0, "WORKFLOW_STARTED", "STARTED", []),
    _line(ROOT, 0, "WORKFLOW_STARTED", "STARTED", [STEP]),
    _line(STEP, 1, "step.enter", "STARTED", []),
    _line(STEP, 1, "step.enter", "STARTED", [CMD]),
    _line(CMD, 2, "run", "STARTED", []),
    _line(CMD, 2, "run", "FINISHED", []),
    _line(STEP, 1, "step.enter", "FINISHED", [CMD]),
    _line(ROOT, 0, "WORKFLOW_STARTED", "FINISHED", [STEP]),
]


def _write(tmp_path: Path, lines: list[str] = LINES) -> Path:
    path = tmp_path / f"{RUN}.jsonl"
    path.write_text("".join(line + "\n" for line in lines))
    return path


def test_load_links_parents_from_children_ids(tmp_path: Path) -> None:
    _write(tmp_path)
    log = EventLog.load(RUN, tmp_path)
    root, step, cmd = log.events
    assert (root.parent_id, step.parent_id, cmd.parent_id) == (None, ROOT, STEP)
    assert (root.children_ids, step.children_ids) == ([STEP], [CMD])


def test_a_parent_godel_wrote_later_keeps_its_children(tmp_path: Path) -> None:
    # A resume by godel rewrites the root without children_ids: the godel-py list still counts.
    last = json.loads(LINES[-1])
    del last["children_ids"]
    last["parent_id"] = None
    _write(tmp_path, [*LINES[:-1], json.dumps(last)])
    log = EventLog.load(RUN, tmp_path)
    assert log.events[0].children_ids == [STEP]


def test_reader_links_parents_and_skips_lines_that_only_add_a_child(tmp_path: Path) -> None:
    path = _write(tmp_path)
    seen = []
    with LogReader(path) as reader:
        while (events := reader.read_chunk()) is not None:
            seen += [(e.event_id, e.status.value, e.parent_id) for e in events]
    assert seen == [
        (ROOT, "STARTED", None),
        (STEP, "STARTED", ROOT),
        (CMD, "STARTED", STEP),
        (CMD, "FINISHED", STEP),
        (STEP, "FINISHED", ROOT),
        (ROOT, "FINISHED", None),
    ]
    assert not reader._legacy_parents and not reader._legacy_started  # nothing left in flight


def test_an_event_in_no_children_ids_gets_the_step_it_ran_in(tmp_path: Path) -> None:
    """godel-py left its agent calls out of every ``children_ids`` (it named their CLI process
    as the step's child instead): the call belongs to the last step of its ``step_path``
    started before it, and one at the top level to the workflow."""
    call, top, second = (
        "01M8YNK8W1E1NAEZAFJ35Y9R2A",
        "01M8YNK8W1E1NAEZAFJ35Y9R2B",
        "01M8YNK8W1E1NAEZAFJ35Y9R2C",
    )

    def event(event_id: str, seq: int, op: str, path: list[str], children: list[str]) -> str:
        line = json.loads(_line(event_id, seq, op, "FINISHED", children))
        line["step_path"] = path
        return json.dumps(line)

    lines = [
        event(ROOT, 0, "WORKFLOW_STARTED", [], [STEP, second]),
        event(STEP, 1, "step.enter", ["doit"], [CMD]),
        event(call, 2, "agent.call", ["doit"], []),  # in no children_ids
        event(CMD, 3, "run", ["doit"], []),
        event(second, 4, "step.enter", ["doit"], []),  # the step called again, after the call
        event(top, 5, "print", [], []),  # in no children_ids, at the top level
    ]
    path = _write(tmp_path, lines)
    parents = {ev.event_id: ev.parent_id for ev in EventLog.load(RUN, tmp_path).events}
    assert parents == {ROOT: None, STEP: ROOT, call: STEP, CMD: STEP, second: ROOT, top: ROOT}
    read = {}
    with LogReader(path) as reader:  # tail and watch: the same parents, line by line
        while (events := reader.read_chunk()) is not None:
            read.update((e.event_id, e.parent_id) for e in events)
    assert read == parents
    assert not reader._legacy_above  # every step ended: nothing kept
