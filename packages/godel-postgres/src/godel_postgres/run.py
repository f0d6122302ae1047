"""One run's rows, as ``EventLog`` writes them (``godel.log.store.EventStore``).

The writer has a connection of its own, which holds the run lock: a session-level advisory
lock, so it goes with the connection when the process dies, however it dies. Lines and blobs
wait in a batch and are committed together, in one transaction, when ``EventLog`` asks for a
sync: the start of a side effect, soon after its end, and the end of the run (durability
``always``: every line). The commit also notifies the followers (LISTEN/NOTIFY).

A lost connection is retried for a bounded time (``godel_postgres.connect.with_retry``): the
writer reconnects, takes its lock again, and re-sends the batch only if the commit did not
land (the run's line count says which), so no line is written twice or lost.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from godel.log import RunLockedError
from godel_postgres.connect import connect, shown, with_retry

if TYPE_CHECKING:
    from godel_postgres.store import PostgresStore

# psycopg logs what it ignores while a connection dies; the retry reports the outage itself.
logging.getLogger("psycopg").setLevel(logging.CRITICAL)

LOCK_CLASS = 396769  # the first key of every godel run lock (pg_try_advisory_lock(int, int))
HOLDER_WAIT = 2.0  # seconds a refused writer waits to learn who holds the lock
# host and pid of the session holding a run's lock; the last column says the row is that
# session's own (False while the holder has not written its row yet, or for a stale row)
HOLDER_QUERY = """
select h.host, h.pid, h.backend_pid = l.pid
from pg_locks l left join godel_holders h on h.run_id = %s
where l.locktype = 'advisory' and l.granted and l.classid = %s and l.objid = %s
  and l.objsubid = 2 and l.database = (select oid from pg_database where datname = current_database())
