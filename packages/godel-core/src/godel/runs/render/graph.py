"""``godel show --graph``: the call tree of a run, drawn with box characters.

Nodes are identities (see ``godel.runs.render.groups``): a step re-executed on a later attempt is
one node, showing its latest event, with both attempts' children below it. ``parallel``
branches hang below their FORK node; branches that are plain coroutines rather than steps get
a ``branch [i]`` node of their own. Prior attempts (a retried call that failed) are not drawn;
with ``--all`` they are, as REFERENCE §13.4 shows them, in a box just above the attempt that
followed (``┌─ ✗ N prior attempt(s):`` ... ``└─ succeeded:``), and invalidated events are
listed in a section after the tree.
"""

from __future__ import annotations

import re
from typing import Any

from godel.log.events import Event, EventStatus, Op
from godel.log.ids import short_id
from godel.runs.render.format import (
    DETAIL_WIDTH,
    STEP_WIDTH,
    Style,
    clip,
    detail,
    event_duration,
    format_duration,
    no_style,
    shown,
)
from godel.runs.render.groups import DEAD, Group, Mark
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
    "box": ("┌─ ✗", "│  ", "└─"),
    "invalidated": "┄┄┄ invalidated (rewind) ┄┄┄",
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
    "box": ("+- x", "|  ", "`-"),
    "invalidated": "--- invalidated (rewind) ---",
}


class _Node:
    """A line of the tree: a group, or a ``branch [i]`` heading that holds groups."""

    __slots__ = ("children", "group", "label")

    def __init__(self, group: Group | None, label: str = "") -> None:
        self.group = group
        self.label = label
        self.children: list[_Node] = []


def _dead(group: Group) -> bool:
    if group.record:
        return group.first.status in DEAD
    return group.latest is None


def _visible(
    group: Group, show_all: bool, in_box: bool = False, *, keep_dead: bool = False
) -> bool:
    if in_box:  # drawing a prior attempt: everything that ran in it
        return keep_dead or not _dead(group)
    if group.inside is not None:
        return False  # drawn (with --all) in the box above the attempt that followed
    if show_all:
        return keep_dead or not _dead(group)  # the text lists invalidated events at the end
    return not group.hidden


def _build(group: Group, show_all: bool, in_box: bool = False, *, keep_dead: bool = False) -> _Node:
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
            if not _visible(child, show_all, in_box, keep_dead=keep_dead):
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
        # a name of thousands of characters would make the tree unreadable: cut it
        return f"step {clip(shown(ev.step_path[-1]), STEP_WIDTH) if ev.step_path else '?'}"
    return shown(ev.op)  # a hand-edited log may hold any text here


def _line(ev: Event, icons: dict[Any, str], style: Style, width: int) -> str:
    status = ev.status
    icon = icons.get(status, status.value)
    text = clip(detail(ev), width)
    dur = f"({format_duration(event_duration(ev))})" if status is not EventStatus.STARTED else ""
    sid = short_id(ev.event_id)
    if style is not no_style:
        icon, sid = style(icon, status.value), style(sid, "id")
        dur = style(dur, "dim") if dur else ""
    return " ".join(part for part in (icon, sid, _what(ev), text, dur) if part)


