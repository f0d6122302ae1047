"""``godel runs list [--status S] [--limit N] [--json]``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from godel.runs import RunStatus, RunSummary, summarize
from godel_cli.errors import EXIT_FAIL, CliError
from godel_cli.messages import say, warn
from godel_cli.options import CONTEXT_SETTINGS, json_option, runs_dir_option, store_option
from godel_cli.style import make_style


@click.group("runs", invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@click.pass_context
def runs(ctx: click.Context) -> None:
    """Inspect the runs in a runs directory or store; copy runs between stores."""
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
    from godel_cli.runids import runs_location, where

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
            f"no runs in {where(directory)}"
            if not ids
            else f"no {status.upper() if status else ''} runs in {where(directory)}"
        )
        return
    click.echo(_table(summaries))


@runs.command("export", context_settings=CONTEXT_SETTINGS)
@click.argument("run_ids", metavar="RUN_ID...", nargs=-1, required=True)
@click.argument("dest", metavar="DEST")
@store_option()
@runs_dir_option(help="Where the runs are (default: the configured store or runs dir).")
def export_runs(run_ids: tuple[str, ...], dest: str, runs_dir: Path | None) -> None:
    """Copy runs RUN_ID... to DEST: a folder (a runs dir, made if missing) or a store URL
    (postgresql://...). The log's lines byte for byte, the blobs they name and the transcript.

    A run DEST already holds is left as it is (a warning). RUN_ID is a full id, or a unique
    prefix or suffix, of a run in the configured store (--store, --runs-dir).

    \b
    Exit codes:
      0  every run copied (or already there)
      1  a run is missing or could not be copied; DEST cannot be opened
      2  usage error
    """
    from godel.store import open_store, resolve_store
    from godel_cli.runids import resolve_run

    source = resolve_store(None, runs_dir)
    target = open_store(dest)
    found = [resolve_run(query, runs_dir)[0] for query in run_ids]
    _copy(source, target, found)


@runs.command("import", context_settings=CONTEXT_SETTINGS)
@click.argument("sources", metavar="SRC...", nargs=-1, required=True)
@store_option()
@runs_dir_option(help="Where to copy the runs (default: the configured store or runs dir).")
def import_runs(sources: tuple[str, ...], runs_dir: Path | None) -> None:
    """Copy runs into the configured store (--store, $GODEL_STORE, --runs-dir). Each SRC is a
    run's log (runs/<id>.jsonl: that run), a folder of runs or a store URL (every run in it).

    A run already in the store is left as it is (a warning).

    \b
    Exit codes:
      0  every run copied (or already there)
      1  a source is missing or a run could not be copied
      2  usage error
    """
    from godel.store import open_store, resolve_store

    target = resolve_store(None, runs_dir)
    for src in sources:
        path = Path(src)
        if "://" not in src and path.suffix == ".jsonl":
            if not path.is_file():
                raise CliError(f"no run log at {src}", exit_code=EXIT_FAIL)
            _copy(open_store(str(path.parent)), target, [path.stem])
            continue
        if "://" not in src and not path.is_dir():
            raise CliError(f"no runs folder at {src}", exit_code=EXIT_FAIL)
        source = open_store(src)
        _copy(source, target, source.list_run_ids())


def _copy(source: Any, target: Any, run_ids: list[str]) -> None:
    from godel.log import RunLockedError
    from godel.store import copy_run

    failed = 0
    for run_id in run_ids:
        try:
            lines = copy_run(source, target, run_id)
        except FileExistsError:
            warn(f"run {run_id} is already in {_name(target)}; left as it is")
            continue
        except (OSError, KeyError, ValueError, RunLockedError) as exc:
            warn(f"run {run_id} not copied: {exc}")
            failed += 1
            continue
        say(f"copied run {run_id} ({lines} lines) to {_name(target)}")
    if failed:
        raise CliError(f"{failed} run(s) not copied", exit_code=EXIT_FAIL)


def _name(store: Any) -> str:
    return str(getattr(store, "shown", None) or getattr(store, "runs_dir", None) or store.url)


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
