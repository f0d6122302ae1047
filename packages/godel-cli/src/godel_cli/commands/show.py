"""``godel show RUN_ID [--graph] [--all] [--full EVENT_ID] [--json]``."""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from godel_cli.errors import CliError
from godel_cli.messages import warn

if TYPE_CHECKING:
    from godel.runs.render.format import Style

RUNS_DIR_HELP = "Where run logs live (default: $GODEL_RUNS_DIR or ./runs)."


def make_style() -> Style:
    """Colour through click when stdout is a terminal (or ``--color`` forced it), else none."""
    from godel.runs.render.format import ROLE_STYLES, no_style

    ctx = click.get_current_context(silent=True)
    color = ctx.color if ctx is not None else None
    if color is None:
        stream = click.get_text_stream("stdout")
        color = bool(getattr(stream, "isatty", lambda: False)()) and not os.environ.get("NO_COLOR")
    if not color:
        return no_style

    def style(text: str, role: str) -> str:
        spec = ROLE_STYLES.get(role)
        return click.style(text, **spec) if spec else text

    return style


def stdout_unicode() -> bool:
    """True when stdout can take box-drawing characters."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    return encoding.startswith("utf")


def emit_warnings(warnings: list[str] | tuple[str, ...], *, live: bool = False) -> None:
    """Load warnings on stderr; a live run's half-written last line is not worth one."""
    for text in warnings:
        if live and "torn last line" in text:
            continue
        warn(text)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a command reads a whole run and prints it.

    Every event stays alive until the command is done, and none is part of a reference cycle,
    so each collection would only traverse the same objects again (about a tenth of the time
    of showing a run of 10,000 steps).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _dump(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


@click.command("show", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("run_id")
@click.option(
    "--graph",
    is_flag=True,
    help="Draw the call tree (FORK branches included) instead of the table.",
)
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="Also list prior attempts, invalidated events and RESUME/INVALIDATE/REWIND records, marked.",
)
@click.option(
    "--full",
    "event_query",
    metavar="EVENT_ID",
    help="Print one event whole: identity, request and response "
    "(full id, unique prefix, or the short id show prints).",
)
@click.option(
    "--runs-dir", type=click.Path(file_okay=False, path_type=Path), default=None, help=RUNS_DIR_HELP
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def show(
    run_id: str,
    graph: bool,
    show_all: bool,
    event_query: str | None,
    runs_dir: Path | None,
    as_json: bool,
) -> None:
    """Show run RUN_ID (a full id, or a unique prefix or suffix): a summary, then its events.

    By default each step or effect is listed once, in its latest state: a step that failed
    and succeeded on a later attempt shows the success (--all shows the failed attempts too).
    Works on live runs (read-only) and on logs whose last line was torn by a crash.

    \b
    Exit status: 0 shown, 2 no such run or event, or an unreadable log.
    """
    with collector_paused():
        _show(run_id, graph, show_all, event_query, runs_dir, as_json)


def _show(
    run_id: str,
    graph: bool,
    show_all: bool,
    event_query: str | None,
    runs_dir: Path | None,
    as_json: bool,
) -> None:
    from godel.log.eventlog import EventLog
    from godel.log.events import Op
    from godel.log.files import resolve_runs_dir
    from godel.log.ids import IdLookupError
    from godel.runs.status import RunStatus, summarize_log
    from godel_cli.runids import resolve_run

    directory = resolve_runs_dir(runs_dir)
    full_id = resolve_run(run_id, directory)
    try:
        log = EventLog.load(full_id, directory)
    except Exception as exc:
        raise CliError(f"cannot read run {full_id}: {exc}") from None
    summary = summarize_log(log)
    emit_warnings(log.warnings, live=summary.status is RunStatus.RUNNING)
    style = make_style()

    if event_query is not None:
        from godel.runs.render.full import full_dict, render_full

        try:
            event = log.resolve(event_query)
        except IdLookupError as exc:
            raise CliError(f"run {full_id}: {exc}") from None
        if as_json:
            _dump(full_dict(event))
        else:
            parent = (
                log.get(event.parent_id) if event.parent_id and event.parent_id in log else None
            )
            click.echo(render_full(event, parent, style))
        return

    from godel.runs.render.groups import group_events, rows

    root = next((ev for ev in log if ev.op == Op.WORKFLOW_STARTED and ev.parent_id is None), None)
    groups = group_events(log, root.event_id if root else None)
    if graph:
        from godel.runs.render.graph import graph_dict, render_graph

        if as_json:
            _dump({"run": summary.to_dict(), "tree": graph_dict(groups, show_all=show_all)})
            return
        body = render_graph(groups, show_all=show_all, style=style, unicode=stdout_unicode())
    else:
        from godel.runs.render.table import render_table, row_dict

        selected = rows(groups, show_all=show_all)
        if as_json:
            _dump(
                {"run": summary.to_dict(), "events": [row_dict(ev, mark) for ev, mark in selected]}
            )
            return
        body = render_table(selected, style)

    from godel.runs.render.table import render_header

    click.echo(f"{render_header(summary, root, style)}\n\n{body}")
