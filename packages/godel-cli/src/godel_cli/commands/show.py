"""``godel show RUN_ID [--graph] [--all] [--full EVENT_ID] [--json]``."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from godel_cli.errors import EXIT_FAIL, CliError
from godel_cli.messages import warn
from godel_cli.options import (
    CONTEXT_SETTINGS,
    json_option,
    run_id_argument,
    runs_dir_option,
    store_option,
)
from godel_cli.style import make_style

if TYPE_CHECKING:
    from collections.abc import Iterator

    from godel.log import EventLog
    from godel.runs import RunSummary
    from godel.runs.render import Style


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


def _dump(value: Any) -> None:
    from godel.log import indented_json
    from godel.runs.render import terminal_json

    click.echo(terminal_json(indented_json(value)))


def _dump_events(run: dict[str, Any], events: Iterator[dict[str, Any]]) -> None:
    """``_dump({"run": run, "events": list(events)})``, the same text, an event at a time.

    A run's JSON holds every value whole: built as one document, a 58 MB log of 100,000 steps
    took 771 MB to print (the rows, the text, its terminal-safe copy, its bytes), and eight
    2 MB answers 65 MB. Here only one event's text is held at a time, in batches of about a
    megabyte to the terminal. JSON strings hold no raw newline, so an event's own text is
    indented one level by indenting its lines.
    """
    from godel.log import indented_json
    from godel.runs.render import terminal_json

    run_text = indented_json(run).replace("\n", "\n  ")
    batch = [terminal_json(f'{{\n  "run": {run_text},\n  "events": [')]
    size = 0
    first = True
    for event in events:
        text = indented_json(event).replace("\n", "\n    ")
        batch.append(terminal_json(f"{'' if first else ','}\n    {text}"))
        first = False
        size += len(text)
        if size >= 1 << 20:
            click.echo("".join(batch), nl=False)
            batch, size = [], 0
    batch.append("]\n}\n" if first else "\n  ]\n}\n")
    click.echo("".join(batch), nl=False)


@click.command("show", context_settings=CONTEXT_SETTINGS)
@run_id_argument()
@click.option(
    "--graph",
    is_flag=True,
    help="Draw the call tree (FORK branches included) instead of the table.",
)
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="Also show failed attempts (boxed above the attempt that followed them), invalidated "
    "events (in a section at the end) and RESUME/INVALIDATE/REWIND records.",
)
@click.option(
    "--full",
    "event_query",
    metavar="EVENT_ID",
    help="Print one event whole: identity, request and response "
    "(full id, unique prefix, or the short id show prints).",
)
@store_option()
@runs_dir_option()
@json_option("Print JSON instead of text.")
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
    and succeeded on a later attempt (a retry, or a resume) shows the success, and invalidated
    events are left out (--all shows them too).
    Works on live runs (read-only) and on logs whose last line was torn by a crash.

    \b
    Exit codes:
      0  shown
      1  no runs directory; RUN_ID matches no run, or several; no such event
         (--full); or the log cannot be read
      2  usage error
    """
    from godel.log import EventLog, collector_paused
    from godel.runs import RunStatus, summarize_log
    from godel_cli.runids import resolve_run

    # Every event stays alive until the command has printed them: a collector pass would only
    # rescan them. After it, they are handed to the oldest generation untraversed (re-enabling
    # the collector alone would start a pass over all of them at the next allocation).
    with collector_paused():
        full_id, directory = resolve_run(run_id, runs_dir)
        try:
            # The table, the tree, --full and the JSON of the events read one event at a time:
            # big values stay in the blob sidecar until read (a run of 500 MB answers is not all
            # in memory at once). The JSON tree holds every value whole: read them all once.
            lazy = not (as_json and graph and event_query is None)
            log = EventLog.load(full_id, directory, lazy_blobs=lazy)
        except Exception as exc:
            raise CliError(f"cannot read run {full_id}: {exc}", exit_code=EXIT_FAIL) from None
        summary = summarize_log(log, costs=False)  # the ledger has them (_show_run)
        emit_warnings(summary.warnings, live=summary.status is RunStatus.RUNNING)
        style = make_style()
        if event_query is not None:
            _show_event(log, event_query, as_json, style)
        else:
            _show_run(log, summary, graph, show_all, as_json, style)


def _show_event(log: EventLog, query: str, as_json: bool, style: Style) -> None:
    """``--full``: one event whole."""
    from godel.log import IdLookupError
    from godel.runs.render import full_dict, render_full
    from godel_cli.runids import event_error

    try:
        event = log.resolve(query)
    except IdLookupError as exc:
        raise event_error(exc, query, [ev.event_id for ev in log], log.run_id) from None
    if as_json:
        _dump(full_dict(event))
        return
    parent = log.get(event.parent_id) if event.parent_id and event.parent_id in log else None
    click.echo(render_full(event, parent, style))


def _show_run(
    log: EventLog, summary: RunSummary, graph: bool, show_all: bool, as_json: bool, style: Style
) -> None:
    """The summary, then the table of events or (``--graph``) the call tree."""
    from godel.log import Op
    from godel.runs.render import group_events, latest_rows, render_header, rows

    root = next((ev for ev in log if ev.op == Op.WORKFLOW_STARTED and ev.parent_id is None), None)
    root_id = root.event_id if root else None
    from godel.cost import Ledger, group_costs

    ledger = Ledger.build(log)
    summary = replace(summary, cost=ledger.run)
    run = summary.to_dict()
    # The default table of a run that never failed needs no groups (see latest_rows).
    needs_groups = graph or show_all or not ledger.run.empty
    groups = group_events(log, root_id) if needs_groups else None
    costs = None
    if not ledger.run.empty:  # no agent call: no COST column
        costs = group_costs(groups, ledger)
        run["cost"]["attempts"] = [totals.to_dict() for totals in ledger.attempts]
    if graph:
        from godel.runs.render import graph_dict, render_graph

        if as_json:
            _dump({"run": run, "tree": graph_dict(groups, show_all=show_all)})
            return
        body = render_graph(groups, show_all=show_all, style=style, unicode=stdout_unicode())
    else:
        from godel.runs.render import render_table, row_dict

        selected = latest_rows(log, root_id) if groups is None else None
        if selected is None:  # groups, or an event failed (prior attempts need the groups)
            if groups is None:
                groups = group_events(log, root_id)
            selected = rows(groups, show_all=show_all)
        if as_json:
            costs_of = costs or {}
            _dump_events(
                run, (row_dict(ev, mark, costs_of.get(ev.event_id)) for ev, mark in selected)
            )
            return
        body = render_table(selected, style, unicode=stdout_unicode(), costs=costs)
    click.echo(f"{render_header(summary, root, style)}\n\n{body}")