"""
BATCH_LINES = 512  # a batch this long is committed without waiting for a sync


def lock_key(run_id: str) -> int:
    """The second advisory-lock key of a run: 31 bits of its sha256."""
    return int.from_bytes(hashlib.sha256(run_id.encode()).digest()[:4], "big") & 0x7FFFFFFF


class RunAddress(str):
    """How a stored run is named where a log path would be printed (``audit log: ...``)."""

    run_id: str

    def __new__(cls, url: str, run_id: str) -> RunAddress:
        self = super().__new__(cls, f"{url} run {run_id}")
        self.run_id = run_id
        return self

    @property
    def name(self) -> str:
        return f"{self.run_id}.jsonl"

    def is_file(self) -> bool:
        return False


class PgLockedError(RunLockedError):
    """The run lock is held by a writer elsewhere; says which host and pid."""

    def __init__(self, run_id: str, host: str | None, pid: int | None) -> None:
        super().__init__(run_id, pid)
        holder = f"godel on {host} (pid {pid})" if host else "another godel process"
        Exception.__init__(
            self,
            f"run {run_id} is in use by {holder}; "
            f"wait for it to finish or `godel pause {run_id}` it, then try again",
        )
        self.host = host


class PgRunStore:
    """The rows of one run (read-only until ``lock``)."""

    def __init__(self, store: PostgresStore, run_id: str, *, durability: str) -> None:
        self.store = store
        self.run_id = run_id
        self.durability = durability
        self.path = RunAddress(shown(store.url), run_id)
        self.run_dir = self.path
        self._always = durability == "always"
        self._conn: Any = None
        self._mutex = threading.RLock()
        self._next = 0  # the n of the next line
        self._committed = 0  # lines known to be committed
        self._lines: list[tuple[int, str]] = []
        self._blobs: dict[str, str] = {}
        self._new_run = False
        self._eager = 0  # lines still to commit as they come (the run's first ones)

    # reading ---------------------------------------------------------------------------------
    def iter_lines(self) -> Iterator[bytes]:
        offset = 0
        while True:
            lines, offset = self.store.read_lines(self.run_id, offset)
            if not lines:
                return
            yield from lines

    def get_blob(self, digest: str) -> str:
        pending = self._blobs.get(digest)
        if pending is not None:
            return pending
        return self.store.get_blob(self.run_id, digest)

    # the lock ----------------------------------------------------------------------------------
    def lock(self) -> None:
        with self._mutex:
            if self._conn is None:
                self._conn = self._locked_connection()

    def _take_lock(self, conn: Any) -> None:
        """Take the run lock on ``conn``, or raise naming the process whose session holds it.

        The holder writes its row just after it takes the lock, and a killed holder's session
        lingers a moment on the server: so a refusal waits up to HOLDER_WAIT seconds for the
        row of the session that holds the lock (not a stale row of an earlier holder), and
        tries the lock again if that session has gone meanwhile.
        """
        key = (LOCK_CLASS, lock_key(self.run_id))
        deadline = time.monotonic() + HOLDER_WAIT
        row = None
        while True:
            if conn.execute("select pg_try_advisory_lock(%s, %s)", key).fetchone()[0]:
                return
            row = conn.execute(HOLDER_QUERY, (self.run_id, *key)).fetchone()
            if (row is not None and row[2]) or time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        raise PgLockedError(self.run_id, *(row[:2] if row and row[2] else (None, None)))

    def _locked_connection(self) -> Any:
        conn = connect(self.store.url, autocommit=True)
        try:
            if self.durability == "none":
                conn.execute("set synchronous_commit = off")
            self._take_lock(conn)
            conn.execute(
                "insert into godel_holders (run_id, host, pid, backend_pid) "
                "values (%s, %s, %s, pg_backend_pid()) on conflict (run_id) do update set "
                "host = excluded.host, pid = excluded.pid, backend_pid = excluded.backend_pid, "
                "since = now()",
                (self.run_id, socket.gethostname(), os.getpid()),
            )
        except BaseException:
            conn.close()
            raise
        return conn

    # opening -----------------------------------------------------------------------------------
    def create(self, first_line: bytes) -> None:
        if self.store.exists(self.run_id):
            raise FileExistsError(f"run {self.run_id} already exists in {self.path}")
        self._new_run = True
        self._next = self._committed = 0
        # Committed at once, as a file's first line is visible at once: other machines list the
        # run as RUNNING and can pause it before its first side effect commits the batch. The
        # line after it (the run's root: its workflow and start) is committed at once too.
        self.append(first_line, sync=True)
        self._eager = 1

    def open_append(self, valid_end: int) -> tuple[int, None]:
        # Rows are whole lines: there is never a torn one to cut off.
        self._next = self._committed = self.store.line_count(self.run_id)
        self._eager = 1  # a resume's first line (RESUME): other machines see it take the run
        return 0, None

    # writing -----------------------------------------------------------------------------------
    def append(self, line: bytes, *, sync: bool = False) -> None:
        with self._mutex:
            if self._conn is None:
                raise ValueError(f"{self.path} is not open for appending")
            self._lines.append((self._next, line.rstrip(b"\n").decode("ascii")))
            self._next += 1
            if sync or self._always or self._eager or len(self._lines) >= BATCH_LINES:
                self._eager = 0
                self._flush()

    def append_lines(self, lines: list[bytes], *, sync: bool = False) -> None:
        """Several complete lines, committed in one transaction: all of them or none."""
        with self._mutex:
            if self._conn is None:
                raise ValueError(f"{self.path} is not open for appending")
            for line in lines:
                self._lines.append((self._next, line.rstrip(b"\n").decode("ascii")))
                self._next += 1
            if sync or self._always or self._eager or len(self._lines) >= BATCH_LINES:
                self._eager = 0
                self._flush()

    def put_blob(self, text: str) -> str:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        with self._mutex:
            self._blobs[digest] = text
        return digest

    def sync(self) -> None:
        with self._mutex:
            if self._lines or self._blobs or self._new_run:
                self._flush()

    def _flush(self) -> None:
        with_retry(self.store.url, self._commit_batch, self._reconnect)

    def _commit_batch(self) -> None:
        conn = self._conn
        lines, blobs = self._lines, self._blobs
        with conn.transaction():
            if self._new_run:
                conn.execute("insert into godel_runs (run_id) values (%s)", (self.run_id,))
            if blobs:
                with conn.cursor() as cur:
                    cur.executemany(
                        "insert into godel_blobs (digest, body) values (%s, %s) "
                        "on conflict (digest) do nothing",
                        list(blobs.items()),
                    )
            if lines:
                with conn.cursor() as cur:
                    with cur.copy("copy godel_lines (run_id, n, line) from stdin") as copy:
                        for n, text in lines:
                            copy.write_row((self.run_id, n, text))
                conn.execute(
                    "update godel_runs set lines = %s where run_id = %s",
                    (lines[-1][0] + 1, self.run_id),
                )
            conn.execute("select pg_notify('godel_lines', %s)", (self.run_id,))
        self._new_run = False
        if lines:
            self._committed = lines[-1][0] + 1
        self._lines, self._blobs = [], {}

    def _reconnect(self) -> None:
        """A new connection with the run lock, and the batch dropped if it did commit."""
        old, self._conn = self._conn, None
        try:
            old.close()
        except Exception:  # the connection is gone already
            pass
        self._conn = self._locked_connection()
        count = self.store.line_count(self.run_id)
        if self._lines and count >= self._lines[-1][0] + 1:
            self._lines, self._blobs, self._new_run = [], {}, False  # the commit had landed
            self._committed = count
        elif self._new_run and self.store.exists(self.run_id):
            self._new_run = False

    def close(self) -> None:
        with self._mutex:
            try:
                if self._conn is not None:
                    self.sync()
                    try:
                        self._conn.execute(
                            "delete from godel_holders where run_id = %s and backend_pid = "
                            "pg_backend_pid()",
                            (self.run_id,),
                        )
                    except Exception:
                        pass  # the lock goes with the connection anyway
            finally:
                self.release()

    def release(self) -> None:
        with self._mutex:
            conn, self._conn = self._conn, None
            self._lines, self._blobs = [], {}
            if conn is not None:
                conn.close()  # the advisory lock goes with the session