def _priors(group: Group) -> list[tuple[int, Event | Group]]:
    """What the box above ``group`` holds, in log order: its earlier attempts at the same
    identity (events) and the failed calls before it (groups, drawn with their subtree)."""
    items: list[tuple[int, Event | Group]] = [
        (ev.seq, ev) for ev, mark in group.marked() if mark == Mark.PRIOR
    ]
    items += [(prior.first.seq, prior) for prior in group.priors]
    return sorted(items, key=lambda item: item[0])


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
    tops = [_build(g, show_all) for g in groups if g.top and _visible(g, show_all)]
    if not tops:
        return "(no events)"
    top, side, bottom = icons["box"]
    lines: list[str] = []
    # A line of text, or a node to draw: (node, prefix of its parent's children or None at the
    # top, is it the last child (None: a root drawn after the prefix), is it inside a prior
    # attempt's box, was its own box drawn).
    stack: list[str | tuple[_Node, str | None, bool | None, bool, bool]] = [
        (n, None, True, False, False) for n in reversed(tops)
    ]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            lines.append(item)
            continue
        node, prefix, last, in_box, boxed = item
        group = node.group
        pushes: list[str | tuple[_Node, str | None, bool | None, bool, bool]] = []
        priors = _priors(group) if group is not None and show_all and not (in_box or boxed) else []
        if priors:
            # The box stands where the node stands, as if it were the sibling just before it.
            assert group is not None
            head = "" if prefix is None else prefix + icons["tee"]
            body = "" if prefix is None else prefix + icons["pipe"]
            attempts = sum(1 for _, p in priors if isinstance(p, Group)) or len(priors)
            pushes.append(head + style(f"{top} {attempts} prior attempt(s):", "prior"))
            for _, prior in priors:
                if isinstance(prior, Group):
                    pushes.append((_build(prior, show_all, True), body + side, None, True, False))
                else:
                    pushes.append(body + side + _line(prior, icons, style, width))
            main = group.latest or group.first
            outcome = "succeeded" if main.status is EventStatus.FINISHED else "then"
            pushes.append(body + style(f"{bottom} {outcome}:", "prior"))
            pushes.append((node, prefix, last, in_box, True))
            stack.extend(reversed(pushes))
            continue
        if prefix is None or last is None:
            lead = child_lead = prefix or ""
        else:
            lead = prefix + (icons["last"] if last else icons["tee"])
            child_lead = prefix + (icons["space"] if last else icons["pipe"])
        if group is None:
            lines.append(lead + style(node.label, "bold"))
        else:
            lines.append(lead + _line(group.latest or group.first, icons, style, width))
        for i, child in enumerate(node.children):
            pushes.append((child, child_lead, i == len(node.children) - 1, in_box, False))
        stack.extend(reversed(pushes))
    if show_all:
        dead = [ev for group in groups for ev in group.events if ev.status in DEAD]
        if dead:
            lines.append(style(icons["invalidated"], "INVALIDATED"))
            lines += [
                "  " + _line(ev, icons, style, width) for ev in sorted(dead, key=lambda e: e.seq)
            ]
    return "\n".join(lines)


def graph_dict(groups: list[Group], *, show_all: bool = False) -> list[dict[str, Any]]:
    """The tree as JSON-ready dicts: ``{"event", "attempts", "prior_attempts", "children"}``
    (``branch`` for branch headings). With ``show_all``, ``attempts`` holds the other events
    at the node's identity (marked ``prior`` or ``invalid``), ``prior_attempts`` the subtrees
    of the failed calls before it, and invalidated nodes stay in the tree."""

    def convert(node: _Node, mark: str | None = None) -> dict[str, Any]:
        group = node.group
        if group is None:
            return {
                "branch": node.label.removeprefix("branch "),
                "children": [convert(c, mark) for c in node.children],
            }
        main = group.latest or group.first
        marks = dict((id(ev), m) for ev, m in group.marked())
        others = (
            [row_dict(ev, mark or m) for ev, m in group.marked() if ev is not main]
            if show_all
            else []
        )
        priors = (
            [convert(_build(p, show_all, True), Mark.PRIOR) for p in group.priors]
            if show_all
            else []
        )
        return {
            "event": row_dict(main, mark or marks[id(main)]),
            "attempts": others,
            "prior_attempts": priors,
            "children": [convert(c, mark) for c in node.children],
        }

    keep = show_all  # the JSON keeps invalidated nodes in place
    return [
        convert(_build(g, show_all, keep_dead=keep))
        for g in groups
        if g.top and _visible(g, show_all, keep_dead=keep)
    ]
