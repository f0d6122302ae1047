"""``godel show``: the run header and the table of events."""

from __future__ import annotations

from typing import Any

from godel.log.events import Event, EventStatus
from godel.log.ids import short_id
from godel.runs.render.format import (
    DETAIL_WIDTH,
    Style,
    clip,
    detail,
    event_duration,
    failure_text,
    format_duration,
    local_time,
    no_style,
    step_label,
)
from godel.runs.render.groups import Mark
from godel.runs.status import RunStatus, RunSummary

__all__ = ["render_header", "render_table", "row_dict"]

_STEP_WIDTH = 40  # longer step paths are cut from the left, where they repeat their parents


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
    failure = summary.failure
    if failure is not None:
        text = clip(failure_text({"error": failure.error, "error_type": failure.error_type}), 0)
        lines.append(f"error     {style(text, 'FAILED')}")
        cause = failure.cause
        if cause is not None:
            where = f"{cause.op} {step_label(cause.step_path)}"
            lines.append(f"failed at {where} [{style(short_id(cause.event_id), 'id')}]")
    if summary.status is RunStatus.PAUSED and root is not None:
        reason = (root.response or {}).get("reason")
        if reason:
            lines.append(f"reason    {clip(str(reason), 0)}")
    if summary.status is RunStatus.CRASHED:
        lines.append(
            style(
                "note      no process holds the run and it recorded no end: resume it with "
                f"`godel resume {summary.run_id}`",
                "dim",
            )
        )
    return "\n".join(lines)


def _cut_left(text: str, width: int) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1) :]


def render_table(
    rows: list[tuple[Event, str]], style: Style = no_style, *, width: int = DETAIL_WIDTH
) -> str:
    """One line per row: short id, op, step path, status, duration, detail. A mark column
    (``prior``, ``invalid``, ``meta``) comes first when any row carries one."""
    if not rows:
        return "(no events)"
    cells: list[tuple[str, str, str, str, str, str, str]] = []
    for ev, mark in rows:
        status = ev.status.value
        dur = format_duration(event_duration(ev)) if ev.status is not EventStatus.STARTED else "-"
        cells.append(
            (
                mark,
                short_id(ev.event_id),
                ev.op,
                _cut_left(step_label(ev.step_path), _STEP_WIDTH),
                status,
                dur,
                clip(detail(ev), width),
            )
        )
    with_marks = any(c[0] for c in cells)
    w_mark = max((len(c[0]) for c in cells), default=0)
    w_op = max(2, *(len(c[2]) for c in cells))
    w_step = max(4, *(len(c[3]) for c in cells))
    w_status = max(6, *(len(c[4]) for c in cells))
    w_dur = max(8, *(len(c[5]) for c in cells))
    head = f"{'ID':<8}  {'OP':<{w_op}}  {'STEP':<{w_step}}  {'STATUS':<{w_status}}  {'DURATION':>{w_dur}}  DETAIL"
    if with_marks:
        head = f"{'':<{w_mark}}  " + head
    lines = [style(head, "bold")]
    plain = style is no_style
    for mark, sid, op, step, status, dur, text in cells:
        if plain:
            line = f"{sid}  {op:<{w_op}}  {step:<{w_step}}  {status:<{w_status}}  {dur:>{w_dur}}  {text}"
        else:
            line = (
                f"{style(sid, 'id')}  {op:<{w_op}}  {step:<{w_step}}  "
                f"{style(f'{status:<{w_status}}', status)}  {dur:>{w_dur}}  {text}"
            )
        if with_marks:
            line = f"{style(f'{mark:<{w_mark}}', 'mark') if mark else ' ' * w_mark}  {line}"
        lines.append(line.rstrip())
    return "\n".join(lines)


def row_dict(ev: Event, mark: str = Mark.NONE) -> dict[str, Any]:
    """An event for ``show --json``: its log fields plus ``children_ids``, ``short_id`` and ``mark``."""
    out = ev.to_dict()
    out["children_ids"] = list(ev.children_ids)
    out["short_id"] = short_id(ev.event_id)
    out["mark"] = mark
    return out
