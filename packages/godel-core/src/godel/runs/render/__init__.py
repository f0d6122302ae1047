"""Text renderings of a run for people: ``show``'s table, tree and event view, ``tail``'s lines.

Renderers return plain strings and never import click: colour is applied through a ``Style``
callable the caller passes (``no_style`` for none), so the core stays free of terminal
dependencies and the CLI decides whether its stdout is a terminal.
"""

from __future__ import annotations

from godel.lazy import exports

TYPE_CHECKING = False
if TYPE_CHECKING:
    from godel.runs.render.charset import utf8_locale
    from godel.runs.render.format import (
        MESSAGE_WIDTH,
        ROLE_STYLES,
        Style,
        clip,
        failure_text,
        format_duration,
        format_event_line,
        local_time,
        no_style,
        repr_call_parts,
        shown,
        terminal_json,
    )
    from godel.runs.render.full import full_dict, render_full
    from godel.runs.render.graph import graph_dict, render_graph
    from godel.runs.render.groups import group_events, latest_rows, rows
    from godel.runs.render.table import (
        cost_cell,
        cost_text,
        render_header,
        render_table,
        row_dict,
    )

_EXPORTS = {
    "utf8_locale": "charset",
    "MESSAGE_WIDTH": "format",
    "ROLE_STYLES": "format",
    "clip": "format",
    "failure_text": "format",
    "Style": "format",
    "format_duration": "format",
    "format_event_line": "format",
    "local_time": "format",
    "no_style": "format",
    "repr_call_parts": "format",
    "shown": "format",
    "terminal_json": "format",
    "full_dict": "full",
    "render_full": "full",
    "graph_dict": "graph",
    "render_graph": "graph",
    "group_events": "groups",
    "latest_rows": "groups",
    "rows": "groups",
    "cost_cell": "table",
    "cost_text": "table",
    "render_header": "table",
    "render_table": "table",
    "row_dict": "table",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = exports(__name__, _EXPORTS)
