"""``godel show``: the run header and the table of events."""

from __future__ import annotations

from typing import Any

from godel.cost.totals import CostTotals, format_tokens
from godel.log.events import Event, EventStatus
from godel.log.ids import SHORT_LEN, short_id
from godel.runs.render.format import (
    DETAIL_WIDTH,
    MESSAGE_WIDTH,
    STATUS_TEXT,
    Style,
    clip,
    cut_left,
    detail,
    event_duration,
    failure_text,
    format_duration,
    local_time,
    no_style,
    shown,
    step_label,
)
from godel.runs.render.groups import Mark
from godel.runs.status import RunStatus, RunSummary

__all__ = ["cost_cell", "cost_text", "render_header", "render_table", "row_dict"]


def render_header(summary: RunSummary, root: Event | None = None, style: Style = no_style) -> str:
    """The lines above the table: id, workflow, status, times, attempts, and why it failed."""
    status = summary.status.value
    lines = [
        f"run       {style(summary.run_id, 'bold')}",
        f"workflow  {clip(summary.workflow, 0)}",
        f"status    {style(status, status)}",
        f"started   {local_time(summary.started)}",
        f"duration  {format_duration(summary.duration())}"
        + (" so far" if summary.status is RunStatus.RUNNING else ""),
        f"attempts  {summary.attempts}",
    ]
    if summary.cost is not None and not summary.cost.empty:
        lines.append(f"cost      {cost_text(summary.cost)}")
    failure = summary.failure
    if failure is not None:
        failed = failure_text({"error": failure.error, "error_type": failure.error_type})
        text = clip(failed, MESSAGE_WIDTH)
        lines.append(f"error     {style(text, 'FAILED')}")
        cause = failure.cause
        if cause is not None:
            where = f"{shown(cause.op)} {cut_left(shown(step_label(cause.step_path)))}"
            lines.append(f"failed at {where} [{style(short_id(cause.event_id), 'id')}]")
    if summary.status is RunStatus.PAUSED and root is not None:
        reason = (root.response or {}).get("reason")
        if reason:
            lines.append(f"reason    {clip(str(reason), MESSAGE_WIDTH)}")
    if summary.status is RunStatus.CRASHED:
        lines.append(
            style(
                "note      no process holds the run and it recorded no end: resume it with "
                f"`godel resume {summary.run_id}`",
                "dim",
            )
        )
    return "\n".join(lines)


def cost_text(totals: CostTotals) -> str:
    """``$0.0135 spent on 3 agent calls (3000 in, 300 out tokens)``, then what was estimated,
    unpriced and saved by resumes."""
    calls = f"{totals.calls} agent call{'s' if totals.calls != 1 else ''}"
    text = f"{totals.spent_text()} spent on {calls} ({format_tokens(totals)} tokens)"
    if totals.estimated:
        text += f"; {totals.estimated} estimated from a price table"
    if totals.unpriced:
        text += f"; {totals.unpriced} without a price"
    if totals.replayed:
        text += f"; {totals.saved_text()} saved ({totals.replayed} replayed)"
    return text


def cost_cell(totals: CostTotals | None) -> str:
    """A row's COST: spent (``~`` when estimated), and ``+$x saved`` by replayed calls."""
    if totals is None:
        return ""
    text = totals.spent_text() if totals.calls else ""
    if totals.saved_usd:
        saved = f"{totals.saved_text()} saved"
        text = f"{text} ({saved})" if text else saved
    return text


_BOX = {
    True: ("┌─ ✗", "│  ", "└─", "┄┄┄ invalidated (rewind) ┄┄┄", "⊘"),
    False: ("+- x", "|  ", "`-", "--- invalidated (rewind) ---", "x"),
}


