"""``godel tail RUN_ID [--format pretty|json] [--no-follow] [--no-wait] [--poll SECONDS]
[--show-tools] [--max-agent-lines N] [-v]``."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from godel_cli.errors import EXIT_FAIL, EXIT_SIGNAL, CliError, is_ctrl_c
from godel_cli.messages import say, warn
from godel_cli.options import (
    CONTEXT_SETTINGS,
    format_option,
    run_id_argument,
    runs_dir_option,
    store_option,
)
from godel_cli.style import make_style

if TYPE_CHECKING:
    from godel.log import Event
    from godel_cli.agent_detail import AgentView

Write = Callable[["Event"], None]


def _seconds(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """``--poll``: ``FloatRange`` lets ``nan`` through (its bounds are comparisons)."""
    if value != value:
        raise click.BadParameter("nan is not a number of seconds", ctx, param)
    return value


@click.command("tail", context_settings=CONTEXT_SETTINGS)
@run_id_argument()
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
@store_option()
@runs_dir_option()
@click.option(
    "--poll",
    type=click.FloatRange(min=0.01, max=3600),
    callback=_seconds,
    default=0.1,
    show_default=True,
    metavar="SECONDS",
    help="How often to look for new lines.",
)
@click.option(
    "--show-tools",
    is_flag=True,
    help="pretty: list the tools each agent call used (from the transcript) under its end.",
)
@click.option(
    "--max-agent-lines",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    metavar="N",
    help="pretty: show at most N lines of each agent answer (0: all).",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Same as --show-tools --max-agent-lines 0 (wins over both).",
)
def tail(
    run_id: str,
    fmt: str,
    no_follow: bool,
    no_wait: bool,
    runs_dir: Path | None,
    poll: float,
    show_tools: bool,
    max_agent_lines: int,
    verbose: bool,
) -> None:
    """Follow run RUN_ID's audit log: one line per state transition, as it is written.

    Stops when the run really ends: it finished, failed or paused and no process holds it
    (a resume that starts while tail waits is followed too). Values larger than 4 KiB show
    as their preview; `godel show RUN_ID --full EVENT_ID` prints them whole.

    In the pretty format an agent call's end is followed by its answer (at most
    --max-agent-lines lines, then "… (K more lines)") and, with --show-tools, the tools it
    used. The json format prints each transition as the event's fields (the 15 keys of a log
    line; a value over 4 KiB as its preview), whatever these flags say.

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

    from godel.log import CorruptLogError
    from godel_cli.agent_detail import AgentView
    from godel_cli.runids import RunNotFound, resolve_run, where

    view = AgentView(True, 0) if verbose else AgentView(show_tools, max_agent_lines)
    try:
        target, directory = resolve_run(run_id, runs_dir)
        found = True
    except RunNotFound:
        if no_wait or no_follow:
            raise
        from godel.store import resolve_store

        target, directory, found = run_id, resolve_store(None, runs_dir).location, False
        if isinstance(directory, Path) and directory.exists() and not directory.is_dir():
            raise  # GODEL_RUNS_DIR names a file: no run will ever appear in it
    write = _writer(fmt, view, directory)
    try:
        if not found:
            say(f"waiting for run {run_id} to appear in {where(directory)} (Ctrl+C to stop)")
        if no_follow:
            _print_to_end(directory, target, write)
        else:
            import anyio

            anyio.run(_follow, target, directory, poll, write)
    except BrokenPipeError:
        raise  # the reader went away (`| head`): the group ends the command, exit 0
    except (CorruptLogError, OSError) as exc:
        raise CliError(f"cannot read run {target}: {exc}", exit_code=EXIT_FAIL) from None
    except BaseException as exc:
        if not is_ctrl_c(exc):
            raise
        raise SystemExit(EXIT_SIGNAL[signal.SIGINT]) from None


def _writer(fmt: str, view: AgentView, runs_dir: Path) -> Write:
    """``write(event)``: its line(s) on stdout (``_follow`` flushes after each batch)."""
    out = sys.stdout
    if fmt == "json":
        encode = json.JSONEncoder(separators=(",", ":")).encode

        def write_json(ev: Event) -> None:
            out.write(encode(ev.to_dict()) + "\n")

        return write_json
    from godel.runs.render import format_event_line
    from godel_cli.agent_detail import AgentDetail

    style = make_style()
    agents = AgentDetail(view, runs_dir, style, warn)

    def write_pretty(ev: Event) -> None:
        out.write(format_event_line(ev, style) + "\n")
        if ev.op == "agent.call":
            for line in agents.lines(ev):
                out.write(line + "\n")

    return write_pretty


def _print_batch(batch: list[Event], write: Write) -> None:
    for ev in batch:
        write(ev)
    sys.stdout.flush()  # once per batch: a pipe sees each batch as soon as it is read


def _print_to_end(location: Any, run_id: str, write: Write) -> None:
    """``--no-follow``: what the log holds now. No event loop: starting one (and importing
    asyncio) would cost more than reading a small log."""
    if isinstance(location, Path):
        from godel.log import read_batches

        batches = read_batches(location / f"{run_id}.jsonl", on_warning=warn)
    else:  # a store (--store, $GODEL_STORE)
        from godel.store import events_of

        batches = events_of(location, run_id, on_warning=warn)
    for batch in batches:
        _print_batch(batch, write)


async def _follow(run_id: str, runs_dir: Path, poll: float, write: Write) -> None:
    from godel.runs import tail_batches

    async for batch in tail_batches(run_id, runs_dir=runs_dir, poll_interval=poll, on_warning=warn):
        _print_batch(batch, write)
