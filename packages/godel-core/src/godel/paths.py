"""Where runs live: the one resolver that every writer and reader uses."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_RUNS_DIR = "runs"


def resolve_runs_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--runs-dir`` if given, else ``$GODEL_RUNS_DIR``, else ``./runs`` (absolute)."""
    chosen = explicit if explicit not in (None, "") else os.environ.get("GODEL_RUNS_DIR") or DEFAULT_RUNS_DIR
    return Path(chosen).expanduser().resolve()
