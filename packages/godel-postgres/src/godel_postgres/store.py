"""``PostgresStore``: runs in PostgreSQL (``godel.store.Store``, docs/store.md).

Readers (list, show, tail, pause requests, blobs) share a small connection pool; each writer
has its own connection, which holds the run lock (``godel_postgres.run``). Followers wait on
LISTEN ``godel_lines`` (every writer's commit notifies it) and fall back to polling when a
notification cannot be had (a pooler in transaction mode, a dropped listener).
"""

from __future__ import annotations

import atexit
import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from godel.store import StoreUnavailableError
from godel_postgres.connect import (
    connect,
    conninfo,
    one_line,
    outage,
    refused,
    retry_budget,
    shown,
)
from godel_postgres.run import LOCK_CLASS, PgRunStore, lock_key
from godel_postgres.schema import check_version

if TYPE_CHECKING:
    from godel.log import Redactor

# A live run asks the database whether a pause was requested at most this often (seconds).
PAUSE_CHECK_INTERVAL = 0.05
# How long a pause check waits for a connection; after a failed one the checks rest this long
# (the writer meets the outage too, and it is the one that retries and reports).
PAUSE_CHECK_TIMEOUT = 1.0
READ_BATCH = 10_000  # rows per read_lines call
# Many runs at once, in one query: a row per run (n = -1) saying whether its advisory lock is held
# (the key computed as godel_postgres.run.lock_key does: 31 bits of sha256; pg_locks read once),
# then its lines in append order. Flat rows, not arrays: psycopg parses those fastest.
READ_RUNS = """
with held as materialized (
  select objid::bigint as key from pg_locks
  where locktype = 'advisory' and granted and classid = %(lock_class)s and objsubid = 2
    and database = (select oid from pg_database where datname = current_database())
)
select r.run_id, -1 as n, null as line,
  (('x' || left(encode(sha256(convert_to(r.run_id, 'UTF8')), 'hex'), 8))::bit(32)::bigint
    & 2147483647) in (select key from held)
from godel_runs r where r.run_id = any(%(ids)s)
union all
select l.run_id, l.n, l.line, null from godel_lines l where l.run_id = any(%(ids)s)
order by 1, 2
"""


