"""``godel pause RUN_ID [--reason TEXT]``."""

from __future__ import annotations

from pathlib import Path

import click

from godel_cli.errors import EXIT_BAD_ID, EXIT_FAIL, CliError
from godel_cli.messages import say, warn
from godel_cli.options import (
    CONTEXT_SETTINGS,
    reason_option,
    run_id_argument,
    runs_dir_option,
    store_option,
)
from godel_cli.runner import resume_command


@click.command("pause", context_settings=CONTEXT_SETTINGS)
@run_id_argument()
@reason_option("CLI pause")
@store_option()
@runs_dir_option()
def pause(run_id: str, reason: str, runs_dir: Path | None) -> None:
    """Ask a live run to pause at its next step.

    Writes a pause request (a sentinel file in the runs dir the run uses); the run stops
    cleanly before the next step it starts, records PAUSED, and `godel run` exits 0. Continue
    it with `godel resume RUN_ID`. RUN_ID is a full id, or a unique prefix or suffix.

    \b
    Exit codes:
      0  pause requested
      1  no runs directory, or no run matches RUN_ID; the request cannot be
         written (a runs dir you may not write)
      2  usage error
      3  RUN_ID is ambiguous or not a valid run id
    """
    from godel.engine import request_pause
    from godel_cli.runids import resolve_run

    full, directory = resolve_run(run_id, runs_dir, bad_id=EXIT_BAD_ID)
    try:
        sentinel, not_running = request_pause(full, directory, reason)
    except OSError as exc:  # a read-only runs dir, one the user may not write
        where = directory if isinstance(directory, Path) else directory.shown
        raise CliError(
            f"cannot write the pause request for run {full} in {where}: {exc.strerror or exc}",
            exit_code=EXIT_FAIL,
        ) from None
    say(f"pause requested for run {full}")
    if isinstance(directory, Path):
        say(f"sentinel: {sentinel}")
    else:  # a store (--store, $GODEL_STORE) keeps the request
        say(f"request stored in: {directory.shown}")
    say(f"resume with: {resume_command(full, runs_dir)}")  # with the --runs-dir typed
    if not_running:
        warn(not_running)
