"""det.*, print, input, sleep, read_text, write_text: recorded, and usable outside a workflow."""

from __future__ import annotations

import io
import os
import stat
import sys
import threading
from pathlib import Path

import anyio
import pytest

import godel
from godel import det, workflow
from godel.log.events import EventStatus, Op


@workflow
async def values():
    return {
        "now": det.now(),
        "random": det.random(),
        "randint": det.randint(1, 6),
        "choice": det.choice(["a", object(), "c"]) is not None,
        "uuid": det.uuid4(),
    }


def test_det_values_are_recorded_as_one_finished_line(run_wf, load_events, runs_dir):
    result, run_id = run_wf(values)
    events = {e.op: e for e in load_events(run_id)}
    assert events[Op.DET_NOW].response == {"value": result["now"].isoformat()}
    assert events[Op.DET_RANDOM].response == {"value": result["random"]}
    assert 1 <= events[Op.DET_RANDINT].response["value"] <= 6
    assert events[Op.DET_CHOICE].request == {"n": 3}
    assert events[Op.DET_UUID4].status is EventStatus.FINISHED
    lines = (runs_dir / f"{run_id}.jsonl").read_text().splitlines()
    assert sum('"op":"det.random"' in line for line in lines) == 1


def test_det_outside_workflow_is_an_error():
    with pytest.raises(RuntimeError, match="inside a @workflow"):
        det.now()
    with pytest.raises(RuntimeError, match="inside a @workflow"):
        anyio.run(det.sleep, 0)


def test_det_argument_checks(runs_dir):
    with pytest.raises(ValueError, match="empty range"):

        @workflow
        async def wf():
            det.randint(3, 1)

        anyio.run(wf)


@workflow
async def printing():
    await godel.print("a", 1, sep="-")
    await godel.sleep(0)
    return await godel.input("answer? ")


def test_print_input_sleep_are_recorded(run_wf, load_events, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("yes\n"))
    result, run_id = run_wf(printing)
    assert result == "yes"
    out = capsys.readouterr()
    assert "a-1\n" in out.out and "answer? " in out.out
    assert "not a TTY" in out.err
    events = {e.op: e for e in load_events(run_id)}
    assert events[Op.PRINT].request == {"text": "a-1\n"}
    assert events[Op.SLEEP].response["seconds"] == 0
    assert events[Op.INPUT].response == {"value": "yes"}


def test_auto_checkpoint_is_recorded_but_not_hashed(run_wf, load_events, monkeypatch):
    from godel.log.events import compute_request_hash

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setenv("GODEL_AUTO_CHECKPOINT", "pipe")
    result, run_id = run_wf(printing)
    assert result == ""
    ev = next(e for e in load_events(run_id) if e.op == Op.INPUT)
    assert ev.request == {"prompt": "answer? ", "auto_checkpoint": "pipe"}
    assert ev.response == {"value": "", "eof": True}
    assert ev.request_hash == compute_request_hash({"prompt": "answer? "})


@pytest.mark.parametrize(
    "bad", [-1, float("nan"), float("inf"), "x", None, pytest.param(10**400, id="huge")]
)
def test_sleep_validates(bad):
    with pytest.raises(ValueError, match="seconds"):
        anyio.run(godel.sleep, bad)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sep": 1}, "sep must be None or a string, not int"),
        ({"end": b"x"}, "end must be None or a string, not bytes"),
    ],
)
def test_print_checks_sep_and_end_as_the_builtin_does(kwargs, message):
    with pytest.raises(TypeError, match=f"^{message}$"):
        anyio.run(lambda: godel.print("a", "b", **kwargs))


def test_input_shows_a_prompt_that_is_not_a_string_as_the_builtin_does(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("42\n"))
    assert anyio.run(godel.input, 5) == "42"
    assert capsys.readouterr().out == "5"


