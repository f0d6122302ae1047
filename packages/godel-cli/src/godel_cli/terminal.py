"""The terminal: its width, read as ``shutil.get_terminal_size`` reads it without importing
``shutil`` (its import pulls in the compression modules), and a reader that went away."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not typing's: importing it would cost the help cache's start 20 ms
if TYPE_CHECKING:
    from typing import NoReturn


def terminal_columns() -> int:
    """``$COLUMNS``, else the width of the terminal on stdout, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):  # no stdout, or not a terminal
            columns = 0
        columns = columns or 80
    return columns


def reader_gone() -> NoReturn:
    """Stop quietly, exit status 0: stdout's reader went away (``godel show RUN | head -1``).

    Click's own rule would print nothing and exit 1, which reads as a failure under
    ``set -o pipefail``.
    """
    _discard_stdout()
    raise SystemExit(0)


def _discard_stdout() -> None:
    """Point stdout at ``/dev/null``: what is still buffered cannot fail again at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, ValueError, OSError):  # no real stdout (a test's capture)
        pass
    finally:
        os.close(devnull)


def write_failed(exc: OSError) -> bool:
    """For a write that failed on a full or broken device (``godel show RUN > /dev/full``):
    say so in one line and exit 1, with no traceback; False for any other ``OSError``.

    A write to a file descriptor carries no file name; a file godel opened by name does.
    """
    import errno

    if exc.filename is not None or exc.errno not in (
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EFBIG,
        errno.EIO,
    ):
        return False
    _discard_stdout()
    sys.stderr.write(f"[godel] a write failed: {exc.strerror or exc}\n")
    raise SystemExit(1)
