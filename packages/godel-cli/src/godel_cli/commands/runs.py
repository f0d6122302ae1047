"""``godel runs list [--status S] [--limit N] [--json]``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from godel.runs import RunStatus, RunSummary, summarize
from godel_cli.messages import say, warn
from godel_cli.options import CONTEXT_SETTINGS, json_option, runs_dir_option, store_option
from godel_cli.style import make_style


@click.group("runs", invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@click.pass_context
def runs(ctx: click.Context) -> None:
    """Inspect the runs in a runs directory."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@runs.command("list")
@click.option(
    "--status",
    type=click.Choice([s.value for s in RunStatus], case_sensitive=False),
    default=None,
    help="Only runs in this state (any case).",
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=None, metavar="N", help="At most N runs."
)
@json_option("Print a JSON list instead of a table.")
@store_option()
@runs_dir_option()
def list_runs(status: str | None, limit: int | None, as_json: bool, runs_dir: Path | None) -> None:
    """List runs, newest first: id, workflow, status, start (local time), duration, attempts.

    RUNNING means a live process holds the run; CRASHED means none does and the run recorded
    no end (resume it); UNKNOWN means its log could not be read.

    \b
    Exit codes:
      0  listed (an empty runs directory lists nothing)
      1  the runs directory does not exist
      2  usage error
    """
    from godel.log import list_run_ids
    from godel_cli.runids import runs_location

    directory = runs_location(runs_dir)
    ids = list_run_ids(directory)
    summaries: list[RunSummary] = []
    for run_id in ids:
        try:
            summary = summarize(run_id, directory)
        except Exception as exc:  # one unreadable log must not hide the others
            summary = RunSummary.unknown(run_id, f"{type(exc).__name__}: {exc}")
        if summary.status is RunStatus.UNKNOWN:
            warn(f"run {run_id}: {'; '.join(summary.warnings) or 'unreadable log'}")
        if status is not None and summary.status.value != status.upper():
            continue
        summaries.append(summary)
        if limit is not None and len(summaries) >= limit:
            break
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in summaries], indent=2, ensure_ascii=False))
        return
    if not summaries:
        say(
            f"no runs in {directory}"
            if not ids
            else f"no {status.upper() if status else ''} runs in {directory}"
        )
        return
    click.echo(_table(summaries))


def _table(summaries: list[RunSummary]) -> str:
    from godel.runs.render import clip, format_duration, local_time

    style = make_style()
    rows = [
        (
            s.run_id,
            clip(s.workflow, 0),  # read from the log: a hand edit could hold control characters
            s.status.value,
            local_time(s.started),
            format_duration(s.duration()),
            str(s.attempts),
        )
        for s in summaries
    ]
    headers = ("RUN ID", "WORKFLOW", "STATUS", "STARTED", "DURATION", "ATTEMPTS")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = [
        style("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(), "bold")
    ]
    for row in rows:
        cells = [c.ljust(w) for c, w in zip(row, widths, strict=True)]
        cells[2] = style(cells[2], row[2])
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
