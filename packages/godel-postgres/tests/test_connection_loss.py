"""A writer that loses its connection: a dropped session is taken up again and the run goes on,
no line written twice or lost; a server gone for longer than the retry budget fails the run with
one clear line, and the run resumes once the server is back."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def lines_of(url: str, run_id: str) -> list[tuple[int, str]]:
    import psycopg

    with psycopg.connect(url) as conn:
        return list(
            conn.execute("select n, line from godel_lines where run_id = %s order by n", (run_id,))
        )


def terminate_writer(url: str, run_id: str) -> bool:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "select pg_terminate_backend(backend_pid) from godel_holders where run_id = %s",
            (run_id,),
        ).fetchone()
    return bool(row and row[0])


def result_of(machine, run_id: str) -> tuple[str, object]:
    data = json.loads(machine.godel("show", run_id, "--json").stdout)
    root = next(e for e in data["events"] if e["op"] == "WORKFLOW_STARTED")
    return data["run"]["status"], (root.get("response") or {}).get("result")


def test_a_dropped_session_is_taken_up_again_and_the_run_goes_on(h, machines):
    a, _ = machines
    proc = a.start("run", "wf.py", "n=10", "delay=0.3")
    run_id = h.wait_for(lambda: (h.run_ids(a.url) or [None])[-1], what="the run")
    for done in (2, 5):
        h.wait_for(lambda done=done: h.finished_work(a.url, run_id) >= done, what="progress")
        assert h.wait_for(lambda: terminate_writer(a.url, run_id), what="the writer's session")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert result_of(a, run_id) == (
        "FINISHED",
        {"items": [f"item-{i}" for i in range(10)], "big": 50000},
    )
    rows = lines_of(a.url, run_id)
    assert [n for n, _ in rows] == list(range(len(rows)))  # nothing lost
    assert len({line for _, line in rows}) == len(rows)  # nothing written twice
    assert a.marks() == [str(i) for i in range(10)]  # every effect ran once


def test_a_server_gone_too_long_fails_the_run_clearly_and_it_resumes_later(h, tmp_path):
    from godel_postgres.testing import PgServer

    server = PgServer().start()
    try:
        url = server.create_db("outage")
        init = subprocess.run(
            [str(h.GODEL), "store", "init", url], capture_output=True, text=True, env=h.clean_env()
        )
        assert init.returncode == 0, init.stderr
        a = h.Machine(tmp_path / "A", url)
        proc = subprocess.Popen(
            [str(h.GODEL), "run", "wf.py", "n=10", "delay=0.3"],
            cwd=a.root,
            env=a.env({"GODEL_PG_RETRY_SECONDS": "2"}),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        run_id = h.wait_for(lambda: (h.run_ids(url) or [None])[-1], what="the run")
        h.wait_for(lambda: h.finished_work(url, run_id) >= 2, what="progress")
        server.halt()
        started = time.monotonic()
        _, err = proc.communicate(timeout=120)
        assert proc.returncode != 0
        assert time.monotonic() - started < 30, err
        assert "lost the connection to" in err and "within 2 s" in err, err
        assert "resume the run once the server answers" in err
        assert "Traceback" not in err
        assert "traceback is in the audit log" not in err  # the log was out of reach too
        server.restart()
        resumed = a.godel("resume", run_id, "wf.py", "--assume-idempotent")
        assert resumed.returncode == 0, resumed.stderr
        assert result_of(a, run_id) == (
            "FINISHED",
            {"items": [f"item-{i}" for i in range(10)], "big": 50000},
        )
        rows = lines_of(url, run_id)
        assert [n for n, _ in rows] == list(range(len(rows)))
    finally:
        server.stop()
