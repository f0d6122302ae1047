"""``godel runs list [--status S] [--limit N] [--json]`` and ``godel runs export RUN_ID DEST``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from godel.runs import RunStatus, RunSummary, summarize_many
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
    """List runs, newest first: id, workflow, status, start (local time), duration, attempts,
    cost (USD its agent calls spent; ~ when estimated from a price table, ? when unpriced).

    RUNNING means a live process holds the run; CRASHED means none does and the run recorded
    no end (resume it); UNKNOWN means its log could not be read.

    \b
    Exit codes:
      0  listed (an empty runs directory lists nothing)
      1  the runs directory does not exist, or cannot be read
      2  usage error
    """
    from godel.log import list_run_ids
    from godel_cli.runids import runs_location, where

    directory = runs_location(runs_dir)
    ids = list_run_ids(directory)
    summaries: list[RunSummary] = []
    unstarted: list[RunSummary] = []  # no start to sort by (unreadable, empty): listed last
    for summary in summarize_many(ids, directory):  # a store reads many runs per query
        if summary.status is RunStatus.UNKNOWN:
            warn(f"run {summary.run_id}: {'; '.join(summary.warnings) or 'unreadable log'}")
        if status is not None and summary.status.value != status.upper():
            continue
        (summaries if summary.started else unstarted).append(summary)
        if limit is not None and len(summaries) >= limit:
            break
    summaries = (summaries + unstarted)[:limit]
    if as_json:
        from godel.runs.render import terminal_json

        text = json.dumps([s.to_dict() for s in summaries], indent=2, ensure_ascii=False)
        click.echo(terminal_json(text))
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
@click.option("--force", is_flag=True, help="Replace a copy of a run already in folder DEST.")
@store_option()
@runs_dir_option(help="Where the runs are (default: the configured store or runs dir).")
def export_runs(run_ids: tuple[str, ...], dest: str, force: bool, runs_dir: Path | None) -> None:
    """Copy runs RUN_ID... to DEST: a folder (a runs dir, made if missing; e.g. tests/runs/, to
    keep a run as a replay test for `godel test DEST/<run id>.jsonl`) or a store URL
    (postgresql://...). The log's lines byte for byte, the blobs they name and the transcript.
    For a folder, the path of each copied log is printed on stdout.

    RUN_ID is a full id, or a unique prefix or suffix, of a run in the configured store
    (--store, --runs-dir). A run still running is refused.

    \b
    Exit codes:
      0  every run copied
      1  no runs directory; a RUN_ID matches no run, or several; a run is still running;
         DEST already holds a run (--force replaces it in a folder); a run could not be
         copied; DEST cannot be opened
      2  usage error
    """
    import shutil

    from godel.log import lock_held
    from godel.store import open_store, resolve_store
    from godel_cli.runids import resolve_runs

    if not dest.strip():
        raise click.BadParameter("DEST is empty: give a folder or a store URL", param_hint="DEST")
    folder = None if "://" in dest else Path(dest)
    if folder is not None and folder.exists() and not folder.is_dir():
        raise CliError(f"cannot export to {dest}: it is a file, not a folder", exit_code=EXIT_FAIL)
    source = resolve_store(None, runs_dir)
    found: list[str] = []
    for full_id, directory in resolve_runs(run_ids, runs_dir):
        if lock_held(full_id, directory):  # a runs dir or a store: either knows its writers
            raise CliError(
                f"run {full_id} is running: export it once it has ended", exit_code=EXIT_FAIL
            )
        found.append(full_id)
    found = list(dict.fromkeys(found))  # the same run named twice (an id and a prefix) once
    if folder is not None and isinstance(directory, Path) and _same_dir(folder, directory):
        # Copying a run onto itself: --force would delete the only copy before copying it.
        raise CliError(
            f"{dest} is the runs dir the runs are in: pick another DEST", exit_code=EXIT_FAIL
        )
    if folder is not None and force:
        for run_id in found:
            (folder / f"{run_id}.jsonl").unlink(missing_ok=True)
            shutil.rmtree(folder / run_id, ignore_errors=True)
    target = open_store(dest)
    shown = dest if folder is not None else None
    copied = _copy(
        source,
        target,
        found,
        verb="exported",
        exists_fails=True,
        shown=shown,
        replaceable=folder is not None,
    )
    if folder is not None:
        for run_id in copied:
            click.echo(str(folder / f"{run_id}.jsonl"))


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
        try:
            run_ids = source.list_run_ids()
        except OSError as exc:  # a folder it may not list
            raise CliError(
                f"cannot read {src}: {exc.strerror or exc}", exit_code=EXIT_FAIL
            ) from None
        _copy(source, target, run_ids)


def _same_dir(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:  # DEST not made yet: another folder
        return False


def _copy(
    source: Any,
    target: Any,
    run_ids: list[str],
    verb: str = "copied",
    exists_fails: bool = False,
    shown: str | None = None,
    replaceable: bool = False,
) -> list[str]:
    """Copy each run; the ones copied. A run already in ``target`` is left as it is: a warning
    (``import``), or a failure (``export``; naming ``--force`` when the target is a folder,
    the only kind it replaces)."""
    from godel.log import RunLockedError
    from godel.store import copy_run

    failed = 0
    copied = []
    name = shown or _name(target)
    for run_id in run_ids:
        try:
            lines = copy_run(source, target, run_id)
        except FileExistsError:
            if exists_fails:
                hint = " (--force replaces it)" if replaceable else ""
                warn(f"run {run_id} in {name} already exists{hint}")
                failed += 1
            else:
                warn(f"run {run_id} is already in {name}; left as it is")
            continue
        except (OSError, KeyError, ValueError, RunLockedError) as exc:
            warn(f"run {run_id} not copied: {exc}")
            failed += 1
            continue
        copied.append(run_id)
        say(f"{verb} run {run_id} to {name} ({lines} lines)")
    if failed:
        raise CliError(f"{failed} run(s) not copied", exit_code=EXIT_FAIL)
    return copied


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
