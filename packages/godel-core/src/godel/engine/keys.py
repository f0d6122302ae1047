"""Replay identity: where an event sits in the call tree, independent of timing.

An event's key is its parent's key plus ``(step_path, invocation_seq, step_local_seq, op)``.
The parent is the event whose scope it ran in (the step, the ``parallel`` fork, or the
workflow). Because each step counts its own children, two ``parallel`` branches calling the
same step get different keys whatever order they run in (see docs/concepts.md).

Keys are interned to small integers so that lookups hash an int and a short tuple. They serve
lookups only, so a pass with nothing to replay (an empty cache, which stays empty for the whole
pass) skips them and uses 0.
"""

from __future__ import annotations

from collections.abc import Iterable

from godel.log.events import Event

ROOT_KEY = 0

KeyParts = tuple[int, tuple[str, ...], int, int, str]


class KeyTable:
    """Interns key tuples to ints: ``key(parent_key, step_path, inv, local, op) -> int``."""

    __slots__ = ("_ids",)

    def __init__(self) -> None:
        self._ids: dict[KeyParts, int] = {}

    def key(self, parent: int, step_path: tuple[str, ...], inv: int, local: int, op: str) -> int:
        parts = (parent, step_path, inv, local, op)
        found = self._ids.get(parts)
        if found is None:
            found = self._ids[parts] = len(self._ids) + 1
        return found

    def derive(self, events: Iterable[Event], root_ids: set[str]) -> dict[str, int]:
        """Key of every event, from parent links (parents always precede children in a log)."""
        # ``key`` written out: `show` and every resume derive the key of each event of the log
        # (10,000 events: 42M -> 35M instructions).
        keys: dict[str, int] = {}
        ids = self._ids
        known = ids.get
        parent_key = keys.get
        for ev in events:
            event_id = ev.event_id
            if event_id in root_ids:
                keys[event_id] = ROOT_KEY
                continue
            parent = parent_key(ev.parent_id)  # type: ignore[arg-type]  # None: no parent, no key
            if parent is None:
                continue  # metadata without a parent (REWIND outcome...) has no replay identity
            parts = (parent, ev.step_path, ev.invocation_seq, ev.step_local_seq, ev.op)
            found = known(parts)
            if found is None:
                found = ids[parts] = len(ids) + 1
            keys[event_id] = found
        return keys
