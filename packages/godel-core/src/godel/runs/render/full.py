"""``godel show --full EVENT_ID``: one event, whole: identity, times, request and response.

Values come from a loaded ``EventLog``, so strings the writer moved to the blob sidecar are
shown in full, not as their previews.
"""

from __future__ import annotations

import json
from typing import Any

from godel.log.events import Event
from godel.log.ids import short_id
from godel.runs.render.format import (
    Style,
    event_duration,
    format_duration,
    local_time,
    no_style,
    shown,
    step_label,
    terminal_json,
)

__all__ = ["full_dict", "render_full"]


def _pretty(value: Any) -> str:
    return terminal_json(json.dumps(value, indent=2, ensure_ascii=False, default=repr))


def render_full(ev: Event, parent: Event | None = None, style: Style = no_style) -> str:
    """The event's identity fields, then its request and response as indented JSON."""
    status = ev.status.value
    parent_text = "-"
    if ev.parent_id:
        parent_text = ev.parent_id
        if parent is not None:
            parent_text += f"  ({parent.op} {step_label(parent.step_path)})"
    lines = [
        f"event           {style(shown(ev.event_id), 'bold')}"
        f"  (short {style(shown(short_id(ev.event_id)), 'id')})",
        f"op              {shown(ev.op)}",
        f"status          {style(status, status)}",
        f"step path       {shown(step_label(ev.step_path))}",
        f"invocation_seq  {ev.invocation_seq}",
        f"step_local_seq  {ev.step_local_seq}",
        f"parent          {shown(parent_text)}",
        f"children        {len(ev.children_ids)}",
        f"seq             {ev.seq}",
        f"started         {shown(str(ev.ts_start))}  ({local_time(ev.ts_start)} local)",
        f"ended           {shown(ev.ts_end or '-')}"
        + (f"  ({local_time(ev.ts_end)} local)" if ev.ts_end else ""),
        f"duration        {format_duration(event_duration(ev))}",
        f"request_hash    {shown(ev.request_hash or '-')}",
        f"stream_path     {shown('/'.join(ev.stream_path)) if ev.stream_path else '-'}",
        "",
        style("── request ──", "bold"),
        _pretty(ev.request),
        "",
        style("── response ──", "bold"),
        _pretty(ev.response),
    ]
    return "\n".join(lines)


def full_dict(ev: Event) -> dict[str, Any]:
    """The event for ``show --full --json``: its log fields plus ``children_ids`` and ``short_id``."""
    out = ev.to_dict()
    out["children_ids"] = list(ev.children_ids)
    out["short_id"] = short_id(ev.event_id)
    return out
