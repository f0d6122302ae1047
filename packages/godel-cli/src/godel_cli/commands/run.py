"""``godel run FILE [OPTIONS] [-- ARG ...]``."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import click

from godel_cli.args import ArgumentError, parse_workflow_args
from godel_cli.errors import CliError
from godel_cli.loader import workflow_path
from godel_cli.messages import say
from godel_cli.options import (
    CONTEXT_SETTINGS,
    auto_checkpoint_option,
    configured,
    flag_option,
    max_cost_option,
    runs_dir_option,
    store_option,
    switch_option,
    workflow_argument,
)
from godel_cli.runner import Outcome, execute_with_signals, prepare, report, resume_command


@click.command("run", context_settings=CONTEXT_SETTINGS)
@workflow_argument()
@click.argument("workflow_args", nargs=-1, type=click.UNPROCESSED, metavar="[-- ARG ...]")
@switch_option("strict")
@switch_option("lint")
@store_option()
@runs_dir_option(
    help="Where run logs go (default: the configured runs dir: $GODEL_RUNS_DIR, the settings' runs_dir, else ./runs)."
)
@switch_option("stream")
@auto_checkpoint_option()
@max_cost_option()
@flag_option("--debug")
@click.option(
    "--watch/--no-watch",
    default=None,
    help="Show the run live in this terminal (godel watch's view; default: the `watch.default` "
    "configuration key). Leaving the view (q) lets the run go on here; x in the view stops it.",
)
@click.option("-p", "--plain", is_flag=True, help="Watch in plain mode, one line per event.")
@click.option("--show-tools", is_flag=True, help="Watching: show agents' tool calls.")
@click.option(
    "--max-agent-lines",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    metavar="N",
    help="Watching in plain mode: at most N lines of each agent prompt and answer (0: all).",
)
@click.option("-v", "--verbose", is_flag=True, help="Watching: --show-tools --max-agent-lines 0.")
@click.pass_context
def run(
    ctx: click.Context,
    file: str,
    workflow_args: tuple[str, ...],
    strict: bool | None,
    lint: bool | None,
    runs_dir: Path | None,
    stream: bool | None,
    auto_checkpoint: str | None,
    max_cost: float | None,
    debug: bool,
    watch: bool | None,
    plain: bool,
    show_tools: bool,
    max_agent_lines: int,
    verbose: bool,
) -> None:
    """Run the @workflow in FILE as a new run.

    FILE is a path, or the name of a workflow in the project's .godel/workflows/ or in
    ~/.godel/workflows/ (`godel run hello`; see `godel workflows list`).

    Arguments after -- go to the workflow function: `alice` is positional, `model=opus` is a
    keyword argument (all values are strings).

    --watch (or -p, or the `watch.default` configuration key) shows the run live in this
    terminal, in godel watch's view (plain lines with -p, `watch.plain`, GODEL_WATCH_PLAIN=1
    or when stdout is not a terminal). The workflow's prints appear in the view, and a
    godel.input() prompt is answered in its input line. When you leave the view (q or Ctrl+C)
    the run goes on in this terminal as a plain `godel run` would; x in the view stops it
    (as Ctrl+C does). The exit status is the run's. Needs godel-watch.

    \b
    Exit codes:
      0    completed, or paused
      1    the workflow failed (WorkflowFail, BudgetExceeded, or it called sys.exit()); or
           strict mode or lint refused the code, before the run or while it ran;
           --watch without godel-watch installed
      2    usage error (options, arguments after --); no such workflow file
           or named workflow; the file cannot be imported; no @workflow, or
           several; the run could not start (runs dir, configuration); an
           unexpected exception
      130  interrupted by Ctrl+C (a second Ctrl+C within 1 s exits at once);
           143 by SIGTERM, 129 by SIGHUP
    """
    path = workflow_path(file)
    from godel_cli.watched import run_watched, wants_watch

    if wants_watch(watch, plain):
        options = {"show_tools": show_tools, "max_agent_lines": max_agent_lines, "verbose": verbose}
        sys.exit(run_watched(ctx, plain=plain, options=options))
    try:
        args, kwargs = parse_workflow_args(workflow_args)
    except ArgumentError as exc:
        raise CliError(f"argument error: {exc}") from None
    from godel.store import resolve_store

    # The store is opened before strict mode guards the workflow: a bad URL or a server that
    # does not answer is said before anything runs, and the driver loads unguarded.
    given_runs_dir, runs_dir = runs_dir, resolve_store(None, runs_dir).location
    fn = prepare(
        path,
        strict=configured("strict", strict),
        lint=configured("lint", lint),
        auto_checkpoint=auto_checkpoint,
        debug=debug,
    )
    spec = fn.__godel_workflow__
    try:
        inspect.signature(spec.fn).bind(*args, **kwargs)
    except TypeError as exc:
        raise CliError(f"argument error: {spec.name}{inspect.signature(spec.fn)}: {exc}") from None
    sys.exit(
        _execute(
            spec,
            args,
            kwargs,
            runs_dir=runs_dir,
            stream=stream,
            auto_checkpoint=auto_checkpoint or "",
            debug=debug,
            file=path,
            max_cost=max_cost,
            given_runs_dir=given_runs_dir,
        )
    )


def _execute(
    spec, args, kwargs, *, runs_dir, stream, auto_checkpoint, debug, file, max_cost, given_runs_dir
) -> int:  # type: ignore[no-untyped-def]
    from godel.engine import RunOptions, execute

    def on_start(outcome: Outcome):  # type: ignore[no-untyped-def]
        def started(run_id: str, log_path: Path) -> None:
            outcome.run_id, outcome.log_path = run_id, log_path
            say(f"run {run_id}")
            say(f"audit log: {log_path}")

        return started

    async def body(outcome: Outcome):  # type: ignore[no-untyped-def]
        options = RunOptions(
            runs_dir=runs_dir,
            on_start=on_start(outcome),
            transcript=stream,
            auto_checkpoint=auto_checkpoint,
            max_cost_usd=max_cost,
        )
        return await execute(spec, tuple(args), dict(kwargs), options)

    outcome = execute_with_signals(body)
    hint = resume_command(outcome.run_id, given_runs_dir) if outcome.run_id else ""
    return report(outcome, debug=debug, resume_hint=hint)
