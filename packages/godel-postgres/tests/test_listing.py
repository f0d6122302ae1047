"""Reading many runs, and a transcript as it grows, in few queries: ``runs list`` reads 100 runs
per query (their lock states included), a transcript follower only the rows it has not seen."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.postgres


def counting(store):
    """The store, with a count of the queries its readers make."""
    count = [0]
    query = store._query

    def counted(*args, **kwargs):
        count[0] += 1
        return query(*args, **kwargs)

    store._query = counted
    return count


def test_runs_list_reads_every_run_in_two_queries_and_sees_the_live_one(h, machines):
    from godel.log import list_run_ids
    from godel.runs import summarize, summarize_many
    from godel.store import open_store

    a, b = machines
    for _ in range(3):
        done = a.godel("run", "wf.py", "n=1", "delay=0")
        assert done.returncode == 0, done.stderr
    finished = set(h.run_ids(a.url))
    live = a.start("run", "wf.py", "n=200", "delay=0.2")
    try:
        (rid,) = h.wait_for(lambda: set(h.run_ids(a.url)) - finished, what="the live run")
        h.wait_for(lambda: h.finished_work(a.url, rid) >= 1, what="a first step")
        listed = b.godel("runs", "list", "--json")
        assert listed.returncode == 0, listed.stderr
        statuses = {r["run_id"]: r["status"] for r in json.loads(listed.stdout)}
        assert statuses.pop(rid) == "RUNNING"  # the lock, as the batched query reads it
        assert sorted(statuses.values()) == ["FINISHED"] * 3
        store = open_store(a.url)
        count = counting(store)
        ids = list_run_ids(store)
        batched = [s.to_dict() for s in summarize_many(ids, store)]
        assert count[0] == 2  # the ids, then every run's lines and lock
        count[0] = 0
        one_by_one = [summarize(run_id, store).to_dict() for run_id in ids]
        assert count[0] >= 3 * len(ids)  # what runs list did before
        for mine, theirs in zip(batched, one_by_one, strict=True):
            if mine["run_id"] != rid:  # the live one grows between the two reads
                assert mine == theirs
        assert [s["status"] for s in batched if s["run_id"] == rid] == ["RUNNING"]
    finally:
        live.kill()
        live.communicate()
    # Killed: nobody holds it any more, and the batched read says so.
    h.wait_for(lambda: not open_store(a.url).lock_held(rid), what="the lock to go")
    again = {r["run_id"]: r["status"] for r in json.loads(b.godel("runs", "list", "--json").stdout)}
    assert again[rid] == "CRASHED"


TRANSCRIBED = """
from godel import run, workflow


@workflow
async def main(n="3"):
    for i in range(int(n)):
        await run(["echo", f"line-{i}"])
    return n
"""


def test_a_transcript_is_read_forward_from_an_offset(h, store_url, tmp_path):
    from godel.store import open_store, read_transcript

    machine = h.Machine(tmp_path / "A", store_url)
    (machine.root / "t.py").write_text(TRANSCRIBED)
    ran = machine.godel("run", "t.py")
    assert ran.returncode == 0, ran.stderr
    rid = h.RUN_LINE.search(ran.stderr).group(1)
    store = open_store(store_url)
    every = list(store.transcript_lines(rid))
    assert sum(b'"line":"line-' in line for line in every) == 3
    first, offset = read_transcript(store, rid, 0)
    assert first == every and offset == len(every)
    assert read_transcript(store, rid, offset) == ([], offset)
    assert read_transcript(store, rid, 2) == (every[2:], len(every))
    # godel watch's reader asks only for the rows after those it has.
    from godel_watch.source import StoredTranscript

    asked: list[int] = []
    reading = store.read_transcript

    def spy(run_id: str, offset: int = 0):
        asked.append(offset)
        return reading(run_id, offset)

    store.read_transcript = spy
    transcript = StoredTranscript(store, rid)
    items = transcript.read()
    assert [i["line"] for i in items if i.get("op") == "stdout"] == ["line-0", "line-1", "line-2"]
    assert transcript.read() == [] and transcript.read() == []
    assert asked == [0, len(every), len(every)]
    del store.read_transcript


def test_a_new_run_is_listed_and_pausable_before_its_first_side_effect(store_url):
    """A run that has only computed and slept so far has committed no batch: its header is
    committed when it is created, as a file's first line is visible at once, so every machine
    lists it as RUNNING and `godel pause` finds it (docs/postgres.md)."""
    from godel.log import EventLog, list_run_ids
    from godel.runs import summarize
    from godel.store import open_store

    writer, reader = open_store(store_url), open_store(store_url)
    log = EventLog.create(writer, durability="default")
    try:
        assert log.run_id in list_run_ids(reader)
        assert summarize(log.run_id, reader).status.value == "RUNNING"
        # Its root, the line after the header, says which workflow started when.
        log.start("WORKFLOW_STARTED", request={"function": "slow", "args": [], "kwargs": {}})
        summary = summarize(log.run_id, reader)
        assert summary.workflow == "slow" and summary.started
    finally:
        log.close()
        writer.close()
        reader.close()
