"""``godel show --graph``: the call tree of a run, drawn with box characters.

Nodes are identities (see ``godel.runs.render.groups``): a step re-executed on a later attempt is
one node, showing its latest event, with both attempts' children below it. ``parallel``
branches hang below their FORK node; branches that are plain coroutines rather than steps get
a ``branch [i]`` node of their own.
"""

from __future__ import annotations

import re
from typing import Any

from godel.log.events import Event, EventStatus, Op
from godel.log.ids import short_id
from godel.runs.render.format import (
    DETAIL_WIDTH,
    Style,
    clip,
    detail,
    event_duration,
    format_duration,
    no_style,
)
from godel.runs.render.groups import Group, Mark
from godel.runs.render.table import row_dict

__all__ = ["ASCII", "UNICODE", "graph_dict", "render_graph"]

_BRANCH = re.compile(r"\[\d+\]")

UNICODE = {
    "tee": "├─ ",
    "last": "└─ ",
    "pipe": "│  ",
    "space": "   ",
    EventStatus.FINISHED: "✓",
    EventStatus.FAILED: "✗",
    EventStatus.STARTED: "◌",
    EventStatus.PAUSED: "⏸",
    EventStatus.INVALIDATED: "⊘",
    EventStatus.SUSPENDED: "⊘",
    "prior": "↺",
}
ASCII = {
    "tee": "|- ",
    "last": "`- ",
    "pipe": "|  ",
    "space": "   ",
    EventStatus.FINISHED: "ok",
    EventStatus.FAILED: "FAILED",
    EventStatus.STARTED: "..",
    EventStatus.PAUSED: "PAUSED",
    EventStatus.INVALIDATED: "INVALID",
    EventStatus.SUSPENDED: "SUSPENDED",
    "prior": "prior",
}


class _Node:
    """A line of the tree: a group, or a ``branch [i]`` heading that holds groups."""

    __slots__ = ("children", "group", "label")

    def __init__(self, group: Group | None, label: str = "") -> None:
        self.group = group
        self.label = label
        self.children: list[_Node] = []


def _visible(group: Group, show_all: bool) -> bool:
    return show_all or not group.hidden


def _build(group: Group, show_all: bool) -> _Node:
    """The subtree of ``group`` (iteratively: call trees can be deep)."""
    top = _Node(group)
    stack = [top]
    while stack:
        node = stack.pop()
        group_ = node.group
        assert group_ is not None
        first = group_.first
        branches: dict[str, _Node] = {}
        depth = len(first.step_path)
        for child in group_.children:
            if not _visible(child, show_all):
                continue
            child_node = _Node(child)
            path = child.first.step_path
            if first.op == Op.FORK and len(path) > depth and _BRANCH.fullmatch(path[depth]):
                # A coroutine branch of parallel(): gather its events under one heading.
                heading = branches.get(path[depth])
                if heading is None:
                    heading = branches[path[depth]] = _Node(None, f"branch {path[depth]}")
                    node.children.append(heading)
                heading.children.append(child_node)
            else:
                node.children.append(child_node)
            stack.append(child_node)
    return top


def _what(ev: Event) -> str:
    if ev.op == Op.WORKFLOW_STARTED:
        return "workflow"
    if ev.op == Op.STEP_ENTER:
        return f"step {ev.step_path[-1] if ev.step_path else '?'}"
    return ev.op


def _line(ev: Event, icons: dict[Any, str], style: Style, width: int, mark: str = "") -> str:
    status = ev.status
    icon = icons.get(status, status.value)
    if mark == Mark.PRIOR:
        icon = f"{icons['prior']} {icon}"
    text = clip(detail(ev), width)
    dur = f"({format_duration(event_duration(ev))})" if status is not EventStatus.STARTED else ""
    tag = f"[{mark}]" if mark else ""
    sid = short_id(ev.event_id)
    if style is not no_style:
        icon, sid = style(icon, status.value), style(sid, "id")
        dur = style(dur, "dim") if dur else ""
        tag = style(tag, "mark") if tag else ""
    return " ".join(part for part in (icon, sid, _what(ev), text, dur, tag) if part)


def render_graph(
    groups: list[Group],
    *,
    show_all: bool = False,
    style: Style = no_style,
    unicode: bool = True,
    width: int = DETAIL_WIDTH,
) -> str:
    """The tree under the root (and any orphan events), one line per node."""
    icons = UNICODE if unicode else ASCII
    tops = [_build(g, show_all) for g in groups if g.parent is None and _visible(g, show_all)]
    if not tops:
        return "(no events)"
    lines: list[str] = []
    # (node, prefix for its own line, prefix for its children)
    stack: list[tuple[_Node, str, str]] = [(n, "", "") for n in reversed(tops)]
    while stack:
        node, lead, child_lead = stack.pop()
        group = node.group
        entries: list[tuple[str, Any]] = []
        if group is None:
            lines.append(lead + style(node.label, "bold"))
        else:
            main = group.latest or group.first
            if show_all:
                marked = group.marked()
                lines.append(
                    lead + _line(main, icons, style, width, next(m for e, m in marked if e is main))
                )
                # Prior attempts and invalidated events at this identity come first, as leaves.
                entries.extend(("event", (ev, mark)) for ev, mark in marked if ev is not main)
            else:
                lines.append(lead + _line(main, icons, style, width))
        entries.extend(("node", child) for child in node.children)
        pushes: list[tuple[_Node, str, str]] = []
        for i, (kind, item) in enumerate(entries):
            last = i == len(entries) - 1
            lead_i = child_lead + (icons["last"] if last else icons["tee"])
            next_lead = child_lead + (icons["space"] if last else icons["pipe"])
            if kind == "event":
                ev, mark = item
                lines.append(lead_i + _line(ev, icons, style, width, mark))
            else:
                pushes.append((item, lead_i, next_lead))
        # Events were written in place; child subtrees follow in order.
        stack.extend(reversed(pushes))
    return "\n".join(lines)


def graph_dict(groups: list[Group], *, show_all: bool = False) -> list[dict[str, Any]]:
    """The tree as JSON-ready dicts: ``{"event", "attempts", "children"}`` (``branch`` for
    branch headings)."""

    def convert(node: _Node) -> dict[str, Any]:
        group = node.group
        if group is None:
            return {
                "branch": node.label.removeprefix("branch "),
                "children": [convert(c) for c in node.children],
            }
        main = group.latest or group.first
        others = (
            [row_dict(ev, mark) for ev, mark in group.marked() if ev is not main]
            if show_all
            else []
        )
        marks = dict((id(ev), mark) for ev, mark in group.marked())
        return {
            "event": row_dict(main, marks[id(main)]),
            "attempts": others,
            "children": [convert(c) for c in node.children],
        }

    return [
        convert(_build(g, show_all)) for g in groups if g.parent is None and _visible(g, show_all)
    ]
