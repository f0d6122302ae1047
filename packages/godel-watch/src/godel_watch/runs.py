"""Which run ``RUN_ID`` names: a full id, a unique prefix or a unique suffix, in the runs
directory of ``--runs-dir``, ``$GODEL_RUNS_DIR`` or the configuration (as ``godel show``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from godel_watch.errors import WatchError

_SHOWN = 10


def resolve_run(query: str, runs_dir: Path | None) -> tuple[str, Any]:
    """The full run id and its runs directory; ``WatchError`` with godel's usual words."""
    from godel.log import RUN_ID, IdLookupError, list_run_ids, resolve_id
    from godel.store import resolve_store

    if not RUN_ID.fullmatch(query):
        raise WatchError(
            f'invalid run id "{query}": a run id is 1 to 128 letters, digits, "-" or "_"'
        )
    # --store, $GODEL_STORE or the settings' store, else the runs dir (godel.store's resolver).
    directory = resolve_store(None, runs_dir).location
    if isinstance(directory, Path) and not directory.is_dir():
        raise WatchError(
            f"No runs/ directory found at {directory} (use --runs-dir or GODEL_RUNS_DIR)"
        )
    ids = list_run_ids(directory)
    try:
        return resolve_id(query, ids, what="run id"), directory
    except IdLookupError as exc:
        if exc.candidates:
            raise WatchError(exc.ambiguous(query, shown=_SHOWN)) from None
        q = query.upper()
        if any(i.upper().startswith(q) or i.upper().endswith(q) for i in ids):
            raise WatchError(str(exc)) from None  # a match, but too short a query to trust
        where = directory if isinstance(directory, Path) else directory.shown
        raise WatchError(f'No run matching "{query}" in {where}') from None
