"""Agent sessions as journaled state: which session a call runs in, decided before it starts.

Rules (see docs/agents.md):

- godel picks every new session id (a UUID) and writes it in the call's STARTED event before
  the CLI starts, so a call that crashed mid-way is resumed *in its session* on ``godel
  resume`` instead of starting over.
- A replayed call takes its session from the log; the agent then continues that session.
- A live call continues the agent's session unless the log shows that the session already
  went further than this point (a rewind or a changed request discarded later turns). Then the
  session is *forked* at the last turn this run kept, so the model never sees a discarded answer.
  Backends that cannot fork start a new session instead, with a warning.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from godel.log.events import EventStatus, Op
from godel.strict.privilege import privileged

if TYPE_CHECKING:
    from godel.log.eventlog import EventLog
    from godel.log.events import Event

from godel.agents.call import SessionMode

__all__ = ["SessionPlan", "new_session_id", "plan_live", "plan_recovery", "session_fields"]


@dataclass(frozen=True)
class SessionPlan:
    """The session a call runs in, and how the CLI gets there."""

    session_id: str
    mode: SessionMode
    turn: int
    fork_of: str | None = None
    resume_at: str | None = None
    recover: bool = (
        False  # re-running a call that was interrupted: try to continue its session first
    )
    note: str = ""  # why the plan differs from the obvious one (a warning for the user)

    def fields(self) -> dict[str, Any]:
        """The session part of the ``agent.call`` request."""
        out: dict[str, Any] = {
            "session_id": self.session_id,
            "session_mode": self.mode,
            "turn": self.turn,
        }
        if self.fork_of:
            out["fork_of"] = self.fork_of
        return out


_FIELDS = ("session_id", "session_mode", "turn", "fork_of")


def session_fields(request: dict[str, Any]) -> dict[str, Any]:
    """The session part of a recorded ``agent.call`` request."""
    return {k: request[k] for k in _FIELDS if k in request}


def new_session_id() -> str:
    """A fresh session id (random UUID: session ids must be unique across runs)."""
    with privileged():
        return str(uuid.uuid4())


def plan_live(
    log: EventLog | None,
    session_id: str | None,
    turn: int,
    cursor: str | None,
    *,
    can_fork: bool,
    exclude: Event | None = None,
) -> SessionPlan:
    """The plan for a call that runs live, continuing ``session_id`` (None: no session yet)."""
    if session_id is None:
        return SessionPlan(new_session_id(), "new", turn)
    if log is None or not _went_further(log, session_id, turn, exclude):
        return SessionPlan(session_id, "resume", turn)
    if can_fork:
        return SessionPlan(new_session_id(), "fork", turn, fork_of=session_id, resume_at=cursor)
    return SessionPlan(
        new_session_id(),
        "new",
        turn,
        note=f"session {session_id} already holds answers this run discarded, and this "
        "backend cannot fork a session: starting a new one",
    )


def plan_recovery(prior: Event, cursor: str | None) -> SessionPlan:
    """Re-run the interrupted (or failed) call ``prior`` in the session it had started."""
    fields = session_fields(prior.request)
    return SessionPlan(
        fields["session_id"],
        fields.get("session_mode", "new"),
        int(fields.get("turn", 0)),
        fork_of=fields.get("fork_of"),
        resume_at=cursor,
        recover=True,
    )


def _went_further(log: EventLog, session_id: str, turn: int, exclude: Event | None) -> bool:
    # A call recorded in this session at this turn or later that answered, was discarded by a
    # rewind, or was cut off mid-answer by a crash means the session's history holds turns this
    # run no longer has. A call that failed does not count: continuing a session after an error
    # is what the CLIs themselves do (and what ``retry`` expects).
    skip = exclude.event_id if exclude is not None else None
    for ev in log:
        if ev.op != Op.AGENT_CALL or ev.event_id == skip or ev.status not in _ANSWERED:
            continue
        req = ev.request
        if int(req.get("turn", -1)) >= turn and session_id in (
            req.get("session_id"),
            (ev.response or {}).get("session_id"),
        ):
            return True
    return False


_ANSWERED = frozenset({EventStatus.FINISHED, EventStatus.INVALIDATED, EventStatus.STARTED})
