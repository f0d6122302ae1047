"""What the agent base hands a backend (``AgentCall``) and what it gets back (``AgentResult``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

SessionMode = Literal["new", "resume", "fork"]

__all__ = ["AgentCall", "AgentResult", "SessionMode", "result_record"]


@dataclass(frozen=True)
class AgentCall:
    """One invocation of an agent CLI, fully decided by the base.

    ``session_mode`` says how to treat ``session_id``:

    - ``"new"``: start a new session with exactly this id (``--session-id``);
    - ``"resume"``: continue the existing session ``session_id`` (``--resume``);
    - ``"fork"``: copy the session ``fork_of`` into the new session ``session_id``, keeping
      only the conversation up to and including the message ``resume_at`` when it is given.

    ``system_prompt`` is set when the backend must deliver it on this invocation;
    ``schema`` is the JSON schema when the backend enforces it natively (``native_schema``).
    ``cursor`` is the ``cursor`` that the session's latest answer reported (``AgentResult``;
    None before the first): a backend whose CLI keeps one snapshot per answer (codex) resumes
    from it.
    """

    prompt: str
    model: str | None
    session_id: str
    session_mode: SessionMode = "new"
    fork_of: str | None = None
    resume_at: str | None = None
    system_prompt: str | None = None
    schema: dict[str, Any] | None = None
    tools: tuple[str, ...] | None = None
    skip_permissions: bool = False
    cwd: str | None = None
    cursor: str | None = None


@dataclass
class AgentResult:
    """What one CLI invocation answered (built from the parser's ``agent.result`` record)."""

    text: str = ""
    structured: Any = None
    session_id: str | None = None
    usage: dict[str, int] = field(default_factory=dict)
    cost_usd: float | None = None
    is_error: bool = False
    error: str = ""
    refusal: bool = False
    cursor: str | None = None
    stop_reason: str | None = None
    model: str | None = None
    """The model that answered, when the CLI says (prices a call that reports no cost)."""


_RESULT_FIELDS = (
    "text",
    "structured",
    "session_id",
    "usage",
    "cost_usd",
    "is_error",
    "error",
    "refusal",
    "cursor",
    "stop_reason",
    "model",
)


def result_record(**fields: Any) -> dict[str, Any]:
    """An ``agent.result`` transcript record; parsers emit one when their stream reports the outcome.

    Figures a CLI got wrong are dropped rather than trusted: a ``cost_usd`` that is not a
    finite amount >= 0 (a string, ``NaN``, a negative number), token counts that are not
    counts, a ``session_id`` that is not a string.
    """
    unknown = set(fields) - set(_RESULT_FIELDS)
    if unknown:
        raise TypeError(f"result_record: unknown fields {sorted(unknown)}")
    return {"op": "agent.result", **_sane({k: v for k, v in fields.items() if v is not None})}


def from_record(record: dict[str, Any]) -> AgentResult:
    """The ``AgentResult`` an ``agent.result`` record describes."""
    return AgentResult(**_sane({k: record[k] for k in _RESULT_FIELDS if k in record}))


def _sane(fields: dict[str, Any]) -> dict[str, Any]:
    # The ledger sums these and the budget compares them: a "0.5" would crash the sum, a NaN
    # or a negative cost would make every budget check pass (and NaN is not JSON).
    cost = fields.get("cost_usd")
    if cost is not None and (
        isinstance(cost, bool) or not isinstance(cost, int | float) or not 0 <= cost < math.inf
    ):
        del fields["cost_usd"]
    usage = fields.get("usage")
    if usage is not None:
        fields["usage"] = (
            {
                k: v
                for k, v in usage.items()
                if isinstance(v, int) and not isinstance(v, bool) and v >= 0
            }
            if isinstance(usage, dict)
            else {}
        )
    if "session_id" in fields and not isinstance(fields["session_id"], str):
        del fields["session_id"]
    return fields
