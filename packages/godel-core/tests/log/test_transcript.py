"""The transcript writer: format, lazy creation, seq across reopen, torn lines, threads."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from godel.log.transcript import TRANSCRIPT_FORMAT_VERSION, Transcript


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_nothing_is_created_before_the_first_write(tmp_path):
    path = tmp_path / "runs" / "R1" / "transcript.jsonl"
    t = Transcript(path, "R1")
    assert not path.parent.exists()
    t.close()
    assert not path.parent.exists()


def test_header_then_compact_events_with_increasing_seq(tmp_path):
    path = tmp_path / "runs" / "R1" / "transcript.jsonl"
    t = Transcript(path, "R1")
    assert (
        t.write("run.start", step_path=("a", "b"), stream_path=["L1"], cmd=["echo", "x"], cwd="")
        == 1
    )
    assert t.write("stdout", stream_path=["L1"], line="x") == 2
    t.close()
    raw = path.read_text().splitlines()
    header = json.loads(raw[0])["header"]
    assert header["v"] == TRANSCRIPT_FORMAT_VERSION and header["run_id"] == "R1"
    assert header["started_at"].endswith("+00:00")
    first = json.loads(raw[1])["event"]
    assert list(first) == ["ts", "seq", "op", "step_path", "stream_path", "cmd", "cwd"]
    assert first["seq"] == 1 and first["op"] == "run.start" and first["step_path"] == ["a", "b"]
    assert first["stream_path"] == ["L1"] and first["cmd"] == ["echo", "x"]
    assert json.loads(raw[2])["event"]["line"] == "x"
    assert all(", " not in line and ": " not in line for line in raw[1:])  # compact


def test_non_ascii_is_written_as_utf8_and_lone_surrogates_survive(tmp_path):
    path = tmp_path / "t.jsonl"
    with Transcript(path, "R") as t:
        t.write("print", text="café ✓")
        t.write("print", text="bad \udc80 surrogate")
    assert "café ✓" in path.read_text(encoding="utf-8")
    events = [line["event"] for line in read_lines(path)[1:]]
    assert [e["text"] for e in events] == ["café ✓", "bad \udc80 surrogate"]


def test_writing_after_close_is_an_error(tmp_path):
    t = Transcript(tmp_path / "t.jsonl", "R")
    t.write("x")
    t.close()
    t.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        t.write("y")


def test_reopening_continues_the_seq_without_a_second_header(tmp_path):
    path = tmp_path / "t.jsonl"
    with Transcript(path, "R") as t:
        for i in range(5):
            t.write("stdout", line=str(i))
    with Transcript(path, "R") as again:
        assert again.write("stdout", line="next") == 6
    lines = read_lines(path)
    assert sum("header" in line for line in lines) == 1
    assert [line["event"]["seq"] for line in lines[1:]] == [1, 2, 3, 4, 5, 6]


def test_a_torn_last_line_is_cut_off_and_ignored(tmp_path):
    path = tmp_path / "t.jsonl"
    with Transcript(path, "R") as t:
        t.write("a")
        t.write("b")
    with path.open("ab") as f:
        f.write(b'{"event": {"ts": "x", "seq": 99, "op": "torn", "li')
    with Transcript(path, "R") as again:
        assert again.write("c") == 3
    lines = read_lines(path)  # every line parses: the torn bytes are gone
    assert [line["event"]["op"] for line in lines[1:]] == ["a", "b", "c"]


def test_the_last_event_is_found_behind_a_huge_line_and_junk(tmp_path):
    path = tmp_path / "t.jsonl"
    with Transcript(path, "R") as t:
        t.write("a")
        t.write("stdout", line="y" * (5 * 1024 * 1024))  # seq 2, far bigger than a read block
    with path.open("ab") as f:
        f.write(b"not json\n" + b'{"event": {"op": "no seq"}}\n')
    with Transcript(path, "R") as again:
        assert again.write("c") == 3


def test_only_a_header_or_only_a_torn_header(tmp_path):
    path = tmp_path / "t.jsonl"
    with Transcript(path, "R") as t:
        t.write("a")
    path.write_text(path.read_text().splitlines()[0] + "\n")  # header only
    with Transcript(path, "R") as t:
        assert t.write("first") == 1
    path.write_bytes(b'{"header": {"v": 1, "ru')  # crash while writing the header
    with Transcript(path, "R") as t:
        assert t.write("first") == 1
    lines = read_lines(path)
    assert "header" in lines[0] and lines[1]["event"]["seq"] == 1 and len(lines) == 2


def test_reading_the_tail_does_not_parse_the_whole_file(tmp_path, monkeypatch):
    path = tmp_path / "t.jsonl"
    with Transcript(path, "R") as t:
        for i in range(20_000):
            t.write("stdout", line=f"line {i}")
    import godel.log.transcript as mod

    parsed: list[bytes] = []
    real = mod._event_seq
    monkeypatch.setattr(mod, "_event_seq", lambda line: parsed.append(line) or real(line))
    with Transcript(path, "R") as again:
        assert again.write("x") == 20_001
    assert len(parsed) == 1


def test_concurrent_writers_get_unique_seqs_and_whole_lines(tmp_path):
    path = tmp_path / "t.jsonl"
    t = Transcript(path, "R")
    got: list[int] = []
    lock = threading.Lock()

    def writer(n: int) -> None:
        mine = [t.write("stdout", stream_path=[str(n)], line="z" * (n * 1000)) for _ in range(300)]
        with lock:
            got.extend(mine)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    t.close()
    assert sorted(got) == list(range(1, 2401))
    events = [line["event"] for line in read_lines(path)[1:]]
    assert [e["seq"] for e in events] == list(range(1, 2401))  # file order is seq order
    assert all(len(e["line"]) == int(e["stream_path"][0]) * 1000 for e in events)


def test_the_redaction_seam_sees_every_event(tmp_path):
    class Masking(Transcript):
        def _redact(self, body: dict[str, Any]) -> dict[str, Any]:
            if "line" in body:
                body["line"] = body["line"].replace("hunter2", "***")
            return body

    path = tmp_path / "t.jsonl"
    with Masking(path, "R") as t:
        t.write("stdout", line="password=hunter2")
    assert "hunter2" not in path.read_text()
    assert read_lines(path)[1]["event"]["line"] == "password=***"


def test_a_transcript_past_its_size_limit_is_rotated(tmp_path):
    from godel.log.transcript import Transcript, transcript_files

    path = tmp_path / "run" / "transcript.jsonl"
    with Transcript(path, "r", max_bytes=700) as t:  # fewer archives than are kept
        for i in range(12):
            t.write("stdout", line=f"line {i} " + "x" * 60)
    files = transcript_files(path)
    assert [f.name for f in files][-1] == "transcript.jsonl" and len(files) > 2
    events = [
        json.loads(line)["event"]
        for f in files
        for line in f.read_text().splitlines()
        if line.startswith('{"event"')
    ]
    lines = [e["line"] for e in events if e["op"] == "stdout"]
    assert lines == [f"line {i} " + "x" * 60 for i in range(12)]  # nothing lost, in order
    assert [e["seq"] for e in events if e["op"] == "stdout"] == list(range(1, 13))
    rotations = [e for e in events if e["op"] == "rotate"]
    assert rotations[0]["prev"] is None and rotations[1]["prev"] == "transcript.jsonl.2"
    for f in files:
        first = json.loads(f.read_text().splitlines()[0])
        assert first["header"]["run_id"] == "r"
        assert f.stat().st_size < 700 + 200  # one line may overshoot, never more


def test_only_the_newest_archives_are_kept(tmp_path):
    """godel-py kept every archive and renamed them all at each rotation (REFERENCE §17.4)."""
    from godel.log.transcript import MAX_ARCHIVES, Transcript, transcript_files

    path = tmp_path / "run" / "transcript.jsonl"
    with Transcript(path, "r", max_bytes=200) as t:
        for i in range(60):
            t.write("stdout", line=f"line {i} " + "x" * 120)
    files = transcript_files(path)
    assert [f.name for f in files] == [
        *(f"transcript.jsonl.{k}" for k in range(MAX_ARCHIVES, 0, -1)),
        "transcript.jsonl",
    ]
    lines = [
        json.loads(line)["event"]["line"]
        for f in files
        for line in f.read_text().splitlines()
        if '"op":"stdout"' in line
    ]
    assert lines == [f"line {i} " + "x" * 120 for i in range(60 - len(lines), 60)]  # the newest


def test_the_limit_comes_from_the_configuration(tmp_path, monkeypatch):
    from godel.config import clear_cache
    from godel.log.transcript import Transcript

    monkeypatch.setenv("GODEL_TRANSCRIPT_MAX_BYTES", "12345")
    clear_cache()
    assert Transcript(tmp_path / "t.jsonl", "r").max_bytes == 12345
    clear_cache()


def test_a_deleted_transcript_directory_does_not_fail_the_run(tmp_path, capsys):
    """The transcript is advisory: its directory deleted mid-run made the next rotation raise
    FileNotFoundError out of the workflow. Now it warns once and starts a new file."""
    import shutil

    path = tmp_path / "run" / "transcript.jsonl"
    with Transcript(path, "r", max_bytes=300) as t:
        t.write("stdout", line="before " + "x" * 100)
        shutil.rmtree(path.parent)
        for i in range(6):
            t.write("stdout", line=f"after {i} " + "x" * 100)
    assert capsys.readouterr().err.count("[godel] warning: the transcript") == 1
    events = [e["event"] for e in read_lines(path)[1:] if "event" in e]
    assert events[-1]["line"].startswith("after 5") and events[-1]["seq"] > 1
