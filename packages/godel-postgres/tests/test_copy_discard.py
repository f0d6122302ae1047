"""``godel runs export``/``import`` into PostgreSQL: a copy that fails part-way leaves no run."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.postgres


def test_a_copy_into_postgres_that_fails_part_way_leaves_nothing_behind(
    store_url: str, tmp_path: Path
) -> None:
    from godel import EventLog
    from godel.store import copy_run, open_store

    with EventLog.create(tmp_path / "src", "r") as log:
        for i in range(1200):  # past a batch of lines (committed as it fills), then the blobs
            log.record("print", request={"text": str(i)})
        for i in range(3):
            log.record("print", request={"text": str(i) * 10_000})  # each one a blob
    source, dest = open_store(str(tmp_path / "src")), open_store(store_url)
    real_get_blob = source.get_blob
    calls = []

    def second_blob_fails(run: str, digest: str) -> str:
        calls.append(digest)
        if len(calls) == 2:  # an unreadable blob, half-way through the lines
            raise OSError(5, "Input/output error")
        return real_get_blob(run, digest)

    source.get_blob = second_blob_fails  # type: ignore[method-assign]
    with pytest.raises(OSError, match="Input/output"):
        copy_run(source, dest, "r")
    # No cut-short copy that would list as a crashed run and refuse the next try as "there".
    assert not dest.exists("r") and dest.list_run_ids() == []
    source.get_blob = real_get_blob  # type: ignore[method-assign]
    lines = (tmp_path / "src" / "r.jsonl").read_bytes().splitlines()
    assert copy_run(source, dest, "r") == len(lines)
    assert [line.rstrip(b"\n") for line in dest.read_lines("r", 0)[0]] == lines
    dest.close()
