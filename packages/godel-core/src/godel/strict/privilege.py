"""Marks godel's own I/O so that strict mode's runtime guards let it through.

Strict mode blocks file writes, subprocesses and sockets made by workflow code. godel's own
effects (the audit log, the transcript, blobs, ``run``, ``write_text``) run inside
``privileged()``; the audit hook allows anything while ``is_privileged()`` is true.
"""

from __future__ import annotations

from contextvars import ContextVar

_privileged: ContextVar[bool] = ContextVar("godel_privileged", default=False)


def is_privileged() -> bool:
    """True inside a ``privileged()`` block of the current context."""
    return _privileged.get()


class privileged:
    """Run the block as godel itself (strict mode's guards allow it).

    A class rather than ``@contextmanager``: it wraps every write of the log, and a generator
    costs several times more to enter and leave.
    """

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token = _privileged.set(True)

    def __exit__(self, *exc: object) -> None:
        _privileged.reset(self._token)
