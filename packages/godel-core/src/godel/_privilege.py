"""Marks godel's own I/O so that strict mode's runtime guards let it through.

Strict mode blocks file writes, subprocesses and sockets made by workflow code. godel's own
effects (the audit log, the transcript, blobs, ``run``, ``write_text``) run inside
``privileged()``; the audit hook allows anything while ``is_privileged()`` is true.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_privileged: ContextVar[bool] = ContextVar("godel_privileged", default=False)


def is_privileged() -> bool:
    """True inside a ``privileged()`` block of the current context."""
    return _privileged.get()


@contextmanager
def privileged() -> Iterator[None]:
    """Run the block as godel itself (strict mode's guards allow it)."""
    token = _privileged.set(True)
    try:
        yield
    finally:
        _privileged.reset(token)
