"""pytest fixtures for tests against a real PostgreSQL server (``pg_server``, ``pg_url``,
``store_url``), for godel's own tests and for plugins'.

The server is started once per session (``godel_postgres.testing.PgServer``). Without
``initdb`` the tests that use it are skipped, unless ``CI`` or ``GODEL_REQUIRE_POSTGRES`` is
set: then they fail.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_names = itertools.count()


def _required() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("GODEL_REQUIRE_POSTGRES"))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """A throwaway server on a unix socket in a temp dir, for the session."""
    from godel_postgres.testing import PgServer, find_bin

    if find_bin("initdb") is None:
        message = "initdb not found: apt-get install -y postgresql"
        if _required():
            pytest.fail(message)
        pytest.skip(message)
    server = PgServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: Any) -> str:
    """A new, empty database on the session's server (no godel schema yet)."""
    return str(pg_server.create_db(f"t{os.getpid()}_{next(_names)}"))


@pytest.fixture
def store_url(pg_url: str) -> str:
    """A database with the godel schema, made by ``godel store init URL``."""
    godel = Path(sys.executable).parent / "godel"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_")}
    done = subprocess.run(
        [str(godel), "store", "init", pg_url], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    return pg_url
