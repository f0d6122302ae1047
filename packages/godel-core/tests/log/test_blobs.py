"""Large strings: moved to the content-addressed sidecar, restored whole in memory and on load."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from godel import EventLog
from godel.log.blobs import (
    BLOB_THRESHOLD,
    PREVIEW_CHARS,
    BlobStore,
    is_large,
    join_path,
    split_path,
)
from godel.log.eventlog import CorruptLogError
from godel.log.events import Event, compute_request_hash

MEGA = "".join(f"line {i}: some build output\n" for i in range(40_000))  # about 1 MiB


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def event_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()[1:]]


def test_a_large_string_goes_to_a_blob_and_the_line_stays_small(tmp_path: Path) -> None:
    with EventLog.create(tmp_path, "r") as log:
        request = {"cmd": "make", "stdin": MEGA}
        ev = log.start("run", request=request)
        log.finish(ev, {"stdout": MEGA, "returncode": 0})
        assert ev.request["stdin"] is MEGA and ev.response["stdout"] is MEGA
        assert ev.request_hash == compute_request_hash(request)  # over the full request
    digest = sha(MEGA)
    blob = log.run_dir / "blobs" / digest
    assert blob.read_bytes() == MEGA.encode()
    started, finished = event_lines(log.path)
    for line in (started, finished):
        assert len(json.dumps(line)) < 1500
        assert line["request"]["stdin"].startswith(MEGA[:PREVIEW_CHARS])
        assert f"blobs/{digest}" in line["request"]["stdin"]
        assert line["request_hash"] == ev.request_hash
        assert list(line)[-1] == "blobs"
    assert started["blobs"] == {"request.stdin": digest}
    assert finished["blobs"] == {"request.stdin": digest, "response.stdout": digest}
    assert finished["response"]["returncode"] == 0
    loaded = EventLog.load("r", tmp_path).get(ev.event_id)
    assert loaded.request == request and loaded.response["stdout"] == MEGA


def test_lines_without_large_strings_carry_no_blobs_key(tmp_path: Path) -> None:
    with EventLog.create(tmp_path, "r") as log:
        many = {f"k{i}": "v" * 100 for i in range(100)}  # a long line, but no single large string
        log.record("print", request=many)
    (line,) = event_lines(log.path)
    assert "blobs" not in line and line["request"] == many
    assert not (log.run_dir / "blobs").exists()


def test_each_content_is_written_once(tmp_path: Path) -> None:
    with EventLog.create(tmp_path, "r") as log:
        ev = log.start("run", request={"a": MEGA})
        blob = log.run_dir / "blobs" / sha(MEGA)
        inode = blob.stat().st_ino
        log.finish(ev, {"b": MEGA, "c": "".join([MEGA])})  # equal content, another object
        log.record("print", request={"text": MEGA})
        assert blob.stat().st_ino == inode
    with EventLog.open("r", tmp_path) as again:
        again.record("print", request={"text": MEGA[:-1] + "\n"})
    assert blob.stat().st_ino == inode
    assert [p.name for p in (log.run_dir / "blobs").iterdir()] == [blob.name]


def test_paths_escape_dots_and_backslashes_and_number_list_items(tmp_path: Path) -> None:
    big = "é" * 1000  # 1000 characters, 6000 bytes once escaped: large
    request = {"a.b": {"c\\d": ["small", big]}, "n": [[{"x": big}]]}
    with EventLog.create(tmp_path, "r") as log:
        log.record("write_text", request=request)
    (line,) = event_lines(log.path)
    assert line["blobs"] == {r"request.a\.b.c\\d.1": sha(big), "request.n.0.0.x": sha(big)}
    assert line["request"]["a.b"]["c\\d"][0] == "small"
    assert EventLog.load("r", tmp_path).events[0].request == request


def test_the_threshold_is_on_the_encoded_size() -> None:
    assert not is_large("x" * (BLOB_THRESHOLD - 2))
    assert is_large("x" * (BLOB_THRESHOLD - 1))
    assert is_large("é" * 1000) and not is_large("é" * 600)
    assert is_large("\n" * (BLOB_THRESHOLD // 2))


def test_unpaired_surrogates_survive_the_sidecar(tmp_path: Path) -> None:
    odd = "\ud800 lone surrogate " * 500
    with EventLog.create(tmp_path, "r") as log:
        log.record("read_text", response={"content": odd})
    assert EventLog.load("r", tmp_path).events[0].response == {"content": odd}


@pytest.mark.parametrize("lazy", [False, True])
def test_a_missing_or_altered_blob_is_a_warning_and_keeps_the_preview(
    tmp_path: Path, lazy: bool
) -> None:
    with EventLog.create(tmp_path, "r") as log:
        gone = log.record("run", response={"stdout": MEGA})
        other = "another output\n" * 1000
        altered = log.record("run", response={"stdout": other})
    (log.run_dir / "blobs" / sha(MEGA)).unlink()
    (log.run_dir / "blobs" / sha(other)).write_text("tampered")
    loaded = EventLog.load("r", tmp_path, lazy_blobs=lazy)
    assert len(loaded.warnings) == 2
    assert gone.event_id in loaded.warnings[0] and "response.stdout" in loaded.warnings[0]
    assert "does not match its hash" in loaded.warnings[1]
    assert loaded.get(gone.event_id).response["stdout"].startswith(MEGA[:PREVIEW_CHARS])
    assert loaded.get(altered.event_id).response["stdout"].endswith(f"blobs/{sha(other)}]")


@pytest.mark.parametrize(
    "blobs",
    [
        {"response.stdout": "../../../etc/passwd"},
        {"response.nothing": "0" * 64},
        {"elsewhere": "0" * 64},
        {"response.stdout.0": "0" * 64},
        ["response.stdout"],
    ],
)
@pytest.mark.parametrize("lazy", [False, True])
def test_a_blob_map_that_does_not_fit_its_line_is_corruption(
    tmp_path: Path, blobs: object, lazy: bool
) -> None:
    with EventLog.create(tmp_path, "r") as log:
        log.record("run", response={"stdout": "short"})
    lines = log.path.read_text().splitlines()
    line = json.loads(lines[1])
    line["blobs"] = blobs
    log.path.write_text("\n".join([lines[0], json.dumps(line)]) + "\n")
    with pytest.raises(CorruptLogError, match=r":2: "):
        EventLog.load("r", tmp_path, lazy_blobs=lazy)


def test_a_lazy_load_reads_a_blob_only_when_its_value_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = "the answer\n" * 50_000
    prompt = "a long prompt " * 1000
    with EventLog.create(tmp_path, "r") as log:
        call = log.record(
            "agent.call",
            request={"prompt": prompt, "model": "m"},
            response={"text": answer, "parts": [{"text": answer}, "x"], "usage": {"n": 1}},
        )
        other = log.record("run", response={"stdout": MEGA})
    eager = EventLog.load("r", tmp_path)
    reads: list[str] = []
    real_get = BlobStore.get
    monkeypatch.setattr(BlobStore, "get", lambda self, d: reads.append(d) or real_get(self, d))

    lazy = EventLog.load("r", tmp_path, lazy_blobs=True)
    assert reads == [] and lazy.warnings == []  # checked a chunk at a time, not read back
    ev = lazy.get(call.event_id)
    kept = Event.response.__get__(ev)  # what the event holds: the previews
    assert kept["text"].endswith(f"blobs/{sha(answer)}]") and kept["usage"] == {"n": 1}
    assert ev.response == call.response and ev.response["parts"][0]["text"] == answer
    assert reads == [sha(answer), sha(answer)]  # the whole response, read once for both
    assert Event.response.__get__(ev) is kept  # nothing kept on the event
    assert ev.request == {"prompt": prompt, "model": "m"} and reads[-1] == sha(prompt)
    assert [e.to_dict() for e in lazy] == [e.to_dict() for e in eager]
    assert lazy.get(other.event_id).response["stdout"] == MEGA
    ev.response = {"replaced": True}  # a new value has no blobs to read
    assert ev.response == {"replaced": True} and reads[-1] == sha(MEGA)


def test_checking_a_blob_raises_what_reading_it_would(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    good = store.put("é" * 5000)
    store.check(good)
    bad = hashlib.sha256(b"\xff\xfe not UTF-8").hexdigest()
    (store.dir / bad).write_bytes(b"\xff\xfe not UTF-8")
    for digest in (bad, "0" * 64, "nope"):
        with pytest.raises((OSError, ValueError)) as expected:
            store.get(digest)
        with pytest.raises(type(expected.value), match=re.escape(str(expected.value))):
            store.check(digest)


@settings(max_examples=200, database=None)
@given(
    st.lists(
        st.one_of(st.text(max_size=6), st.sampled_from([".", "\\", "a.b", "\\.", "", "..\\"])),
        min_size=1,
        max_size=5,
    )
)
def test_split_path_inverts_join_path(parts: list[str]) -> None:
    assert split_path(join_path(parts)) == parts
