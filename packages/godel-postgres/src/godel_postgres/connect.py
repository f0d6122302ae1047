"""Connections: the URL shown without its password, one-line errors, and the bounded retry
that carries a writer across a lost connection."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import unquote

from godel.store import StoreError, StoreUnavailableError

T = TypeVar("T")

# How long a writer keeps trying to get its connection back (seconds): GODEL_PG_RETRY_SECONDS.
RETRY_SECONDS = 30.0
FIRST_DELAY = 0.1
MAX_DELAY = 2.0


# libpq also takes the password as a query parameter: postgresql://u@host/db?password=...
_QUERY_PASSWORD = re.compile(r"(?i)(^|&)(password=)([^&]*)")


def shown(url: str) -> str:
    """``url`` with its password (``user:PASSWORD@`` or ``?password=``) replaced by ``***``."""
    base, sep, query = url.partition("?")
    password = _userinfo_password(base)
    if password is not None:
        base = base.replace(f":{password}@", ":***@", 1)
    return base + sep + _QUERY_PASSWORD.sub(r"\1\2***", query)


def _userinfo_password(base: str) -> str | None:
    # As urlsplit reads it, without its ValueError on a URL it finds malformed (a bad port).
    netloc = base.partition("://")[2].partition("/")[0].partition("#")[0]
    userinfo, at, _ = netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return None
    return userinfo.partition(":")[2]


def _passwords(url: str) -> list[str]:
    """Every spelling of the passwords ``url`` holds, longest first (to scrub messages)."""
    found = [m.group(3) for m in _QUERY_PASSWORD.finditer(url.partition("?")[2])]
    found.append(_userinfo_password(url.partition("?")[0]) or "")
    spelt = {s for p in found if p for s in (p, unquote(p))}
    return sorted(spelt, key=len, reverse=True)


def scrubbed(text: str, url: str) -> str:
    """``text`` (say, a driver's error about ``url``) with the URL's passwords hidden."""
    for secret in _passwords(url):
        text = text.replace(secret, "***")
    return text


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
    """A new connection, or ``StoreUnavailableError`` saying why not in one line
    (``StoreError`` for a URL libpq cannot read: a bad %-escape, an unknown parameter)."""
    import psycopg

    try:
        return psycopg.connect(conninfo(url), **kwargs)
    except psycopg.OperationalError as exc:
        reason = scrubbed(one_line(exc), url)
        raise StoreUnavailableError(f"cannot connect to {shown(url)}: {reason}") from None
    except psycopg.Error as exc:
        # Raised before any connection is tried; the message may quote the password's text.
        reason = scrubbed(one_line(exc), url)
        raise StoreError(f"cannot use the store URL {shown(url)}: {reason}") from None


@contextmanager
def refused(shown_url: str) -> Iterator[None]:
    """Turn the server refusing what godel asks of it (no privilege on godel's tables, a
    read-only standby) into a one-line ``StoreError``; a lost connection stays what it is."""
    import psycopg

    try:
        yield
    except psycopg.OperationalError:
        raise
    except psycopg.Error as exc:
        # The server's own sentence, without the SQL it quotes after it.
        reason = getattr(exc.diag, "message_primary", None) or one_line(exc)
        raise StoreError(f"cannot use {shown_url}: {reason}") from None


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
