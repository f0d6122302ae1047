"""Run ids typed on the command line: full ids, unique prefixes or unique suffixes."""

from __future__ import annotations

from pathlib import Path

from godel_cli.errors import CliError


def resolve_run(query: str, runs_dir: Path | None) -> tuple[str, Path]:
    """The one run id ``query`` names, and the runs directory it is in (``--runs-dir``, else
    ``$GODEL_RUNS_DIR`` or ./runs); a ``CliError`` naming the candidates otherwise."""
    from godel.log import IdLookupError, list_run_ids, resolve_id, resolve_runs_dir

    directory = resolve_runs_dir(runs_dir)
    if not directory.is_dir():
        raise CliError(f"no runs directory at {directory} (use --runs-dir or GODEL_RUNS_DIR)")
    try:
        return resolve_id(query, list_run_ids(directory), what="run id"), directory
    except IdLookupError as exc:
        raise CliError(str(exc)) from None
