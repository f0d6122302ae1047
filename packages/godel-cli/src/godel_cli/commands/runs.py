"""``godel runs list [--status S] [--limit N] [--json]`` and ``godel runs export RUN_ID DEST``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from godel.runs import RunStatus, RunSummary, summarize
from godel_cli.messages import say, warn
from godel_cli.options import CONTEXT_SETTINGS, json_option, runs_dir_option
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
@runs_dir_option()
def list_runs(status: str | None, limit: int | None, as_json: bool, runs_dir: Path | None) -> None:
    """List runs, newest first: id, workflow, status, start (local time), duration, attempts,
    cost (USD its agent calls spent; ~ when estimated from a price table, ? when unpriced).

    RUNNING means a live process holds the run; CRASHED means none does and the run recorded
    no end (resume it); UNKNOWN means its log could not be read.

    \b
    Exit codes:
      0  listed (an empty runs directory lists nothing)
      1  the runs directory does not exist
      2  usage error
    """
    from godel.log import list_run_ids, resolve_runs_dir
    from godel_cli.runids import no_runs_dir

    directory = resolve_runs_dir(runs_dir)
    if not directory.is_dir():
        raise no_runs_dir(directory)
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


@runs.command("export")
@click.argument("run_id", metavar="RUN_ID")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a copy of the run already in DEST.")
@runs_dir_option()
def export(run_id: str, dest: Path, force: bool, runs_dir: Path | None) -> None:
    """Copy run RUN_ID (its log and blobs) into folder DEST, e.g. tests/runs/, to keep it as a
    regression test of the workflow: `godel test DEST/<run id>.jsonl` checks later edits
    against it, offline. Prints the copied log's path.

    \b
    Exit codes:
      0  copied
      1  no runs directory; RUN_ID matches no run, or several; the run is still running;
         DEST already holds it (--force replaces it); DEST cannot be written
      2  usage error
    """
    from godel.log import lock_held
    from godel.plan import export_run
    from godel_cli.errors import EXIT_FAIL, CliError
    from godel_cli.runids import resolve_run

    full_id, directory = resolve_run(run_id, runs_dir)
    if lock_held(full_id, directory):
        raise CliError(
            f"run {full_id} is running: export it once it has ended", exit_code=EXIT_FAIL
        )
    try:
        copied = export_run(full_id, directory, dest, force=force)
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot export run {full_id}: {exc}", exit_code=EXIT_FAIL) from None
    say(f"exported run {full_id} to {dest}")
    click.echo(str(copied))


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
            s.cost.spent_text() if s.cost is not None and s.cost.calls else "-",
        )
        for s in summaries
    ]
    headers = ("RUN ID", "WORKFLOW", "STATUS", "STARTED", "DURATION", "ATTEMPTS", "COST")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = [
        style("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(), "bold")
    ]
    for row in rows:
        cells = [c.ljust(w) for c, w in zip(row, widths, strict=True)]
        cells[2] = style(cells[2], row[2])
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
