"""The schema: versioned, created and migrated by ``godel store init URL``.

A godel that finds a newer schema than it knows refuses the store with a clear message rather
than write rows a newer godel would misread; one that finds none says how to create it.
"""

from __future__ import annotations

from typing import Any

from godel.store import StoreError

SCHEMA_VERSION = 1

# Each entry migrates from version i to i + 1; all run in one transaction.
MIGRATIONS: list[str] = [
    """
    create table godel_runs (
        run_id text primary key,
        created_at timestamptz not null default now(),
        lines bigint not null default 0
    );
    -- one row per audit-log line, in append order: the same JSON a runs/<id>.jsonl line holds
    create table godel_lines (
        run_id text not null references godel_runs (run_id) on delete cascade,
        n bigint not null,
        line text not null,
        primary key (run_id, n)
    );
    -- content-addressed: a string stored once, whatever runs name it
    create table godel_blobs (
        digest text primary key,
        body text not null
    );
    create table godel_transcript (
        run_id text not null,
        n bigint not null,
        line text not null,
        primary key (run_id, n)
    );
    create table godel_pause (
        run_id text primary key,
        reason text not null,
        requested_ts text not null
    );
    -- who holds a run's advisory lock, so that a refused writer can be told
    create table godel_holders (
        run_id text primary key,
        host text not null,
        pid integer not null,
        backend_pid integer not null,
        since timestamptz not null default now()
    );
    """,
]


def current_version(conn: Any) -> int | None:
    """The schema version in the database, or None when godel never initialised it."""
    row = conn.execute("select to_regclass('godel_schema') is not null").fetchone()
    if not row[0]:
        return None
    row = conn.execute("select max(version) from godel_schema").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def check_version(conn: Any, url: str) -> None:
    """``StoreError`` unless the schema is the one this godel-postgres writes."""
    version = current_version(conn)
    if version is None:
        raise StoreError(f"{url} has no godel schema yet; create it with: godel store init {url}")
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{url} has godel schema version {version}, newer than this godel-postgres "
            f"knows ({SCHEMA_VERSION}); upgrade godel-postgres on this machine"
        )
    if version < SCHEMA_VERSION:
        raise StoreError(
            f"{url} has godel schema version {version}, older than this godel-postgres "
            f"writes ({SCHEMA_VERSION}); migrate it with: godel store init {url}"
        )


def init_schema(conn: Any, url: str = "the database") -> tuple[int, int]:
    """Create or migrate the schema; returns (version before, version after)."""
    with conn.transaction():
        # One initialiser at a time, whichever machine runs it.
        conn.execute("select pg_advisory_xact_lock(396769, 0)")
        conn.execute("create table if not exists godel_schema (version integer not null)")
        before = current_version(conn) or 0
        if before > SCHEMA_VERSION:
            raise StoreError(
                f"{url} has godel schema version {before}, newer than this godel-postgres "
                f"knows ({SCHEMA_VERSION}); upgrade godel-postgres on this machine"
            )
        for version in range(before, SCHEMA_VERSION):
            conn.execute(MIGRATIONS[version])
            conn.execute("insert into godel_schema (version) values (%s)", (version + 1,))
    return before, SCHEMA_VERSION