class PostgresStore:
    """Runs in one PostgreSQL database, named by its URL."""

    def __init__(self, url: str, *, check: bool = True) -> None:
        self.url = url
        self.shown = shown(url)
        self._pool: Any = None
        self._pool_lock = threading.Lock()
        self._listener: Any = None
        self._listen_failed = False
        self.initialized: tuple[int, int] | None = None  # set by godel store init
        if check:  # on a connection of its own: a bad URL fails at once, in one line
            conn = connect(url, autocommit=True)
            try:
                with refused(self.shown):
                    check_version(conn, self.shown)
            finally:
                conn.close()

    @classmethod
    def from_url(cls, url: str, *, init: bool = False) -> PostgresStore:
        """The store at ``url``; ``init`` creates or migrates its schema first."""
        if not init:
            return cls(url)
        from godel_postgres.schema import init_schema

        conn = connect(url, autocommit=True)
        try:
            with refused(shown(url)):
                before, after = init_schema(conn, shown(url))
        finally:
            conn.close()
        store = cls(url)
        store.initialized = (before, after)
        return store

    def __repr__(self) -> str:
        return f"PostgresStore({self.shown!r})"

    @property
    def location(self) -> PostgresStore:
        return self

    # connections -------------------------------------------------------------------------------
    def _connection(self, timeout: float | None = None) -> Any:
        """A pooled autocommit connection (a context manager), waited for at most ``timeout``
        seconds (default: the retry budget, ``GODEL_PG_RETRY_SECONDS``)."""
        if timeout is None:
            timeout = max(retry_budget(), 0.5)
        import psycopg

        with self._pool_lock:
            if self._pool is None:
                import logging

                from psycopg_pool import ConnectionPool

                # The pool's own retries are ours to report, in one [godel] line.
                logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL)

                pool = ConnectionPool(
                    conninfo(self.url),
                    min_size=1,
                    max_size=4,
                    kwargs={"autocommit": True},
                    open=False,
                    name="godel",
                )
                try:
                    pool.open(wait=True, timeout=10)
                except Exception as exc:
                    pool.close()
                    raise StoreUnavailableError(
                        f"cannot connect to {self.shown}: {one_line(exc)}"
                    ) from None
                self._pool = pool
                atexit.register(self.close)
        pool = self._pool

        class _Conn:
            def __enter__(self_inner) -> Any:
                self_inner.cm = pool.connection(timeout=timeout)
                try:
                    return self_inner.cm.__enter__()
                except psycopg.OperationalError as exc:
                    raise outage(self.url, exc) from None

            def __exit__(self_inner, *exc: Any) -> Any:
                return self_inner.cm.__exit__(*exc)

        return _Conn()

    def _query(
        self, sql: str, params: tuple[Any, ...] | dict[str, Any] = (), timeout: float | None = None
    ) -> list[tuple[Any, ...]]:
        import psycopg

        try:
            with self._connection(timeout) as conn:
                return conn.execute(sql, params).fetchall()  # type: ignore[no-any-return]
        except psycopg.OperationalError as exc:
            raise outage(self.url, exc) from None

    # runs --------------------------------------------------------------------------------------
    def run_store(self, run_id: str, *, durability: str) -> PgRunStore:
        return PgRunStore(self, run_id, durability=durability)

    def exists(self, run_id: str) -> bool:
        return bool(self._query("select 1 from godel_runs where run_id = %s", (run_id,)))

    def list_run_ids(self) -> list[str]:
        # ULID run ids sort by the time they encode; others by when they were stored.
        rows = self._query("select run_id from godel_runs order by run_id desc")
        return [row[0] for row in rows]

    def run_versions(self) -> list[tuple[str, int]]:
        """Every run id, newest first, with its line count: what changes as a run grows, for
        every run in one query (``godel ui``'s runs page)."""
        rows = self._query("select run_id, lines from godel_runs order by run_id desc")
        return [(row[0], int(row[1])) for row in rows]

    def read_runs(self, run_ids: Sequence[str]) -> dict[str, tuple[list[bytes], bool]]:
        """Each run's lines and whether a writer holds its lock, for many runs in one query
        (``runs list``); a run that is not stored is left out."""
        if not run_ids:
            return {}
        rows = self._query(READ_RUNS, {"lock_class": LOCK_CLASS, "ids": list(run_ids)})
        out: dict[str, tuple[list[bytes], bool]] = {}
        lines: list[bytes] = []
        for run_id, n, line, locked in rows:
            if n < 0:  # a run's first row: its lock state; its lines follow
                lines = []
                out[run_id] = (lines, bool(locked))
            else:
                lines.append(f"{line}\n".encode("ascii"))
        return out

    def line_count(self, run_id: str) -> int:
        rows = self._query(
            "select coalesce(max(n) + 1, 0) from godel_lines where run_id = %s", (run_id,)
        )
        return int(rows[0][0])

    def read_lines(self, run_id: str, offset: int = 0) -> tuple[list[bytes], int]:
        rows = self._query(
            "select line from godel_lines where run_id = %s and n >= %s order by n limit %s",
            (run_id, offset, READ_BATCH),
        )
        return [f"{row[0]}\n".encode("ascii") for row in rows], offset + len(rows)

    def wait(self, run_id: str, offset: int, timeout: float) -> None:
        """Until a writer commits (LISTEN/NOTIFY) or ``timeout``; polling if LISTEN fails."""
        listener = self._listen()
        if listener is None:
            time.sleep(timeout)
            return
        try:
            for _ in listener.notifies(timeout=timeout, stop_after=1):
                pass
        except Exception:
            self._drop_listener()
            time.sleep(timeout)

    def _listen(self) -> Any:
        if self._listener is not None:
            return self._listener
        if self._listen_failed:
            return None
        try:
            conn = connect(self.url, autocommit=True)
            conn.execute("listen godel_lines")
        except Exception:
            self._listen_failed = True  # polling from now on
            return None
        self._listener = conn
        return conn

    def _drop_listener(self) -> None:
        conn, self._listener = self._listener, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass

    def lock_held(self, run_id: str) -> bool:
        rows = self._query(
            "select 1 from pg_locks where locktype = 'advisory' and granted and classid = %s "
            "and objid = %s and objsubid = 2 and database = "
            "(select oid from pg_database where datname = current_database())",
            (LOCK_CLASS, lock_key(run_id)),
        )
        return bool(rows)

    def holder(self, run_id: str) -> tuple[str, int] | None:
        rows = self._query("select host, pid from godel_holders where run_id = %s", (run_id,))
        return (rows[0][0], rows[0][1]) if rows else None

    # pause requests ----------------------------------------------------------------------------
    def request_pause(self, run_id: str, reason: str) -> None:
        from godel.log import utc_now

        self._query(
            "insert into godel_pause (run_id, reason, requested_ts) values (%s, %s, %s) "
            "on conflict (run_id) do update set reason = excluded.reason, "
            "requested_ts = excluded.requested_ts returning 1",
            (run_id, reason, utc_now()),
        )

    def clear_pause(self, run_id: str) -> None:
        self._query("delete from godel_pause where run_id = %s returning 1", (run_id,))

    def pause_checker(self, run_id: str) -> Callable[[], None]:
        from godel import PauseSignal

        clock = time.monotonic
        next_at = 0.0

        def check() -> None:
            nonlocal next_at
            now = clock()
            if now < next_at:
                return
            next_at = now + PAUSE_CHECK_INTERVAL
            try:
                rows = self._query(
                    "select reason, requested_ts from godel_pause where run_id = %s",
                    (run_id,),
                    timeout=PAUSE_CHECK_TIMEOUT,
                )
            except StoreUnavailableError:
                next_at = now + 2.0
                return
            if rows:
                raise PauseSignal(str(rows[0][0]), str(rows[0][1]))

        return check

    # the transcript ----------------------------------------------------------------------------
    def transcript(self, run_id: str, redactor: Redactor | None) -> Any:
        from godel.log import Transcript

        rows = self._query(
            "select n, line from godel_transcript where run_id = %s order by n desc limit 1",
            (run_id,),
        )
        next_n = rows[0][0] + 1 if rows else 0
        seq = 0
        if rows:
            try:
                seq = int(json.loads(rows[0][1]).get("event", {}).get("seq", 0))
            except (ValueError, AttributeError):
                seq = 0
        counter = [next_n]
        lock = threading.Lock()

        def sink(data: bytes) -> None:
            with lock:
                lines = []
                if counter[0] == 0:
                    header = {"header": {"v": 1, "run_id": run_id, "started_at": _now()}}
                    lines.append(json.dumps(header, separators=(",", ":")))
                lines.append(data.rstrip(b"\n").decode("utf-8"))
                self._insert_transcript(run_id, counter[0], lines)
                counter[0] += len(lines)

        return Transcript(
            f"{self.shown} run {run_id} transcript", run_id, redactor=redactor, sink=sink, seq=seq
        )

    def _insert_transcript(self, run_id: str, first: int, lines: list[str]) -> None:
        with self._connection() as conn, conn.cursor() as cur:
            cur.executemany(
                "insert into godel_transcript (run_id, n, line) values (%s, %s, %s)",
                [(run_id, first + i, line) for i, line in enumerate(lines)],
            )

    def read_transcript(self, run_id: str, offset: int = 0) -> tuple[list[bytes], int]:
        """Transcript lines from ``offset`` on and the next offset, as ``read_lines`` reads the
        log (a follower such as ``godel watch`` reads only what is new)."""
        rows = self._query(
            "select line from godel_transcript where run_id = %s and n >= %s order by n limit %s",
            (run_id, offset, READ_BATCH),
        )
        return [f"{row[0]}\n".encode() for row in rows], offset + len(rows)

    def transcript_lines(self, run_id: str) -> Iterator[bytes]:
        rows = self._query(
            "select line from godel_transcript where run_id = %s order by n", (run_id,)
        )
        for row in rows:
            yield f"{row[0]}\n".encode()

    def put_transcript_lines(self, run_id: str, lines: list[bytes]) -> None:
        rows = self._query(
            "select coalesce(max(n) + 1, 0) from godel_transcript where run_id = %s", (run_id,)
        )
        self._insert_transcript(
            run_id, int(rows[0][0]), [line.rstrip(b"\n").decode("utf-8") for line in lines]
        )

    def discard_copy(self, run_id: str) -> None:
        """Remove what a copy that failed part-way (``godel.store.copy_run``) wrote of run
        ``run_id``: its lines and transcript rows, in one transaction. A cut-short run would
        pass for a crashed one, and refuse the next try as "already there". Blobs stay: they
        are shared by content, and one no line names costs only its row."""
        import psycopg

        try:
            with self._connection() as conn, conn.transaction():
                conn.execute("delete from godel_transcript where run_id = %s", (run_id,))
                conn.execute("delete from godel_runs where run_id = %s", (run_id,))  # cascades
        except psycopg.OperationalError as exc:
            raise outage(self.url, exc) from None

    # blobs -------------------------------------------------------------------------------------
    def get_blob(self, run_id: str, digest: str) -> str:
        rows = self._query("select body from godel_blobs where digest = %s", (digest,))
        if not rows:
            raise KeyError(f"no blob {digest} in {self.shown}")
        return str(rows[0][0])

    def close(self) -> None:
        self._drop_listener()
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()


def _now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat()
