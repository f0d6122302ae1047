"""Events grouped by identity: what ``show`` lists once, and what it calls prior attempts.

A resumed run re-executes failed steps as *new* events at the same identity (parent identity,
step path, invocation, local sequence, op). Those events form one group; by default only the
latest live one is shown, and its earlier attempts (and any INVALIDATED or SUSPENDED events at
that identity) appear with ``--all``. Children hang below the *group*, not below one event:
the replayed primitives of a re-executed step stay attached to the earlier attempt's event,
the new ones to the new event, and both belong under the same step.

A retry (``retry``, or a loop that calls again) makes each attempt a new call: its own identity.
Among the calls one scope made, a failed call followed by a call with the same op, step path
and request that did not fail is that call's *prior attempt* (REFERENCE §13.4.1 groups them by
op and step path alone; the request keeps two different commands apart). Prior attempts, and
everything that ran inside them, are shown with ``--all`` only, just before the attempt that
followed them.

Metadata records (RESUME, INVALIDATE, REWIND, PAUSED, UNRECOVERABLE, REPAIR) are never grouped: each
is its own row, at its place in the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from godel.engine.keys import KeyTable
from godel.log.events import Event, EventStatus, Op

__all__ = [
    "DEAD",
    "HIDDEN_OPS",
    "RECORD_OPS",
    "Group",
    "Mark",
    "group_events",
    "latest_rows",
    "rows",
]

HIDDEN_OPS = frozenset({Op.RESUME, Op.INVALIDATE, Op.REWIND})  # shown with --all only
RECORD_OPS = HIDDEN_OPS | {Op.PAUSED, Op.UNRECOVERABLE, Op.REPAIR}  # one row each, never grouped
DEAD = frozenset({EventStatus.INVALIDATED, EventStatus.SUSPENDED})


class Mark:
    """Why a row is shown only with ``--all``."""

    NONE = ""
    PRIOR = "prior"  # an earlier attempt at the same identity
    INVALID = "invalid"  # INVALIDATED (rewind, replay mismatch) or SUSPENDED
    META = "meta"  # RESUME / INVALIDATE / REWIND records


@dataclass(eq=False, slots=True, init=False)
class Group:
    """Every event recorded at one identity, in log order.

    A group holds its children, not its parent: a run's groups then form no reference cycle
    (unless prior attempts link them), so they are freed as soon as they are dropped instead
    of waiting for a pass of the cyclic collector over the whole log.
    """

    events: list[Event]
    record: bool  # a metadata record (one event, never grouped)
    top: bool  # no other group is its parent
    children: list[Group]
    attempt_of: Group | None  # the later call this failed call was a prior attempt of
    priors: list[Group]  # this call's prior attempts, in order
    inside: Group | None  # the prior attempt this group ran in (itself, if one)
    members: list[Group]  # a prior attempt: it and what ran in it

    def __init__(self, events: list[Event] | None = None, record: bool = False) -> None:
        # Written out: a group per event, and the generated __init__ (default factories for
        # the four lists) costs half as much again.
        self.events = [] if events is None else events
        self.record = record
        self.top = True
        self.children = []
        self.attempt_of = None
        self.priors = []
        self.inside = None
        self.members = []

    @property
    def first(self) -> Event:
        return self.events[0]

    @property
    def latest(self) -> Event | None:
        """The newest event that was not invalidated (None if all were)."""
        for ev in reversed(self.events):
            if ev.status not in DEAD:
                return ev
        return None

    @property
    def hidden(self) -> bool:
        """Not shown by default: a metadata record, nothing live at this identity, or part of
        a prior attempt."""
        if self.record:
            return self.first.op in HIDDEN_OPS or self.first.status in DEAD
        return self.latest is None or self.inside is not None

    def marked(self) -> list[tuple[Event, str]]:
        """Every event of the group with its mark (``--all``)."""
        if self.record:
            ev = self.first
            return [
                (
                    ev,
                    Mark.INVALID
                    if ev.status in DEAD
                    else Mark.META
                    if ev.op in HIDDEN_OPS
                    else Mark.NONE,
                )
            ]
        latest = self.latest
        return [
            (ev, Mark.NONE if ev is latest else Mark.INVALID if ev.status in DEAD else Mark.PRIOR)
            for ev in self.events
        ]


def group_events(events: Iterable[Event], root_id: str | None) -> list[Group]:
    """Groups in order of first appearance, each in its parent group's ``children``: events
    are grouped by their replay identity (``KeyTable.derive``), then each group is linked
    under its parent's."""
    events = list(events)
    key_of = KeyTable().derive(events, {root_id} if root_id else set())
    by_key: dict[int, Group] = {}
    group_of: dict[str, Group] = {}
    groups: list[Group] = []
    record_ops = RECORD_OPS
    failed = EventStatus.FAILED
    any_failed = False
    for ev in events:
        event_id = ev.event_id
        key = key_of.get(event_id)
        if ev.status is failed:
            any_failed = True
        if key is None or ev.op in record_ops:
            group = Group([ev], ev.op in record_ops)
            groups.append(group)
        else:
            group = by_key.get(key)
            if group is None:
                group = by_key[key] = Group([ev])
                groups.append(group)
            else:
                group.events.append(ev)
        group_of[event_id] = group
    parents: list[Group | None] = []
    add_parent = parents.append
    for group in groups:
        parent_id = group.events[0].parent_id
        parent = group_of.get(parent_id) if parent_id else None
        if parent is not None and parent is not group:
            parent.children.append(group)
            group.top = False
            add_parent(parent)
        else:
            add_parent(None)
    if any_failed:  # only a failed call can be a prior attempt
        _link_attempts(groups, parents)
    return groups


