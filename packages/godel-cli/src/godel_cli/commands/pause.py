"""``godel pause RUN_ID [--reason TEXT]``."""

from __future__ import annotations

from pathlib import Path

import click

from godel_cli.errors import CliError
from godel_cli.messages import say
from godel_cli.options import CONTEXT_SETTINGS, reason_option, runs_dir_option


@click.command("pause", context_settings=CONTEXT_SETTINGS)
@click.argument("run_id")
@reason_option("paused from the command line")
@runs_dir_option()
def pause(run_id: str, reason: str, runs_dir: Path | None) -> None:
    """Ask a live run to stop cleanly at its next step boundary.

    The run records PAUSED and `godel run` exits 0; continue it with `godel resume RUN_ID`.
    """
    from godel.engine import is_live, sentinel_path, write_pause_request
    from godel_cli.runids import resolve_run

    full, directory = resolve_run(run_id, runs_dir)
    if not is_live(full, directory):
        raise CliError(
            f"run {full} is not running; only a live run can be paused (see: godel show {full})"
        )
    write_pause_request(full, reason, directory)
    say(f"pause requested for run {full}; it stops at its next step")
    say(f"sentinel: {sentinel_path(full, directory)}")
    say(f"resume with: godel resume {full}")
