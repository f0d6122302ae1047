"""The fast paths of log reading (``logformat.parse_line`` and ``logformat.line_event``) give
exactly what the general path gives: the same objects, the same errors, the same Events.

``parse_line`` (short logs) goes through the scanner ``json.loads`` uses, ``bulk_parser()``
(long logs) through msgspec first; the general path is ``json.loads(raw.decode())``. Results
are compared by ``repr``, so that ``1`` and ``1.0``, ``0.0`` and ``-0.0``, or a float
that an integer of 20 digits would round to, never pass for one another."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from godel import EventLog, EventStatus
from godel.log.events import Event
from godel.log.format import (
    LINE_KEYS,
    bulk_parser,
    line_event,
    parse_line,
    plain_event,
    plain_line_decoder,
    type_problem,
)
from godel.runs.tail import LogReader


def outcome(fn: Any, text: str | bytes) -> tuple[str, str]:
    try:
        return ("ok", repr(fn(text)))
    except Exception as exc:
        return (type(exc).__name__, str(exc))


def general_path(raw: bytes) -> Any:
    return json.loads(raw.decode())


PARSERS = (parse_line, bulk_parser())


@pytest.mark.parametrize(
    "text",
    [
        '{"a":1}\n',
        '{"a":1}',
        '{"a":[1,2,{"b":null}],"c":"\\u00e9"}\n',
        "[1,2]\n",
        '"x"\n',
        "7\n",
        "null\n",
        ' {"a":1}\n',
        '{"a":1} \n',
        '{"a":1}\n\n',
        '{"a":1}{"b":2}\n',
        '{"a":1\n',
        "\n",
        "",
        "   \n",
        '{"a":1}x',
        '{"a":1} x\n',
        '{"a":"\x01"}\n',
        '{"a":Infinity}\n',
        "1 2\n",
        "[" * 3000 + "]" * 3000,
        # What msgspec reads differently from json.loads, or not at all: each one must come
        # out as json.loads gives it.
        '{"a":NaN,"b":-Infinity}\n',
        '{"big":123456789012345678901234567890,"neg":-9223372036854775809}\n',
        '{"u64":18446744073709551615,"over":18446744073709551616}\n',
        '{"f":1e400,"g":-1e400,"h":1e-400,"z":-0.0,"s":4.9e-324}\n',
        '{"n":1' + "0" * 5000 + "}\n",
        '{"a":1,"a":2}\n',
        '{"s":"\\ud800","t":"\\udc00\\ud800x"}\n',
        '{"s":"\\u0000\\u2028\\/"}\n',
        '{"s":"é€😀"}\n',
        "\ufeff{}\n",
        "[1,]\n",
        "01\n",
        '{"a":1}\r\n',
    ],
)
def test_parse_line_is_json_loads(text: str) -> None:
    raw = text.encode("utf-8", "surrogatepass")
    for parse in PARSERS:
        assert outcome(parse, text) == outcome(json.loads, text)
        assert outcome(parse, raw) == outcome(general_path, raw)


@pytest.mark.parametrize(
    "raw",
    [b'{"a":"\xff"}\n', b'{"a":"\xed\xa0\x80"}\n', b'"\xf4\x90\x80\x80"', b"\xc0\xaf\n"],
)
def test_parse_line_reports_invalid_utf8_as_decoding_does(raw: bytes) -> None:
    for parse in PARSERS:
        kind, message = outcome(parse, raw)
        assert (kind, message) == outcome(general_path, raw)
        assert kind == "UnicodeDecodeError"


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet='{}[]":,0123456789.eE+-nulltrfas \n\t\\ud8é', max_size=40))
def test_parse_line_is_json_loads_on_any_text(text: str) -> None:
    raw = text.encode("utf-8", "surrogatepass")
    for parse in PARSERS:
        assert outcome(parse, text) == outcome(json.loads, text)
        assert outcome(parse, raw) == outcome(general_path, raw)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.sampled_from([0.0, -0.0, 5e-324, 1.7976931348623157e308, 0.1 + 0.2])
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None, database=None)
@given(json_values, st.booleans())
def test_parse_line_reads_every_value_as_json_loads_does(value: Any, ascii_only: bool) -> None:
    """Any value ``json.dumps`` writes (NaN, infinities and lone surrogates included) reads back
    through ``parse_line`` exactly as through ``json.loads``, as bytes and as text."""
    text = json.dumps({"response": {"result": value}}, ensure_ascii=ascii_only) + "\n"
    raw = text.encode("utf-8", "surrogatepass")
    for parse in PARSERS:
        assert outcome(parse, text) == outcome(json.loads, text)
        assert outcome(parse, raw) == outcome(general_path, raw)


def event_fields(ev: Event) -> dict[str, Any]:
    return {name: (getattr(ev, name), type(getattr(ev, name))) for name in Event.__slots__}


def general(obj: dict[str, Any]) -> Event | None:
    """What the general path builds (None where it reports the line as corrupt)."""
    if type_problem(obj) is not None:
        return None
    try:
        return Event.from_dict(obj)
    except (ValueError, TypeError, OverflowError):
        return None


def written_lines(tmp_path: Path) -> list[dict[str, Any]]:
    log = EventLog.create(tmp_path, "r", durability="none")
    root = log.start("WORKFLOW_STARTED", request={"function": "f", "args": [1], "kwargs": {}})
    step = log.start(
        "step.enter",
        request={"name": "s", "args": [], "kwargs": {"k": "é"}},
        step_path=["s", "t"],
        parent_id=root.event_id,
        invocation_seq=2,
        step_local_seq=1,
        stream_path=["x", "y"],
    )
    log.record("det.random", response={"value": 0.5}, step_path=["s", "t"], parent_id=step.event_id)
    log.fail(step, ValueError("boom"))
    log.record("print", request={"text": "big " * 2000}, parent_id=root.event_id)  # goes to a blob
    log.set_status(step, EventStatus.INVALIDATED)
    log.close()
    return [json.loads(line) for line in log.path.read_text().splitlines()[1:]]


def test_lines_godel_writes_take_the_fast_path(tmp_path: Path) -> None:
    # The fast path only helps while the writer keeps the field order of ``LINE_KEYS``.
    lines = written_lines(tmp_path)
    assert [list(line) for line in lines if "blobs" not in line] == [list(LINE_KEYS)] * (
        len(lines) - 1
    )
    paths: dict[tuple[str, ...], tuple[str, ...]] = {}
    for line in lines:
        fast = line_event(dict(line), paths)
        if "blobs" in line:
            assert fast is None  # blobs are restored by the general path
            continue
        assert fast is not None
        expected = general(dict(line))
        assert expected is not None
        assert event_fields(fast) == event_fields(expected)


def test_equal_step_paths_are_one_tuple(tmp_path: Path) -> None:
    paths: dict[tuple[str, ...], tuple[str, ...]] = {}
    events = [line_event(line, paths) for line in written_lines(tmp_path) if "blobs" not in line]
    same = [ev.step_path for ev in events if ev is not None and ev.step_path == ("s", "t")]
    assert len(same) > 1 and all(p is same[0] for p in same)


ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False),
    st.text(max_size=3),
    st.sampled_from(["", "STARTED", "FINISHED", "bogus"]),
    st.lists(st.one_of(st.text(max_size=2), st.integers(0, 2), st.none()), max_size=3),
    st.dictionaries(st.text(max_size=2), st.integers(0, 2), max_size=2),
)


STATUSES = {s.value for s in EventStatus}


@pytest.fixture(scope="module")
def plain_lines(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    return [line for line in written_lines(tmp_path_factory.mktemp("lines")) if "blobs" not in line]


@settings(max_examples=400, deadline=None, database=None)
@given(
    base=st.integers(0, 3),
    changes=st.dictionaries(
        st.sampled_from([*LINE_KEYS, "blobs", "extra"]), ODD_VALUES, max_size=3
    ),
    dropped=st.sets(st.sampled_from(LINE_KEYS), max_size=2),
)
def test_line_event_builds_what_the_general_path_builds_or_defers(
    plain_lines: list[dict[str, Any]], base: int, changes: dict[str, Any], dropped: set[str]
) -> None:
    obj = {**plain_lines[base], **changes}
    for key in dropped:
        obj.pop(key, None)
    status = obj.get("status")
    if type(obj.get("event_id")) is not str or type(status) is not str or status not in STATUSES:
        return  # the scan rejects these lines before either path sees them
    fast = line_event(dict(obj), {})
    if fast is not None:
        expected = general(dict(obj))
        assert expected is not None, obj
        assert event_fields(fast) == event_fields(expected)


def test_a_superseded_line_is_not_type_checked(tmp_path: Path) -> None:
    # Only the latest line of an event is checked, fast path or not.
    lines = written_lines(tmp_path)
    bad = {**lines[0], "request_hash": 5}
    log_file = tmp_path / "again" / "r.jsonl"
    log_file.parent.mkdir()
    header = json.dumps({"godel_log": {"format": 1, "run_id": "r"}})
    log_file.write_text(
        "\n".join(
            [header, json.dumps(bad), *(json.dumps(line) for line in lines if "blobs" not in line)]
        )
        + "\n"
    )
    loaded = EventLog.load("r", log_file.parent)
    assert loaded.get(bad["event_id"]).request_hash == lines[0]["request_hash"]


def test_tail_reads_what_load_reads(tmp_path: Path) -> None:
    written_lines(tmp_path)
    with LogReader(tmp_path / "r.jsonl", chunk_size=97) as reader:
        seen: dict[str, Event] = {}
        while (batch := reader.read_chunk()) is not None:
            seen.update((ev.event_id, ev) for ev in batch)
    loaded = {ev.event_id: ev for ev in EventLog.load("r", tmp_path)}
    for event_id, ev in seen.items():
        if not ev.request.get("text"):  # tail shows the blob's preview, load the whole value
            assert event_fields(ev) | {"children_ids": None} == event_fields(loaded[event_id]) | {
                "children_ids": None
            }


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("parent_id", ""),
        ("parent_id", None),
        ("request", None),
        ("request", {}),
        ("response", None),
        ("op", None),
        ("op", ""),
        ("request_hash", None),
        ("ts_start", None),
        ("ts_end", None),
        ("step_path", None),
        ("step_path", []),
        ("step_path", ["a", 1]),
        ("step_path", [["a"]]),
        ("stream_path", None),
        ("stream_path", ["a", None]),
        ("seq", True),
        ("seq", 1.5),
        ("seq", "3"),
        ("invocation_seq", False),
        ("run_id", 7),
        ("request", []),
        ("response", "x"),
    ],
)
def test_each_odd_field_gives_what_the_general_path_gives(
    plain_lines: list[dict[str, Any]], key: str, value: Any
) -> None:
    for line in plain_lines:
        obj = {**line, key: value}
        fast = line_event(dict(obj), {})
        expected = general(dict(obj))
        if fast is not None:
            assert expected is not None
            assert event_fields(fast) == event_fields(expected)
        assert_plain_record_is_line_event(obj)


def assert_plain_record_is_line_event(obj: dict[str, Any]) -> None:
    """A line the plain decoder takes is one ``line_event`` takes, and both build the same
    Event; any other line it refuses with ValueError (and the reader takes the dict path)."""
    for raw in (json.dumps(obj).encode(), json.dumps(obj, ensure_ascii=False).encode() + b"\n"):
        try:
            record = plain_line_decoder()(raw)
        except ValueError:
            continue
        fast = line_event(json.loads(raw), {})
        assert fast is not None, raw
        assert event_fields(plain_event(record, {})) == event_fields(fast)


def test_the_plain_decoder_takes_what_line_event_takes(tmp_path: Path) -> None:
    lines = written_lines(tmp_path)
    taken = 0
    for obj in lines:
        assert_plain_record_is_line_event(obj)
        try:
            plain_line_decoder()(json.dumps(obj).encode())
            taken += 1
        except ValueError:
            assert "blobs" in obj, obj  # godel's own lines are plain, but for their blobs
    assert taken == len(lines) - 1
    for odd in (
        {"blobs": {}},
        {"extra": 1},
        {"seq": 2**70},
        {"seq": -(2**63) - 1},
        {"status": "DONE"},
        {"event_id": 7},
        {"request": {"a": float("nan")}},
        {"step_path": ["a", None]},
        {"stream_path": "ab"},
    ):
        assert_plain_record_is_line_event({**lines[0], **odd})
    missing = dict(lines[0])
    del missing["ts_end"]
    assert_plain_record_is_line_event(missing)


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.sampled_from(LINE_KEYS),
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=5)
    | st.lists(st.text(max_size=3) | st.integers(), max_size=3)
    | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
def test_the_plain_decoder_agrees_with_line_event_on_any_field_value(key: str, value: Any) -> None:
    base = {
        "event_id": "01J0000000000000000000000A",
        "run_id": "r",
        "seq": 1,
        "parent_id": None,
        "step_path": ["s"],
        "invocation_seq": 0,
        "step_local_seq": 0,
        "op": "step.enter",
        "request_hash": "h",
        "request": {"args": [1]},
        "response": {"result": 1},
        "status": "FINISHED",
        "ts_start": "2026-01-01T00:00:00+00:00",
        "ts_end": "2026-01-01T00:00:01+00:00",
        "stream_path": [],
    }
    assert_plain_record_is_line_event({**base, key: value})


LONG_LOG_CHECK = """
import json, sys
import godel.log.format as logformat
import godel.log.reader as logreader
from godel.log.eventlog import EventLog
from godel.runs.tail import LogReader

