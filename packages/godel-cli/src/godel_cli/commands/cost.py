"""``godel cost [RUN_ID...] [--since DATE] [--by workflow|model|step] [--json]``."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from godel_cli.errors import EXIT_FAIL, CliError
from godel_cli.messages import say, warn
from godel_cli.options import CONTEXT_SETTINGS, json_option, runs_dir_option, store_option

if TYPE_CHECKING:
    from godel.cost import CallCost, CostTotals


def _since(value: str | None) -> datetime | None:
    """``2026-05-01`` (local midnight) or an ISO date-time (local time unless it has an offset)."""
    if value is None:
        return None
    from godel.log import from_iso

    try:
        when = from_iso(value.strip())
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM", param_hint="--since"
        ) from None
    return when if when.tzinfo is not None else when.astimezone()


@click.command("cost", context_settings=CONTEXT_SETTINGS)
@click.argument("run_ids", nargs=-1, metavar="[RUN_ID]...")
@click.option(
    "--since",
    metavar="DATE",
    help="Only runs started on or after DATE (YYYY-MM-DD, or YYYY-MM-DDTHH:MM; local time).",
)
@click.option(
    "--by",
    type=click.Choice(["workflow", "model", "step"]),
    default=None,
    help="Sum per workflow, per agent model (backend/model) or per step path instead of per run.",
)
@json_option("Print JSON: every run, the groups of --by, and the total.")
@store_option()
@runs_dir_option()
def cost(
    run_ids: tuple[str, ...],
    since: str | None,
    by: str | None,
    as_json: bool,
    runs_dir: Path | None,
) -> None:
    """What agent calls cost, summed across runs: every run of the runs directory, or the
    RUN_IDs given (full ids, or unique prefixes or suffixes).

    SPENT is what the calls of each run cost (~ when part of it is estimated from a price
    table: copilot and codex report no cost; docs/cost.md); SAVED is what resumes did not pay
    again because they answered recorded calls from the log.

    \b
    Exit codes:
      0  printed (no runs: a note on stderr)
      1  no runs directory; a RUN_ID matches no run, or several
      2  usage error (--since is not a date)
    """
    from godel.cost import CostTotals, call_costs, sum_by
    from godel.log import EventLog, Op, list_run_ids, parse_ts
    from godel_cli.runids import resolve_runs, runs_location

    start = _since(since)
    if run_ids:
        chosen = resolve_runs(run_ids, runs_dir)
    else:
        directory = runs_location(runs_dir)
        chosen = [(run_id, directory) for run_id in list_run_ids(directory)]
    runs: list[dict[str, Any]] = []
    calls: list[CallCost] = []
    for run_id, directory in dict.fromkeys(chosen):  # a run named twice counts once
        try:
            # Costs are read one call at a time: big values stay in the blob sidecar till then.
            log = EventLog.load(run_id, directory, lazy_blobs=True)
        except Exception as exc:  # one unreadable log must not hide the others
            if run_ids:
                raise CliError(f"cannot read run {run_id}: {exc}", exit_code=EXIT_FAIL) from None
            warn(f"run {run_id}: cannot read its log: {exc}")
            continue
        root = log.events[0] if log.events else None
        started = root.ts_start if root is not None else log.header.get("created")
        when = parse_ts(started)
        if start is not None and (when is None or when < start):
            continue
        # godel-py 3.x logs have no header: their first event names the workflow.
        named = root.request.get("function") if root and root.op == Op.WORKFLOW_STARTED else ""
        workflow = str(log.header.get("workflow") or named or "<unknown>")
        mine = call_costs(run_id, workflow, log)
        calls += mine
        total = CostTotals()
        for call in mine:
            total.add(call.totals)
        runs.append({"run_id": run_id, "workflow": workflow, "started": started, "cost": total})
    total = CostTotals()
    for call in calls:
        total.add(call.totals)
    groups = sum_by(calls, by) if by else None
    if as_json:
        out: dict[str, Any] = {
            "runs": [{**run, "cost": run["cost"].to_dict()} for run in runs],
            "total": total.to_dict(),
        }
        if groups is not None:
            out["by"] = by
            out["groups"] = [{by: key, **t.to_dict()} for key, t in groups.items()]
        from godel.runs.render import terminal_json

        click.echo(terminal_json(json.dumps(out, indent=2, ensure_ascii=False)))
        return
    if not runs:
        say("no runs" + (f" since {since}" if since else ""))
        return
    if groups is not None:
        rows = [(key, t) for key, t in sorted(groups.items(), key=lambda kv: -kv[1].spent_usd)]
        click.echo(_table(by.upper(), rows, total))  # type: ignore[union-attr]
    else:
        click.echo(_table("RUN ID", [(r["run_id"], r["cost"]) for r in runs], total, runs))


def _table(
    first: str,
    rows: list[tuple[str, CostTotals]],
    total: CostTotals,
    runs: list[dict[str, Any]] | None = None,
) -> str:
    """One line per run or group, then TOTAL; a figure that is an estimate starts with ~."""
    from godel.runs.render import clip, local_time

    headers = [first, *(("WORKFLOW", "STARTED") if runs else ()), "CALLS", "IN", "OUT"]
    headers += ["SPENT", "SAVED"]

    def cells(name: str, t: CostTotals, extra: tuple[str, ...]) -> list[str]:
        saved = t.saved_text() if t.replayed else "-"
        counts = [str(t.calls), str(t.input_tokens), str(t.output_tokens)]
        return [name, *extra, *counts, t.spent_text() if t.calls else "-", saved]

    table = []
    for i, (name, t) in enumerate(rows):
        extra = (clip(runs[i]["workflow"], 0), local_time(runs[i]["started"])) if runs else ()
        table.append(cells(clip(name, 0), t, extra))
    table.append(cells("TOTAL", total, ("", "") if runs else ()))
    widths = [max(len(h), *(len(r[i]) for r in table)) for i, h in enumerate(headers)]
    numeric = {"CALLS", "IN", "OUT", "SPENT", "SAVED"}

    def line(row: list[str]) -> str:
        parts = [
            c.rjust(w) if h in numeric else c.ljust(w)
            for c, w, h in zip(row, widths, headers, strict=True)
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(headers), *(line(r) for r in table)])