def _attempt_key(group: Group) -> tuple[str, tuple[str, ...], str] | None:
    latest = group.latest
    if group.record or latest is None:
        return None
    return (latest.op, latest.step_path, latest.request_hash)


def _link_attempts(groups: list[Group], parents: list[Group | None]) -> None:
    """Find the prior attempts among each scope's calls (see the module docstring);
    ``parents[i]`` is the parent group of ``groups[i]``."""
    tops = [group for group in groups if group.top]
    for siblings in (tops, *(g.children for g in groups if g.children)):
        failed: dict[tuple[str, tuple[str, ...], str], list[Group]] = {}
        for group in siblings:
            key = _attempt_key(group)
            if key is None or not key[2]:
                continue
            assert group.latest is not None
            if group.latest.status is EventStatus.FAILED:
                failed.setdefault(key, []).append(group)
            elif key in failed:
                group.priors = failed.pop(key)
                for prior in group.priors:
                    prior.attempt_of = group
    for group, parent in zip(groups, parents, strict=True):  # parents come before children
        if parent is not None and parent.inside is not None:
            group.inside = parent.inside  # the outermost prior attempt holds it all
        elif group.attempt_of is not None:
            group.inside = group
        if group.inside is not None:
            group.inside.members.append(group)


def rows(groups: list[Group], *, show_all: bool = False) -> list[tuple[Event, str]]:
    """The table's rows: the latest live event per identity, or with ``show_all`` every event
    with its mark (prior attempts, and what ran inside them, just before the call that
    followed them)."""
    out: list[tuple[Event, str]] = []
    if show_all:
        for group in groups:
            if group.inside is not None:
                continue  # listed with the call it was a prior attempt of
            for prior in group.priors:
                for member in prior.members:
                    out.extend(
                        (ev, Mark.INVALID if mark == Mark.INVALID else Mark.PRIOR)
                        for ev, mark in member.marked()
                    )
            out.extend(group.marked())
        return out
    add = out.append
    none = Mark.NONE
    for group in groups:
        if group.record:
            if not group.hidden:
                add((group.first, none))
            continue
        events = group.events
        if len(events) == 1:  # most groups: `latest` without its loop
            latest = events[0] if events[0].status not in DEAD else None
        else:
            latest = group.latest
        if latest is not None and group.inside is None:
            add((latest, none))
    return out


def latest_rows(events: Iterable[Event], root_id: str | None) -> list[tuple[Event, str]] | None:
    """``rows(group_events(events, root_id))`` without building the groups, or None when an
    event failed (finding prior attempts needs the groups).

    The default table of a run that never failed: each identity's latest live event, at the
    place of the identity's first event. 10,000 steps: 117M -> 62M instructions.
    """
    events = list(events)
    key_of = KeyTable().derive(events, {root_id} if root_id else set())
    out: list[tuple[Event, str] | None] = []
    add = out.append
    slot: dict[int, int] = {}  # key -> index of its row in out
    record_ops, hidden_ops, dead = RECORD_OPS, HIDDEN_OPS, DEAD
    failed = EventStatus.FAILED
    none = Mark.NONE
    for ev in events:
        status = ev.status
        if status is failed:
            return None
        op = ev.op
        if op in record_ops:  # a row of its own, unless hidden
            if op not in hidden_ops and status not in dead:
                add((ev, none))
            continue
        key = key_of.get(ev.event_id)
        if key is None:  # no identity: a group of its own
            if status not in dead:
                add((ev, none))
            continue
        at = slot.get(key)
        if at is None:
            slot[key] = len(out)
            add((ev, none) if status not in dead else None)
        elif status not in dead:
            out[at] = (ev, none)
    return [row for row in out if row is not None]
