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