path, run_id = sys.argv[1], sys.argv[2]


def fields(events):
    return repr([
        (e.event_id, e.run_id, e.seq, e.op, e.status, e.parent_id, e.step_path,
         e.invocation_seq, e.step_local_seq, e.request_hash, e.request, e.response,
         e.ts_start, e.ts_end, e.stream_path)
        for e in events
    ])


def read():
    log = EventLog.load(run_id, path)
    with LogReader(f"{path}/{run_id}.jsonl") as reader:
        tailed = [ev for batch in iter(reader.read_chunk, None) for ev in batch]
    return log, tailed


log, tailed = read()
msgspec = "msgspec" in sys.modules
logformat.BULK_LINES = logreader.BULK_LINES = 10**9  # every line through the general path
general_log, general_tailed = read()
print(json.dumps({
    "msgspec": msgspec,
    "loaded": repr([ev.response for ev in log]),
    # tail shows a value over 4 KiB as its preview: those are compared in same_tail only
    "tailed": repr([
        ev.response for ev in tailed
        if ev.response is not None and not str(ev.response["result"]).startswith("xxxx")
    ]),
    "same_load": fields(log) == fields(general_log),
    "same_tail": fields(tailed) == fields(general_tailed),
    "children": [ev.children_ids for ev in log] == [ev.children_ids for ev in general_log],
}))
"""


@pytest.mark.parametrize("steps", [10, 1_500])
def test_long_logs_are_decoded_by_msgspec_short_ones_without_importing_it(
    tmp_path: Path, steps: int
) -> None:
    """A short log never imports msgspec (5 ms of every command's start); a long one is decoded
    by it after BULK_LINES lines, plain lines straight into records: the loader and tail's
    reader build the same events as the general path, odd values past the switch included."""
    import subprocess
    import sys

    log = EventLog.create(tmp_path, "r", durability="none")
    root = log.start("WORKFLOW_STARTED", request={"function": "f", "args": [], "kwargs": {}})
    odd = [2**70, -(2**64), float("nan"), float("inf"), -0.0, "\ud800", 0.1 + 0.2, "x" * 5000]
    for i in range(steps):
        ev = log.start(
            "step.enter",
            request={"name": "s", "args": [i], "kwargs": {}},
            step_path=["s"] if i % 3 else ["s", "t"],
            parent_id=root.event_id,
            invocation_seq=i,
        )
        log.finish(ev, response={"result": odd[i % len(odd)]})
    log.close()
    out = subprocess.run(
        [sys.executable, "-c", LONG_LOG_CHECK, str(tmp_path), "r"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    seen = json.loads(out)
    assert seen["msgspec"] is (steps >= 1_000)
    expected = repr([None] + [{"result": odd[i % len(odd)]} for i in range(steps)])
    assert seen["loaded"] == expected
    small = [value for value in odd if value != "x" * 5000]
    assert seen["tailed"] == repr(
        [{"result": odd[i % len(odd)]} for i in range(steps) if odd[i % len(odd)] in small]
    )
    assert seen["same_load"] and seen["same_tail"] and seen["children"]


@pytest.mark.parametrize("steps", [5, 1_200])  # through the general path, then the bulk one
def test_loaded_events_share_their_run_id_op_and_parent_id_strings(
    tmp_path: Path, steps: int
) -> None:
    """A long run's events repeat a few of these: one string each, not a copy per event."""
    with EventLog.create(tmp_path, "r", header={"workflow": "wf"}) as log:
        root = log.start("WORKFLOW_STARTED", request={"function": "wf"})
        for i in range(steps):
            log.record("step.enter", request={"args": [i]}, parent_id=root.event_id)
        log.finish(root)
    loaded = EventLog.load("r", tmp_path)
    root, *children = loaded.events
    assert all(ev.run_id is loaded.run_id for ev in loaded.events)
    assert all(ev.op is children[0].op and ev.parent_id is root.event_id for ev in children)
