"""How an event becomes a line: the hot-path encoders give exactly what ``json`` gives."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from godel.log.eventlog import EventLog
from godel.log.events import HASH_EXCLUDED_KEYS, compute_request_hash
from godel.log.jsontext import canonical, compact, indented_json, strict
from godel.log.line import request_text

_compact = json.JSONEncoder(separators=(",", ":")).encode
_canonical = json.JSONEncoder(separators=(",", ":"), sort_keys=True).encode


def _values(floats: st.SearchStrategy[float]) -> st.SearchStrategy[object]:
    return st.recursive(
        st.none() | st.booleans() | st.integers() | floats | st.text(),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=20,
    )


json_values = _values(st.floats())
comparable_values = _values(st.floats(allow_nan=False))  # NaN != NaN: no equality test can hold it


@given(json_values)
def test_encoders_match_the_json_module(value: object) -> None:
    assert compact(value) == _compact(value)
    assert canonical(value) == _canonical(value)
    try:
        expected = json.dumps(value, separators=(",", ":"), allow_nan=False)
    except ValueError:
        with pytest.raises(ValueError, match="Out of range float"):
            strict(value)
    else:
        assert strict(value) == expected


_any_text = st.text(st.characters(blacklist_categories=()))  # lone surrogates and controls too
_any_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_any_text, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=500)
@given(_any_values)
def test_indented_is_json_dumps_with_an_indent(value: object) -> None:
    assert indented_json(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_indented_fails_as_json_dumps_does() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        indented_json({"a": object()})
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        indented_json(loop)
    assert indented_json({"b": [float("nan"), "\ud800", 10**40, -0.0]}) == json.dumps(
        {"b": [float("nan"), "\ud800", 10**40, -0.0]}, indent=2, ensure_ascii=False
    )


def test_a_failed_encoding_does_not_poison_the_next() -> None:
    # The C encoder remembers the containers it is inside; a failure must not leave them behind.
    inner: list[object] = [object()]
    outer = {"a": inner}
    with pytest.raises(TypeError, match="not JSON serializable"):
        compact(outer)
    inner[0] = 1
    assert compact(outer) == '{"a":[1]}'
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        compact(loop)
    assert compact([[], []]) == "[[],[]]"


request_dicts = st.dictionaries(
    st.sampled_from(sorted(HASH_EXCLUDED_KEYS)) | st.text(max_size=6), comparable_values, max_size=6
)


@given(request_dicts)
def test_request_text_is_the_canonical_request_and_its_hash(request: dict) -> None:
    text, digest = request_text(request)
    assert digest == compute_request_hash(request)
    assert json.loads(text) == json.loads(_compact(request))  # every key, nothing else
    kept = {k: v for k, v in request.items() if k not in HASH_EXCLUDED_KEYS}
    assert text.startswith(_canonical(kept)[:-1])  # the hashed keys first, in canonical form


@given(st.text(), st.text(), comparable_values)
def test_lines_parse_back_to_the_event(
    tmp_path_factory: pytest.TempPathFactory, name: str, op: str, value: object
) -> None:
    runs = tmp_path_factory.mktemp("runs")
    with EventLog.create(runs, run_id="run-quoted_1") as log:
        root = log.start("workflow", request={})
        ev = log.start(
            op or "x",
            request={"name": name, "v": value, "source_hash": name},
            step_path=(name, "b"),
            parent_id=root.event_id,
            stream_path=[name],
        )
        log.finish(ev, {"result": value, "text": name})
    lines = (runs / "run-quoted_1.jsonl").read_bytes().splitlines()
    assert all(line.isascii() for line in lines)
    started, finished = (json.loads(line) for line in lines[-2:])
    assert started == {**finished, "status": "STARTED", "response": None, "ts_end": None}
    assert {k: v for k, v in finished.items() if k not in ("request", "response")} == {
        k: v for k, v in ev.to_dict().items() if k not in ("request", "response")
    }
    assert finished["request"] == json.loads(_compact(ev.request))
    assert finished["response"] == json.loads(_compact(ev.response))


def test_the_empty_request_hash_is_sha256_of_an_empty_object() -> None:
    import hashlib

    from godel.log.events import compute_request_hash
    from godel.log.line import EMPTY_HASH

    assert EMPTY_HASH == hashlib.sha256(b"{}").hexdigest() == compute_request_hash({})
