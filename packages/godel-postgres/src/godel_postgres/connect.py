"""Connections: the URL shown without its password, one-line errors, and the bounded retry
that carries a writer across a lost connection."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from godel.store import StoreUnavailableError

T = TypeVar("T")

# How long a writer keeps trying to get its connection back (seconds): GODEL_PG_RETRY_SECONDS.
RETRY_SECONDS = 30.0
FIRST_DELAY = 0.1
MAX_DELAY = 2.0


def shown(url: str) -> str:
    """``url`` with its password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def conninfo(url: str) -> str:
    """What psycopg takes: ``postgres://`` is spelt ``postgresql://`` by libpq too."""
    return url


def retry_budget() -> float:
    raw = os.environ.get("GODEL_PG_RETRY_SECONDS", "").strip()
    try:
        return max(0.0, float(raw)) if raw else RETRY_SECONDS
    except ValueError:
        return RETRY_SECONDS


def connect(url: str, **kwargs: Any) -> Any:
    """A new connection, or ``StoreUnavailableError`` saying why not in one line."""
    import psycopg

    try:
        return psycopg.connect(conninfo(url), **kwargs)
    except psycopg.OperationalError as exc:
        raise StoreUnavailableError(f"cannot connect to {shown(url)}: {one_line(exc)}") from None


def outage(url: str, exc: BaseException) -> StoreUnavailableError:
    """The error once the retry budget is spent."""
    return StoreUnavailableError(
        f"lost the connection to {shown(url)} and could not get it back within "
        f"{retry_budget():g} s ({one_line(exc)}); what was committed is kept: "
        "resume the run once the server answers"
    )


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def with_retry(url: str, attempt: Callable[[], T], recover: Callable[[], None]) -> T:
    """``attempt()``; on a lost connection, ``recover()`` (reconnect) with a growing delay and
    try again, for at most ``GODEL_PG_RETRY_SECONDS``; then ``StoreUnavailableError``."""
    import psycopg

    deadline = time.monotonic() + retry_budget()
    delay = FIRST_DELAY
    while True:
        try:
            return attempt()
        except (psycopg.OperationalError, psycopg.InterfaceError, StoreUnavailableError) as exc:
            last = exc
        while True:
            if time.monotonic() + delay > deadline:
                raise outage(url, last) from None
            time.sleep(delay)
            delay = min(delay * 2, MAX_DELAY)
            try:
                recover()
                break
            except (psycopg.OperationalError, psycopg.InterfaceError, StoreUnavailableError) as exc:
                last = exc