def render_table(
    rows: list[tuple[Event, str]],
    style: Style = no_style,
    *,
    width: int = DETAIL_WIDTH,
    unicode: bool = True,
    costs: dict[str, CostTotals] | None = None,
) -> str:
    """One line per row: short id, op, step path, status, duration, cost, detail.

    The COST column (``godel.cost.group_costs``) is there only when ``costs`` has a figure.

    Rows marked by ``rows(show_all=True)`` are laid out as REFERENCE §13.4 shows ``--all``:
    prior attempts in a box just above the attempt that followed them (``┌─ ✗ N prior
    attempt(s):``, ``│  `` lines, ``└─ succeeded:``), invalidated events in a section at the
    end, RESUME/INVALIDATE/REWIND records in place.
    """
    if not rows:
        return "(no events)"
    # One pass makes the cells column by column (the table of a long run has thousands of
    # rows); the widths are then one `max` per column.
    ids, ops, steps, statuses, durations, texts = [], [], [], [], [], []
    labels: dict[tuple[str, ...], str] = {}  # runs repeat a few step paths thousands of times
    started = EventStatus.STARTED
    for ev, _mark in rows:
        status = ev.status
        path = ev.step_path
        label = labels.get(path) if path.__class__ is tuple else None
        if label is None:
            label = cut_left(shown(step_label(path)))
            if path.__class__ is tuple:
                labels[path] = label
        text = detail(ev)
        ids.append(ev.event_id[-SHORT_LEN:])
        op = ev.op
        ops.append(op if op.isprintable() else shown(op))  # a hand-edited log may hold any text
        steps.append(label)
        statuses.append(STATUS_TEXT.get(status) or status.value)
        durations.append(format_duration(event_duration(ev)) if status is not started else "-")
        texts.append(clip(text, width) if text else text)
    w_dur = max(8, *map(len, durations))
    dur_head = f"{'DURATION':>{w_dur}}"
    if costs:  # the COST column rides with DURATION: both are right after STATUS
        cells_of: dict[int, str] = {}  # one text per figures object (a call's row and its own)
        spent = []
        for ev, _mark in rows:
            totals = costs.get(ev.event_id)
            cost = cells_of.get(id(totals))
            if cost is None:
                cost = cells_of[id(totals)] = cost_cell(totals)
            spent.append(cost)
        w_cost = max(4, *map(len, spent))
        durations = [f"{d:>{w_dur}}  {c:<{w_cost}}" for d, c in zip(durations, spent, strict=True)]
        dur_head = f"{dur_head}  {'COST':<{w_cost}}"
        w_dur = len(dur_head)
    w_op = max(2, *map(len, ops))
    w_step = max(4, *map(len, steps))
    w_status = max(6, *map(len, statuses))
    head = f"{'ID':<8}  {'OP':<{w_op}}  {'STEP':<{w_step}}  {'STATUS':<{w_status}}  {dur_head:>{w_dur}}  DETAIL"
    plain = style is no_style
    cells = zip(ids, ops, steps, statuses, durations, texts, strict=True)
    if plain and all(mark == Mark.NONE for _ev, mark in rows):  # the usual table: a line a row
        lines = [head]
        add = lines.append
        # The columns between the id and the detail repeat from row to row: pad each
        # combination once (padding costs four times the dictionary lookup).
        middles: dict[tuple[str, str, str, str], str] = {}
        for sid, op, step, status, dur, text in cells:
            key = (op, step, status, dur)
            middle = middles.get(key)
            if middle is None:
                middle = middles[key] = (
                    f"{op:<{w_op}}  {step:<{w_step}}  {status:<{w_status}}  {dur:>{w_dur}}"
                )
            add(f"{sid}  {middle}  {text}".rstrip())
        return "\n".join(lines)

    def line(sid: str, op: str, step: str, status: str, dur: str, text: str) -> str:
        if plain:
            out = f"{sid}  {op:<{w_op}}  {step:<{w_step}}  {status:<{w_status}}  {dur:>{w_dur}}  {text}"
        else:
            out = (
                f"{style(sid, 'id')}  {op:<{w_op}}  {step:<{w_step}}  "
                f"{style(f'{status:<{w_status}}', status)}  {dur:>{w_dur}}  {text}"
            )
        return out.rstrip()

    top, side, bottom, title, gone = _BOX[unicode]
    lines = [style(head, "bold")]
    priors: list[tuple[Event, str]] = []
    invalid: list[str] = []
    for (ev, mark), cell in zip(rows, cells, strict=True):
        if mark == Mark.INVALID:
            invalid.append(f"  {style(gone, 'INVALIDATED')} {line(*cell)}")
        elif mark == Mark.PRIOR:
            priors.append((ev, line(*cell)))
        else:
            if priors:
                lines += _attempts_box(priors, ev, style, top, side, bottom)
                priors = []
            lines.append(line(*cell))
    if priors:  # a prior attempt whose follower was invalidated
        lines += _attempts_box(priors, None, style, top, side, bottom)
    if invalid:
        lines.append(style(title, "INVALIDATED"))
        lines += invalid
    return "\n".join(lines)


def _attempts_box(
    priors: list[tuple[Event, str]],
    then: Event | None,
    style: Style,
    top: str,
    side: str,
    bottom: str,
) -> list[str]:
    """``┌─ ✗ N prior attempt(s):``, a ``│  `` line per prior row, ``└─ succeeded:``."""
    # Attempts are the rows of the same call as the one that followed; the rest ran in them.
    if then is not None:
        count = sum(1 for ev, _ in priors if (ev.op, ev.step_path) == (then.op, then.step_path))
    else:
        count = 0
    out = [style(f"  {top} {count or len(priors)} prior attempt(s):", "prior")]
    out += [f"  {style(side, 'prior')}{text}" for _, text in priors]
    if then is not None:
        outcome = "succeeded" if then.status is EventStatus.FINISHED else "then"
        out.append(style(f"  {bottom} {outcome}:", "prior"))
    return out


def row_dict(ev: Event, mark: str = Mark.NONE, cost: CostTotals | None = None) -> dict[str, Any]:
    """An event for ``show --json``: its log fields plus ``children_ids``, ``short_id``,
    ``mark`` and ``cost`` (the calls at or under it; None when there are none)."""
    out = ev.to_dict()
    out["children_ids"] = list(ev.children_ids)
    out["short_id"] = short_id(ev.event_id)
    out["mark"] = mark
    out["cost"] = cost.to_dict() if cost is not None else None
    return out
