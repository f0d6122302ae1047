"""The audit-log record: ``Event``, its statuses, the op names and request hashing."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import Any

from godel.log.jsontext import canonical

__all__ = [
    "HASH_EXCLUDED_KEYS",
    "Event",
    "EventStatus",
    "Op",
    "canonical_json",
    "compute_request_hash",
    "from_iso",
    "utc_now",
]


class EventStatus(str, Enum):
    """Lifecycle of an event: STARTED, then one terminal state (or INVALIDATED later)."""

    STARTED = "STARTED"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    INVALIDATED = "INVALIDATED"
    SUSPENDED = "SUSPENDED"
    PAUSED = "PAUSED"

    def __str__(self) -> str:
        return self.value


class Op:
    """Op names written to the audit log (the reference's names, plus godel's additions)."""

    WORKFLOW_STARTED = "WORKFLOW_STARTED"
    STEP_ENTER = "step.enter"
    RUN = "run"
    AGENT_CALL = "agent.call"
    PRINT = "print"
    INPUT = "input"
    SLEEP = "sleep"
    DET_SLEEP = "det.sleep"
    DET_NOW = "det.now"
    DET_RANDOM = "det.random"
    DET_RANDINT = "det.randint"
    DET_CHOICE = "det.choice"
    DET_UUID4 = "det.uuid4"
    READ_TEXT = "read_text"
    WRITE_TEXT = "write_text"
    FORK = "FORK"
    JOIN = "JOIN"
    REWIND = "REWIND"
    PAUSED = "PAUSED"
    UNRECOVERABLE = "UNRECOVERABLE"
    RESUME = "RESUME"  # one per resume attempt: when, with which flags, which godel version
    INVALIDATE = "INVALIDATE"  # a replay mismatch invalidated cached events
    REPAIR = "REPAIR"  # a `godel repair` of this run (or a change made through `godel mcp`)
    # the tool calls of a repair run (godel.repair.tools): one event per call
    REPAIR_READ_FILE = "repair.read_file"
    REPAIR_EDIT_FILE = "repair.edit_file"
    REPAIR_RUN_LINT = "repair.run_lint"
    REPAIR_REWIND = "repair.rewind"
    REPAIR_ANSWER_INPUT = "repair.answer_input"
    REPAIR_RESUME = "repair.resume"
    REPAIR_GIVE_UP = "repair.give_up"


# Keys left out of the request hash: they describe how a call is made, not what it asks for.
HASH_EXCLUDED_KEYS = frozenset(
    {
        "source_hash",
        "auto_checkpoint",
        "assumed_idempotent_source",
        "idempotent",
        "session_id",
        "replay",
    }
)


def canonical_json(value: Any) -> str:
    """Sorted keys, compact separators, ASCII: the form that is hashed."""
    return canonical(value)


def compute_request_hash(request: dict[str, Any]) -> str:
    """SHA-256 hex of the canonical request, without the excluded keys."""
    if HASH_EXCLUDED_KEYS.isdisjoint(request):
        filtered = request
    else:
        filtered = {k: v for k, v in request.items() if k not in HASH_EXCLUDED_KEYS}
    from hashlib import sha256  # imported when used: readers of a log never hash

    return sha256(canonical_json(filtered).encode()).hexdigest()


def utc_now() -> str:
    """ISO-8601 UTC timestamp with offset, as every event carries."""
    return datetime.now(timezone.utc).isoformat()


def from_iso(text: str) -> datetime:
    """``datetime.fromisoformat`` as Python 3.11 reads it: on 3.10 too, a ``Z`` offset and a
    fraction of any number of digits (3.10 takes only what ``isoformat()`` writes)."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        if sys.version_info >= (3, 11):
            raise
        import re

        if text[-1:] in ("Z", "z"):
            text = text[:-1] + "+00:00"
        text = re.sub(r"\.(\d+)", lambda m: "." + (m[1] + "00000")[:6], text, count=1)
        return datetime.fromisoformat(text)


# Durations in `show` and `tail` parse two stamps an event: without a frame of ours on 3.11+.
_from_iso = datetime.fromisoformat if sys.version_info >= (3, 11) else from_iso


def parse_ts(ts: str | None) -> datetime | None:
    """An event timestamp as an aware datetime (None if missing or unreadable)."""
    if not ts:
        return None
    try:
        return from_iso(ts)
    except ValueError:
        return None


def seconds_between(start: str | None, end: str | None) -> float | None:
    """``end - start`` in seconds, or None when either is missing."""
    # parse_ts twice, inlined: `show` and `tail` take the duration of every event.
    if not start or not end:
        return None
    try:
        a, b = _from_iso(start), _from_iso(end)
    except ValueError:
        return None
    try:
        seconds = (b - a).total_seconds()
    except TypeError:  # one naive, one aware: a hand-edited log
        return None
    return seconds if seconds > 0.0 else 0.0  # max(0.0, seconds), without the builtin's cost


@dataclass(slots=True, eq=False)
class Event:
    """One event of a run. On disk it is one JSON line per state transition.

    ``children_ids`` is not stored: the loaded log derives it from ``parent_id``.
    """

    event_id: str
    run_id: str
    seq: int
    op: str = ""
    status: EventStatus = EventStatus.STARTED
    parent_id: str | None = None
    step_path: tuple[str, ...] = ()
    invocation_seq: int = 0
    step_local_seq: int = 0
    request_hash: str = ""
    request: dict[str, Any] = field(default_factory=dict)
    response: dict[str, Any] | None = None
    ts_start: str = ""
    ts_end: str | None = None
    stream_path: list[str] = field(default_factory=list)
    children_ids: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[tuple[str, ...], int, int, str]:
        """The replay identity: ``(step_path, invocation_seq, step_local_seq, op)``."""
        return (self.step_path, self.invocation_seq, self.step_local_seq, self.op)

    def to_dict(self) -> dict[str, Any]:
        """The on-disk shape (``children_ids`` excluded; see the class docstring)."""
        return {
            "event_id": self.event_id,
            "run_id": self.run_id,
            "seq": self.seq,
            "parent_id": self.parent_id,
            "step_path": list(self.step_path),
            "invocation_seq": self.invocation_seq,
            "step_local_seq": self.step_local_seq,
            "op": self.op,
            "request_hash": self.request_hash,
            "request": self.request,
            "response": self.response,
            "status": self.status.value,
            "ts_start": self.ts_start,
            "ts_end": self.ts_end,
            "stream_path": self.stream_path,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        """Build from a log line; unknown keys are ignored, missing optional keys default."""
        try:
            status = EventStatus(data["status"])
            return cls(
                event_id=data["event_id"],
                run_id=data["run_id"],
                seq=int(data["seq"]),
                op=data.get("op", ""),
                status=status,
                parent_id=data.get("parent_id") or data.get("parent_event_id"),
                step_path=tuple(data.get("step_path") or ()),
                invocation_seq=int(data.get("invocation_seq", 0)),
                step_local_seq=int(data.get("step_local_seq", 0)),
                request_hash=data.get("request_hash", ""),
                request=data.get("request") or {},
                response=data.get("response"),
                ts_start=data.get("ts_start", ""),
                ts_end=data.get("ts_end"),
                stream_path=list(data.get("stream_path") or ()),
            )
        except KeyError as exc:
            raise ValueError(f"event is missing the required field {exc.args[0]!r}") from None
