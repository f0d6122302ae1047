"""godel-postgres: godel's runs kept in PostgreSQL, so that every machine that has the URL
sees, tails, pauses and resumes them (docs/postgres.md).

``PostgresStore`` implements ``godel.store.Store``; the plugin registers it for the URL
schemes ``postgresql`` and ``postgres``.
"""

from __future__ import annotations

from godel_postgres.__about__ import __version__

__all__ = ["SCHEMA_VERSION", "PostgresStore", "__version__", "init_schema"]


def __getattr__(name: str) -> object:
    # psycopg is imported only when a store is used, not when godel lists its plugins.
    if name == "PostgresStore":
        from godel_postgres.store import PostgresStore

        return PostgresStore
    if name in ("SCHEMA_VERSION", "init_schema"):
        from godel_postgres import schema

        return getattr(schema, name)
    raise AttributeError(name)
