"""godel-postgres's hookimpls: the ``postgresql://`` store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from godel import hookimpl

if TYPE_CHECKING:
    from godel.plugins import Register


@hookimpl
def godel_register_stores(register: Register) -> None:
    target = "godel_postgres.store:PostgresStore.from_url"
    register("postgresql", target, summary="runs in PostgreSQL, shared across machines")
    register("postgres", target, summary="the same as postgresql://")
