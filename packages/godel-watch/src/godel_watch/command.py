"""``godel watch RUN_ID [--runs-dir DIR] [-p] [--show-tools] [--max-agent-lines N] [-v]``."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Any

import click

# `godel run --watch` hands the view its run through the click context under this key: an
# object with ``answer(text)`` (a line for the run's ``godel.input``) and ``stop()``.
SESSION_KEY = "godel.watch.session"
STORE_KEY = "godel.watch.store"  # the --store URL given, for the resume hint


def _seconds(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """``--poll``: ``FloatRange`` lets ``nan`` through (its bounds are comparisons)."""
    if value != value:
        raise click.BadParameter("nan is not a number of seconds", ctx, param)
    return value


def _use_store(ctx: click.Context, _param: click.Parameter, url: str | None) -> None:
    """``--store URL``: set ``$GODEL_STORE`` (the one resolver reads it) and keep the URL for
    the resume hint."""
    if url:
        os.environ["GODEL_STORE"] = url
        ctx.meta[STORE_KEY] = url


def plain_terminal(stream: Any = None) -> bool:
    """True when the terminal cannot host the view: not a terminal, ``TERM=dumb``, or a
    locale that is not UTF-8."""
    stream = stream or sys.stdout
    if not getattr(stream, "isatty", lambda: False)():
        return True
    if os.environ.get("TERM", "") == "dumb":
        return True
    from godel.runs.render import utf8_locale

    return not utf8_locale()


def config_plain() -> bool:
    """The ``watch.plain`` configuration key (an unreadable configuration counts as unset)."""
    from godel import ConfigError, load_config

    try:
        return bool((load_config().config.watch or {}).get("plain"))
    except ConfigError:
        return False


def use_plain(plain: bool) -> bool:
    """``-p``, ``GODEL_WATCH_PLAIN=1``, the ``watch.plain`` key, or a terminal that cannot host
    the view."""
    return (
        plain
        or os.environ.get("GODEL_WATCH_PLAIN", "") == "1"
        or plain_terminal()
        or config_plain()
    )


@click.command("watch", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("run_id")
@click.option(
    "--runs-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where run logs live (default: the configured runs dir: $GODEL_RUNS_DIR, the settings' runs_dir, else ./runs).",
)
@click.option(
    "--store",
    metavar="URL",
    default=None,
    expose_value=False,
    # As godel-cli's --store: it sets $GODEL_STORE, which the one resolver reads.
    callback=_use_store,
    help="Where runs live: postgresql://..., file:///path (default: $GODEL_STORE, the "
    "settings' store, else the runs dir).",
)
@click.option(
    "-p",
    "--plain",
    is_flag=True,
    help="One line per event instead of the live view (also GODEL_WATCH_PLAIN=1; automatic "
    "when stdout is not a terminal, TERM=dumb or the locale is not UTF-8).",
)
@click.option("--show-tools", is_flag=True, help="Show agents' tool calls and results.")
@click.option(
    "--max-agent-lines",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    metavar="N",
    help="Plain mode: show at most N lines of each agent prompt and answer (0: all).",
)
@click.option(
    "-v", "--verbose", is_flag=True, help="Same as --show-tools --max-agent-lines 0 (wins)."
)
@click.option(
    "--poll",
    type=click.FloatRange(min=0.01, max=3600),
    callback=_seconds,
    default=0.1,
    show_default=True,
    metavar="SECONDS",
    help="How often to look for new lines.",
)
def watch(
    run_id: str,
    runs_dir: Path | None,
    plain: bool,
    show_tools: bool,
    max_agent_lines: int,
    verbose: bool,
    poll: float,
) -> None:
    """Watch run RUN_ID (a full id, or a unique prefix or suffix) live: what it has done so
    far, then what it does, until it ends.

    The view shows a tree of the run's steps, parallel branches, retries and effects with
    their status, duration and cost, and a pane with the selected node's detail (command
    output, agent prompts, answers and tool calls, prints, errors). Keys are in its footer:
    q or Ctrl+C leave it (the run goes on), p asks the run to pause, enter shows an
    event whole, f follows the live node, t shows tools, / filters.

    Plain mode (-p) prints one line per event and exits when the run ends (finished, failed,
    paused, or no longer running). Watching never changes the run.

    \b
    Exit codes:
      0  the run ended, or you left (q, Ctrl+C)
      1  no runs directory; RUN_ID matches no run, or several; the log
         cannot be read (e.g. a newer format)
      2  usage error
    """
    from godel_watch.plain import View
    from godel_watch.runs import resolve_run

    full, directory = resolve_run(run_id, runs_dir)
    view = View.verbose() if verbose else View(show_tools, max_agent_lines)
    session = click.get_current_context().meta.get(SESSION_KEY)
    try:
        if use_plain(plain):
            resume = f"godel resume {full}"
            if runs_dir is not None:  # the hint must work as printed
                resume += f" --runs-dir {shlex.quote(str(runs_dir))}"
            elif click.get_current_context().meta.get(STORE_KEY):
                from godel.store import store_name  # named without its password

                url = click.get_current_context().meta[STORE_KEY]
                shown = url if isinstance(directory, Path) else store_name(directory)
                resume += f" --store {shlex.quote(shown)}"
            _plain(full, directory, view, poll, resume)
        else:
            from godel_watch.app import WatchApp

            app = WatchApp(full, directory, view=view, poll=poll, session=session)
            app.run()
            if app.error is not None:
                raise app.error  # `[godel] cannot read run ...`, exit 1, as in plain mode
            if app.return_code:  # the view crashed (Textual printed the traceback): not a success
                raise SystemExit(app.return_code)
    except KeyboardInterrupt:
        pass  # leaving the watcher is not an error, and the run goes on


def _plain(run_id: str, runs_dir: Path, view: Any, poll: float, resume: str) -> None:
    from godel_watch.model import RunState
    from godel_watch.plain import PlainRenderer, run_plain
    from godel_watch.source import RunFiles

    out = sys.stdout
    color = (
        bool(getattr(out, "isatty", lambda: False)())
        and not os.environ.get("NO_COLOR")
        and os.environ.get("TERM", "") != "dumb"
    )
    files = RunFiles(run_id, runs_dir, on_warning=lambda text: _warn(text))
    renderer = PlainRenderer(
        RunState(run_id), out, view, color=color, runs_dir=runs_dir, resume=resume
    )
    try:
        run_plain(files, renderer, poll=poll)
    except BrokenPipeError:
        pass  # the reader went away (`| head`)
    finally:
        files.close()


def _warn(text: str) -> None:
    from godel_watch.errors import say

    say(f"warning: {text}")
