"""``godel.store.copy_run`` (``godel runs export``/``import``) into a runs folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from godel import EventLog
from godel.store import copy_run, open_store


def _run_with_blobs(runs: Path) -> str:
    with EventLog.create(runs, "r") as log:
        for i in range(3):
            log.record("print", request={"text": str(i) * 10_000})  # each one a blob
    return "r"


def test_a_copy_that_fails_part_way_leaves_nothing_behind(tmp_path: Path) -> None:
    run_id = _run_with_blobs(tmp_path / "src")
    source, dest = open_store(str(tmp_path / "src")), open_store(str(tmp_path / "dest"))
    real_get_blob = source.get_blob
    calls = []

    def second_blob_fails(run: str, digest: str) -> str:
        calls.append(digest)
        if len(calls) == 2:  # as a full disk or an unreadable blob would, half-way
            raise OSError(28, "No space left on device")
        return real_get_blob(run, digest)

    source.get_blob = second_blob_fails  # type: ignore[method-assign]
    with pytest.raises(OSError, match="No space"):
        copy_run(source, dest, run_id)
    # No cut-short copy that would list as a crashed run and refuse the next try as "there".
    assert not dest.exists(run_id)
    assert sorted(p.name for p in (tmp_path / "dest").iterdir()) == ["r.lock"]
    source.get_blob = real_get_blob  # type: ignore[method-assign]
    assert copy_run(source, dest, run_id) == len(
        (tmp_path / "src" / "r.jsonl").read_bytes().splitlines()
    )


def test_a_run_already_in_the_folder_is_left_as_it_is(tmp_path: Path) -> None:
    run_id = _run_with_blobs(tmp_path / "src")
    source, dest = open_store(str(tmp_path / "src")), open_store(str(tmp_path / "dest"))
    copy_run(source, dest, run_id)
    before = (tmp_path / "dest" / "r.jsonl").read_bytes()
    with pytest.raises(FileExistsError):
        copy_run(source, dest, run_id)
    assert (tmp_path / "dest" / "r.jsonl").read_bytes() == before
