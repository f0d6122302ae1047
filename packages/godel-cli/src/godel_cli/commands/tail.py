"""``godel tail RUN_ID [--format pretty|json] [--no-follow] [--no-wait] [--poll SECONDS]``."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from godel_cli.errors import EXIT_FAIL, EXIT_SIGNAL, CliError
from godel_cli.messages import say, warn
from godel_cli.options import CONTEXT_SETTINGS, format_option, runs_dir_option
from godel_cli.style import make_style

if TYPE_CHECKING:
    from godel.log import Event

Write = Callable[["Event"], None]


@click.command("tail", context_settings=CONTEXT_SETTINGS)
@click.argument("run_id")
@format_option(
    "pretty",
    "json",
    help="pretty: one line per state transition; json: each transition as compact JSON "
    "with the log line's keys.",
)
@click.option("--no-follow", is_flag=True, help="Print what the log holds now and exit.")
@click.option(
    "--no-wait",
    is_flag=True,
    help="Exit with status 1 at once if the run does not exist (default: wait for it to start).",
)
@runs_dir_option()
@click.option(
    "--poll",
    type=click.FloatRange(min=0.01),
    default=0.1,
    show_default=True,
    metavar="SECONDS",
    help="How often to look for new lines.",
)
def tail(
    run_id: str, fmt: str, no_follow: bool, no_wait: bool, runs_dir: Path | None, poll: float
) -> None:
    """Follow run RUN_ID's audit log: one line per state transition, as it is written.

    Stops when the run really ends: it finished, failed or paused and no process holds it
    (a resume that starts while tail waits is followed too). Values larger than 4 KiB show
    as their preview; `godel show RUN_ID --full EVENT_ID` prints them whole.

    \b
    Exit codes:
      0    the run ended (or --no-follow printed it)
      1    RUN_ID is ambiguous or not a valid run id; with --no-wait or
           --no-follow, no runs directory or no run matches; the log cannot
           be read
      2    usage error
      130  interrupted by Ctrl+C
    """
    import signal

    from godel.log import CorruptLogError, resolve_runs_dir
    from godel_cli.runids import RunNotFound, resolve_run

    try:
        target, directory = resolve_run(run_id, runs_dir)
        path: Path | None = directory / f"{target}.jsonl"
    except RunNotFound:
        if no_wait or no_follow:
            raise
        target, directory, path = run_id, resolve_runs_dir(runs_dir), None
    write = _writer(fmt)
    try:
        if path is None:
            say(f"waiting for run {run_id} to appear in {directory} (Ctrl+C to stop)")
        if no_follow:
            assert path is not None  # without a run, --no-follow exited above
            _print_to_end(path, write)
        else:
            import anyio

            anyio.run(_follow, target, directory, poll, write)
    except KeyboardInterrupt:
        raise SystemExit(EXIT_SIGNAL[signal.SIGINT]) from None
    except BrokenPipeError:
        raise  # the reader went away (`| head`): click exits quietly
    except (CorruptLogError, OSError) as exc:
        raise CliError(f"cannot read run {target}: {exc}", exit_code=EXIT_FAIL) from None


def _writer(fmt: str) -> Write:
    """``write(event)``: one line on stdout (``_follow`` flushes after each batch)."""
    out = sys.stdout
    if fmt == "json":
        encode = json.JSONEncoder(separators=(",", ":")).encode

        def write_json(ev: Event) -> None:
            out.write(encode(ev.to_dict()) + "\n")

        return write_json
    from godel.runs.render import format_event_line

    style = make_style()

    def write_pretty(ev: Event) -> None:
        out.write(format_event_line(ev, style) + "\n")

    return write_pretty


def _print_batch(batch: list[Event], write: Write) -> None:
    for ev in batch:
        write(ev)
    sys.stdout.flush()  # once per batch: a pipe sees each batch as soon as it is read


def _print_to_end(path: Path, write: Write) -> None:
    """``--no-follow``: what the log holds now. No event loop: starting one (and importing
    asyncio) would cost more than reading a small log."""
    from godel.log import read_batches

    for batch in read_batches(path, on_warning=warn):
        _print_batch(batch, write)


async def _follow(run_id: str, runs_dir: Path, poll: float, write: Write) -> None:
    from godel.runs import tail_batches

    async for batch in tail_batches(run_id, runs_dir=runs_dir, poll_interval=poll, on_warning=warn):
        _print_batch(batch, write)
