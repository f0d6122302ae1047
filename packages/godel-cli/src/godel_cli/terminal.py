"""The terminal's width, read as ``shutil.get_terminal_size`` reads it, without importing
``shutil`` (its import pulls in the compression modules)."""

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
