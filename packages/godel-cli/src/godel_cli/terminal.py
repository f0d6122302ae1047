"""The terminal: its width, read as ``shutil.get_terminal_size`` reads it without importing
``shutil`` (its import pulls in the compression modules), and output that cannot be written."""

from __future__ import annotations

import os
import sys


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


def output_failed(exc: OSError) -> None:
    """End the command when writing its output failed; return for any other ``OSError`` (its
    traceback helps), for the caller to raise again.

    - The reader went away (``godel show RUN | head -1``, ``BrokenPipeError``): stop quietly,
      exit 0. Click's own rule printed nothing and exited 1, a failure under ``pipefail``.
    - A full or broken device (``> /dev/full``): one line, exit 1, no traceback. A write to a
      file descriptor carries no file name; a file godel opened by name does.
    """
    import errno

    if isinstance(exc, BrokenPipeError):
        _discard_stdout()
        raise SystemExit(0)
    if exc.filename is None and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO):
        _discard_stdout()
        sys.stderr.write(f"[godel] a write failed: {exc.strerror or exc}\n")
        raise SystemExit(1)


def _discard_stdout() -> None:
    """Point stdout at ``/dev/null``: what is still buffered cannot fail again at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, ValueError, OSError):  # no real stdout (a test's capture)
        pass
    finally:
        os.close(devnull)