def test_files_round_trip_and_are_recorded(run_wf, load_events, tmp_path):
    big = "é" * 50_000

    @workflow
    async def files(path):
        await godel.write_text(path, big)
        return await godel.read_text(path)

    target = tmp_path / "deep" / "dir" / "out.txt"
    result, run_id = run_wf(files, str(target))
    assert result == big and target.read_text() == big
    events = {e.op: e for e in load_events(run_id)}
    assert events[Op.WRITE_TEXT].request["path"] == str(target.resolve())
    assert events[Op.WRITE_TEXT].request["content"] == big  # lossless, from the blob sidecar
    assert events[Op.READ_TEXT].response["content"] == big
    assert events[Op.WRITE_TEXT].response["bytes_written"] == len(big.encode())


def test_a_file_that_is_not_text_in_its_encoding_is_named(tmp_path):
    # The run's one-line error must say which read failed, and how to read it instead.
    target = tmp_path / "image.png"
    target.write_bytes(b"\x89PNG\r\n\x1a\n\xff")
    with pytest.raises(UnicodeDecodeError) as info:
        anyio.run(godel.read_text, target)
    assert str(info.value) == (
        "'utf-8' codec can't decode byte 0x89 in position 0: invalid start byte "
        f"(reading {target}: not utf-8 text; pass encoding=)"
    )


def test_write_onto_a_read_only_file_is_refused_as_open_refuses_it():
    # A rename needs only the folder's write permission: it would have replaced the file.
    import shutil
    import tempfile

    from godel.io import write_atomic

    folder = Path(tempfile.mkdtemp(prefix="godel-read-only-"))  # pytest's tmp_path is root's only
    folder.chmod(0o777)
    target = folder / "kept.txt"
    target.write_text("kept")
    target.chmod(0o444)
    as_root = os.geteuid() == 0
    try:
        if as_root:
            os.seteuid(65534)  # root may write anything: be another user for the call
        try:
            with pytest.raises(PermissionError) as caught:
                write_atomic(target, b"replaced")
        finally:
            if as_root:
                os.seteuid(0)
        assert caught.value.filename == str(target)
        assert target.read_text() == "kept"
        assert sorted(p.name for p in folder.iterdir()) == ["kept.txt"]
    finally:
        shutil.rmtree(folder)


def test_write_into_a_fifo_or_device_writes_into_it(tmp_path):
    # A rename would replace it with a regular file (as root, "/dev/null" too).
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def drain() -> None:
        with open(fifo, "rb") as f:
            got.append(f.read())

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    anyio.run(godel.write_text, fifo, "through the pipe")
    reader.join(5)
    assert got == [b"through the pipe"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo"]


def test_write_onto_a_directory_names_it(tmp_path):
    with pytest.raises(IsADirectoryError) as info:
        anyio.run(godel.write_text, tmp_path, "x")
    assert info.value.filename == str(tmp_path)  # not the temp file beside it
    assert list(tmp_path.iterdir()) == []


def test_write_keeps_mode_and_leaves_no_temp_files(tmp_path):
    target = tmp_path / "f.txt"
    target.write_text("old")
    os.chmod(target, 0o640)
    anyio.run(godel.write_text, target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]
    fresh = tmp_path / "g.txt"
    anyio.run(godel.write_text, fresh, "x")
    assert stat.S_IMODE(fresh.stat().st_mode) != 0o600 or os.umask(0o022) == 0o177


def test_read_missing_file_fails_and_is_recorded(run_wf, load_events, tmp_path):
    @workflow
    async def missing():
        return await godel.read_text(tmp_path / "nope.txt")

    with pytest.raises(FileNotFoundError) as info:
        run_wf(missing)
    ev = next(e for e in load_events(info.value.run_id) if e.op == Op.READ_TEXT)
    assert ev.status is EventStatus.FAILED and ev.response["error_type"] == "FileNotFoundError"


def test_get_event_log(run_wf):
    @workflow
    async def wf():
        return godel.get_event_log().run_id

    result, run_id = run_wf(wf)
    assert result == run_id
    with pytest.raises(RuntimeError):
        godel.get_event_log()
