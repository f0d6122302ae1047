"""Property tests: truncation at any byte, lossless round trips, and no stray exception types."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from godel import EventLog, EventStatus
from godel.log.eventlog import CorruptLogError
from godel.log.events import Event, compute_request_hash

FAST = (
    "none"  # these tests are about content, not fsync; skipping it keeps them quick on slow disks
)
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# JSON values, with keys that need escaping in blob paths and strings big enough for the sidecar.
keys = st.one_of(st.text(max_size=6), st.sampled_from(["a.b", "\\", "x\\.y", "..", "0", "1"]))
big_strings = st.builds(
    lambda unit, n: (unit * n)[:n],
    st.text(min_size=1, max_size=5),
    st.integers(min_value=3000, max_value=9000),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_values = st.recursive(
    st.one_of(scalars, big_strings),
    lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(keys, kids, max_size=4)),
    max_leaves=10,
)
payloads = st.dictionaries(keys, json_values, max_size=4)
ops = st.lists(
    st.tuples(
        st.sampled_from(["pair", "record", "start", "fail", "invalidate"]),
        payloads,
        st.none() | payloads,
        st.none() | st.integers(min_value=0, max_value=50),
    ),
    min_size=1,
    max_size=6,
)


def normal(event: Event) -> dict[str, Any]:
    """An event as JSON sees it, plus its derived children."""
    return {**json.loads(json.dumps(event.to_dict())), "children_ids": list(event.children_ids)}


def write_ops(log: EventLog, plan: list) -> list[tuple[int, str, dict[str, Any]]]:
    """Run ``plan``; after each line, note (file size, event id, the event's state)."""
    snaps: list[tuple[int, str, dict[str, Any]]] = []
    made: list[Event] = []

    def snap(ev: Event) -> None:
        snaps.append((log.path.stat().st_size, ev.event_id, json.loads(json.dumps(ev.to_dict()))))

    for kind, request, response, parent_pick in plan:
        parent = (
            made[parent_pick % len(made)].event_id if made and parent_pick is not None else None
        )
        if kind == "record":
            ev = log.record("det.value", request=request, response=response, parent_id=parent)
            snap(ev)
        else:
            ev = log.start("run", request=request, parent_id=parent, step_path=["s", kind])
            snap(ev)
            if kind == "pair":
                log.finish(ev, response)
                snap(ev)
            elif kind == "fail":
                log.fail(ev, "boom", response=response)
                snap(ev)
            elif kind == "invalidate":
                log.finish(ev, response)
                snap(ev)
                log.set_status(ev, EventStatus.INVALIDATED)
                snap(ev)
        made.append(ev)
    return snaps


def expected_at(snaps: list[tuple[int, str, dict[str, Any]]], offset: int) -> list[dict[str, Any]]:
    """The folded events a log cut at ``offset`` must load: those of its complete lines."""
    folded: dict[str, dict[str, Any]] = {}
    for end, event_id, state in snaps:
        if end <= offset:
            folded[event_id] = {**state, "children_ids": []}
    for state in folded.values():
        parent = folded.get(state["parent_id"]) if state["parent_id"] else None
        if parent is not None:
            parent["children_ids"].append(state["event_id"])
    return list(folded.values())


class Truncatable:
    """A log written once, plus a scratch runs dir into which any prefix of it can be copied."""

    def __init__(self, root: Path, plan: list) -> None:
        self.source = root / "source"
        log = EventLog.create(self.source, "r", durability=FAST)
        self.snaps = write_ops(log, plan)
        log.close()
        self.data = log.path.read_bytes()
        self.header_end = self.data.index(b"\n") + 1
        self.line_ends = {0, self.header_end, *(end for end, _, _ in self.snaps)}
        self.scratch = root / "scratch"
        shutil.copytree(self.source, self.scratch)

    def cut(self, offset: int) -> Path:
        target = self.scratch / "r.jsonl"
        # A new file each time: truncating and rewriting one makes ext4 flush it to disk.
        target.unlink()
        target.write_bytes(self.data[:offset])
        return self.scratch

    def check_load(self, offset: int) -> None:
        loaded = EventLog.load("r", self.cut(offset))
        assert [normal(e) for e in loaded] == expected_at(self.snaps, offset)
        assert (loaded.header != {}) == (offset >= self.header_end)
        assert len(loaded.warnings) == (0 if offset in self.line_ends else 1)


SMALL_PLAN = [
    ("pair", {"cmd": "make"}, {"stdout": "ok", "returncode": 0}, None),
    ("record", {}, {"value": 0.5}, 0),
    ("pair", {"cmd": "cat"}, {"stdout": "big\n" * 2000}, 0),
    ("start", {"prompt": "?"}, None, 2),
    ("invalidate", {"a.b": ["x", "y" * 5000]}, {"v": None}, 1),
]


def test_every_byte_offset_of_a_small_log_loads_its_complete_events(tmp_path: Path) -> None:
    log = Truncatable(tmp_path, SMALL_PLAN)
    assert len(log.data) < 7000  # every offset is loaded: keep the log small
    for offset in range(len(log.data) + 1):
        log.check_load(offset)


@SETTINGS
@given(plan=ops, data=st.data())
def test_a_log_cut_at_any_byte_loads_every_complete_event_and_never_raises(
    plan: list, data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as root:
        log = Truncatable(Path(root), plan)
        for offset in data.draw(st.lists(st.integers(0, len(log.data)), min_size=1, max_size=8)):
            log.check_load(offset)


@SETTINGS
@given(plan=ops, data=st.data())
def test_open_after_a_cut_appends_a_valid_log(plan: list, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as root:
        log = Truncatable(Path(root), plan)
        offset = data.draw(st.integers(0, len(log.data)))
        runs = log.cut(offset)
        with EventLog.open("r", runs, durability=FAST) as again:
            kept = [normal(e) for e in again]
            extra = again.record("print", request={"after": offset})
        final = EventLog.load("r", runs)
        assert final.warnings == []
        assert [normal(e) for e in final][:-1] == kept == expected_at(log.snaps, offset)
        assert final.events[-1].event_id == extra.event_id


@SETTINGS
@given(plan=ops)
def test_writing_then_loading_round_trips_any_json_payload(plan: list) -> None:
    with tempfile.TemporaryDirectory() as root:
        log = EventLog.create(root, "r", durability=FAST)
        write_ops(log, plan)
        log.close()
        # Memory keeps the caller's full payloads.
        for written, (kind, request, response, _) in zip(log.events, plan, strict=True):
            assert written.request == request
            assert written.request_hash == compute_request_hash(request)
            if kind in ("pair", "record", "invalidate") or (
                kind == "fail" and response is not None
            ):
                assert written.response == response
        loaded = EventLog.load("r", root)
        assert loaded.warnings == []
        assert [normal(e) for e in loaded] == [normal(e) for e in log]
        assert [e.request for e in loaded] == [request for _, request, _, _ in plan]


event_fields = st.sampled_from(
    [
        "seq",
        "run_id",
        "op",
        "status",
        "request",
        "response",
        "step_path",
        "stream_path",
        "parent_id",
        "ts_start",
        "ts_end",
        "request_hash",
        "invocation_seq",
        "step_local_seq",
        "blobs",
        "godel_log",
    ]
)
garbage_objects = st.fixed_dictionaries(
    {
        "event_id": st.one_of(st.just("E1"), json_values),
        "status": st.one_of(st.just("FINISHED"), json_values),
    },
    optional={"seq": json_values},
).flatmap(
    lambda base: st.dictionaries(event_fields, json_values, max_size=5).map(
        lambda more: {**base, **more}
    )
)
garbage_lines = st.one_of(
    st.binary(max_size=60).map(lambda b: b.replace(b"\n", b"")),
    garbage_objects.map(lambda obj: json.dumps(obj).encode()),
    json_values.map(lambda value: json.dumps(value).encode()),
)


@SETTINGS
@given(line=garbage_lines, where=st.integers(min_value=1, max_value=4))
def test_bad_content_raises_only_corrupt_log_error(line: bytes, where: int) -> None:
    with tempfile.TemporaryDirectory() as root:
        with EventLog.create(root, "r", durability=FAST) as log:
            write_ops(log, SMALL_PLAN[:2])
        lines = log.path.read_bytes().splitlines(keepends=True)
        lines.insert(where, line + b"\n")
        log.path.write_bytes(b"".join(lines))
        try:
            loaded = EventLog.load("r", root)
        except CorruptLogError as exc:
            assert exc.lineno == where + 1
            assert f"r.jsonl:{where + 1}: " in str(exc)
        else:
            assert all(isinstance(e.request, dict) for e in loaded)
            assert all(type(part) is str for e in loaded for part in e.step_path)
