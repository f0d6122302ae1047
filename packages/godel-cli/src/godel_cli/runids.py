"""Ids typed on the command line (full ids, unique prefixes or unique suffixes), and the errors
that say why one names no run or event.

The messages open with godel-py 3.x's words (``No runs/ directory found``, ``No run matching
"<p>"``, ``Ambiguous prefix "<p>" — matches: [...]``), which scripts may look for; what follows
is godel's own detail.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from godel_cli.errors import EXIT_FAIL, CliError

if TYPE_CHECKING:
    from godel.log import IdLookupError

_SHOWN = 10


class RunNotFound(CliError):
    """No runs directory, or no run matches: exit 1 (``tail`` waits for the run instead)."""

    def __init__(self, *lines: str) -> None:
        super().__init__(*lines, exit_code=EXIT_FAIL)


def no_runs_dir(directory: Path) -> RunNotFound:
    """The error for a runs directory that does not exist."""
    return RunNotFound(
        f"No runs/ directory found at {directory} (use --runs-dir or GODEL_RUNS_DIR)"
    )


def runs_location(runs_dir: Path | None) -> Any:
    """Where runs live for this command: the runs dir (a ``Path``), or the store itself when
    ``--store``/``$GODEL_STORE``/the settings name another store. ``godel.log``'s functions take
    either. ``RunNotFound`` for a runs dir that does not exist or cannot be listed."""
    import os

    from godel.store import resolve_store

    location = resolve_store(None, runs_dir).location
    if isinstance(location, Path) and not location.is_dir():
        raise no_runs_dir(location)
    if isinstance(location, Path) and not os.access(location, os.R_OK | os.X_OK):
        # A one-line error however it was named (--runs-dir, $GODEL_RUNS_DIR, a file:// URL),
        # before list_run_ids meets it as a PermissionError.
        raise RunNotFound(f"cannot read the runs directory {location}: permission denied")
    return location


def where(location: Any) -> str:
    """How a location is named in messages: the directory, or the store's URL (no password)."""
    from godel.store import store_name

    return str(location) if isinstance(location, Path) else store_name(location)


def resolve_run(query: str, runs_dir: Path | None, *, bad_id: int = EXIT_FAIL) -> tuple[str, Any]:
    """The one run id ``query`` names, and where it lives: the runs directory (``--runs-dir``,
    else ``$GODEL_RUNS_DIR`` or ./runs) or the store (``--store``, ``$GODEL_STORE``).

    ``RunNotFound`` when the directory or the run is missing; a ``CliError`` exiting ``bad_id``
    when ``query`` is ambiguous, too short to tell, or not a possible run id.
    """
    return resolve_runs([query], runs_dir, bad_id=bad_id)[0]


def resolve_runs(
    queries: Iterable[str], runs_dir: Path | None, *, bad_id: int = EXIT_FAIL
) -> list[tuple[str, Any]]:
    """``resolve_run`` for each of ``queries``, listing the runs once: a command given
    thousands of ids (``runs export``, ``cost``) must not list the runs dir per id."""
    from godel.log import RUN_ID, list_run_ids

    queries = list(queries)
    for query in queries:
        if not RUN_ID.fullmatch(query):
            raise CliError(
                f'invalid run id "{query}": a run id is 1 to 128 letters, digits, "-" or "_"',
                exit_code=bad_id,
            )
    directory = runs_location(runs_dir)
    ids = list_run_ids(directory)
    known = set(ids)  # a full id needs no scan of the others
    return [
        (query if query in known else _resolve(query, ids, directory, bad_id), directory)
        for query in queries
    ]


def _resolve(query: str, ids: list[str], directory: Any, bad_id: int) -> str:
    from godel.log import IdLookupError, resolve_id

    try:
        return resolve_id(query, ids, what="run id")
    except IdLookupError as exc:
        if not _matches(exc, query, ids):
            raise RunNotFound(f'No run matching "{query}" in {where(directory)}') from None
        raise CliError(exc.ambiguous(query, "Ambiguous prefix", _SHOWN), exit_code=bad_id) from None


def event_error(
    exc: IdLookupError, query: str, ids: Collection[str], run_id: str, *, bad_id: int = EXIT_FAIL
) -> CliError:
    """The error for an event id of run ``run_id`` that ``resolve_id`` could not resolve: exit 1
    when nothing matches, ``bad_id`` when several events (or too short a query) do."""
    if not _matches(exc, query, ids):
        return CliError(
            f'Event ID not found: "{query}" in run {run_id} (see: godel show {run_id})',
            exit_code=EXIT_FAIL,
        )
    return CliError(exc.ambiguous(query, "Ambiguous event id", _SHOWN), exit_code=bad_id)


def _matches(exc: IdLookupError, query: str, ids: Collection[str]) -> bool:
    """True if ids match ``query`` but not uniquely enough (several, or a query too short)."""
    if exc.candidates:
        return True
    q = query.strip().upper()
    return bool(q) and any(i.upper().startswith(q) or i.upper().endswith(q) for i in ids)
