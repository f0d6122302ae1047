"""``godel pause RUN_ID [--reason TEXT]``."""

from __future__ import annotations

from pathlib import Path

import click

from godel_cli.errors import CliError
from godel_cli.messages import say


@click.command("pause", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("run_id")
@click.option(
    "--reason",
    default="paused from the command line",
    show_default=True,
    help="Recorded in the log.",
)
@click.option(
    "--runs-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where run logs live (default: $GODEL_RUNS_DIR or ./runs).",
)
def pause(run_id: str, reason: str, runs_dir: Path | None) -> None:
    """Ask a live run to stop cleanly at its next step boundary.

    The run records PAUSED and `godel run` exits 0; continue it with `godel resume RUN_ID`.
    """
    from godel.engine.pause import is_live, sentinel_path, write_pause_request
    from godel.log.files import resolve_runs_dir
    from godel_cli.runids import resolve_run

    directory = resolve_runs_dir(runs_dir)
    full = resolve_run(run_id, directory)
    if not is_live(full, directory):
        raise CliError(
            f"run {full} is not running; only a live run can be paused (see: godel show {full})"
        )
    write_pause_request(full, reason, directory)
    say(f"pause requested for run {full}; it stops at its next step")
    say(f"sentinel: {sentinel_path(full, directory)}")
    say(f"resume with: godel resume {full}")
