"""A run that already finished: resuming it runs nothing and writes nothing.

Its result is in the log, so ``godel resume`` (and ``godel.resume``) hand that back instead of
replaying the workflow: replaying would add a RESUME event and a new terminal line to a log
that is complete, and would re-run whatever a replay re-runs (a ``read_text(replay="reread")``).
A rewind after the end reopens the run: then the resume runs what the rewind invalidated.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from godel.log.events import Event, EventStatus, Op

__all__ = ["finished_root", "result_text"]

# Events that start a new chapter of a run after it ended.
_REOPENING = frozenset({Op.RESUME, Op.REWIND})


def finished_root(events: Iterable[Event]) -> Event | None:
    """The root ``WORKFLOW_STARTED`` event if the run finished and nothing reopened it since.

    "Since" is judged by time, as ``godel.runs.status`` judges attempts: the root's end must be
    no older than the last RESUME or REWIND.
    """
    root = None
    reopened = ""
    for ev in events:
        if root is None and ev.op == Op.WORKFLOW_STARTED and ev.parent_id is None:
            root = ev
        elif ev.op in _REOPENING and ev.ts_start > reopened:
            reopened = ev.ts_start
    if root is None or root.status is not EventStatus.FINISHED:
        return None
    return root if (root.ts_end or "") >= reopened else None


def result_text(root: Event) -> str:
    """The recorded result for a status line: JSON, or the ``repr`` a non-JSON value was kept as."""
    from godel.engine.values import REPR_KEY

    result: Any = (root.response or {}).get("result")
    if isinstance(result, dict) and set(result) == {REPR_KEY}:
        return str(result[REPR_KEY])
    return json.dumps(result, ensure_ascii=False)
