"""Run ids typed on the command line: full ids, unique prefixes or unique suffixes."""

from __future__ import annotations

from pathlib import Path

from godel_cli.errors import CliError


def resolve_run(query: str, runs_dir: Path) -> str:
    """The one run id ``query`` names in ``runs_dir``; a ``CliError`` naming the candidates otherwise."""
    from godel.log.eventlog import list_run_ids
    from godel.log.ids import IdLookupError, resolve_id

    if not runs_dir.is_dir():
        raise CliError(f"no runs directory at {runs_dir} (use --runs-dir or GODEL_RUNS_DIR)")
    try:
        return resolve_id(query, list_run_ids(runs_dir), what="run id")
    except IdLookupError as exc:
        raise CliError(str(exc)) from None
