"""What state a run is in, and a short summary of it: the one classifier every reader uses.

``show``, ``tail`` and ``runs list`` all ask this module, so they never disagree about a run.
The rule (``classify``):

- the root ``WORKFLOW_STARTED`` event is reused by every attempt and gets a terminal line
  (FINISHED, FAILED or PAUSED) at the end of each one. When its latest state is terminal and
  that state is newer than the last ``RESUME`` (so it ended the current attempt), the run has
  that status;
- otherwise the run is RUNNING if a live process holds its run lock, and CRASHED if nobody
  does (the writer died without recording an end).

A ``RunTracker`` is fed events, either every line in file order (``tail``, ``summarize``) or
each event once in its latest state (a loaded ``EventLog``); it keeps only what the summary
needs, so summarising a log needs memory for its failures, not for its events.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from godel.cost.ledger import CostTracker
from godel.log.events import Event, EventStatus, Op, seconds_between, utc_now
from godel.log.files import check_run_id, log_path, resolve_runs_dir
from godel.log.lock import lock_held
from godel.log.reader import LogReader

if TYPE_CHECKING:
    from godel.cost.totals import CostTotals
    from godel.log.eventlog import EventLog

__all__ = [
    "Failure",
    "FailureCause",
    "RunStatus",
    "RunSummary",
    "RunTracker",
    "classify",
    "summarize",
    "summarize_log",
]


class RunStatus(str, Enum):
    """The state of a whole run."""

    RUNNING = "RUNNING"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    PAUSED = "PAUSED"
    CRASHED = "CRASHED"
    UNKNOWN = "UNKNOWN"  # the log could not be read

    def __str__(self) -> str:
        return self.value


_ROOT_TERMINAL = {
    EventStatus.FINISHED: RunStatus.FINISHED,
    EventStatus.FAILED: RunStatus.FAILED,
    EventStatus.PAUSED: RunStatus.PAUSED,
}


def classify(root: Event | None, *, attempt_ended: bool, locked: bool) -> RunStatus:
    """The run status from its root event's latest state (see the module docstring).

    ``attempt_ended``: the root's terminal state belongs to the latest attempt (no RESUME
    after it). ``locked``: a live process holds the run lock.
    """
    if root is not None and attempt_ended:
        status = _ROOT_TERMINAL.get(root.status)
        if status is not None:
            return status
    return RunStatus.RUNNING if locked else RunStatus.CRASHED


@dataclass(frozen=True)
class FailureCause:
    """The innermost FAILED event that a run's failure came from."""

    event_id: str
    op: str
    step_path: tuple[str, ...]
    error: str
    error_type: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "op": self.op,
            "step_path": list(self.step_path),
            "error": self.error,
            "error_type": self.error_type,
        }


@dataclass(frozen=True)
class Failure:
    """Why a run failed: the root's error, and the event it started from (None when the
    workflow body itself raised)."""

    error: str
    error_type: str
    cause: FailureCause | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": self.error,
            "error_type": self.error_type,
            "cause": self.cause.to_dict() if self.cause else None,
        }


@dataclass(frozen=True)
class RunSummary:
    """One run at a glance.

    ``started`` is the first attempt's start. ``ended`` is the root's end for a finished,
    failed or paused run, the last event's time for a crashed one, and None while running, so
    the duration of a run that is not running never grows with the clock.
    """

    run_id: str
    workflow: str
    status: RunStatus
    started: str | None = None
    ended: str | None = None
    attempts: int = 1
    failure: Failure | None = None
    warnings: tuple[str, ...] = ()
    cost: CostTotals | None = None
    """Tokens and USD of the run's agent calls, spent and saved (``godel.cost``)."""

    def duration(self, now: str | None = None) -> float | None:
        """Seconds from start to end; a running run is measured to ``now`` (default: now)."""
        end = self.ended
        if end is None and self.status is RunStatus.RUNNING:
            end = now or utc_now()
        return seconds_between(self.started, end)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "workflow": self.workflow,
            "status": self.status.value,
            "started": self.started,
            "ended": self.ended,
            "duration": self.duration(),
            "attempts": self.attempts,
            "failure": self.failure.to_dict() if self.failure else None,
            "warnings": list(self.warnings),
            "cost": self.cost.to_dict() if self.cost is not None else None,
        }

    @classmethod
    def unknown(cls, run_id: str, reason: str) -> RunSummary:
        """The summary of a log that could not be read."""
        return cls(run_id, "<unknown>", RunStatus.UNKNOWN, warnings=(reason,))


_TRACKED_OPS = frozenset({Op.WORKFLOW_STARTED, Op.RESUME, Op.AGENT_CALL})
_FAILED = EventStatus.FAILED


@dataclass
class RunTracker:
    """Accumulates what a run summary needs from events fed one at a time.

    Feed every line in file order, or every event once in its latest state: the result is the
    same (latest states win; times are compared, not positions).
    """

    root: Event | None = None
    resume_ids: set[str] = field(default_factory=set)
    last_resume_ts: str = ""
    last_ts: str = ""
    failed: dict[str, Event] = field(default_factory=dict)
    costs: CostTracker | None = field(default_factory=CostTracker)  # None: not counted
    _root_ended_line: bool = False

    def feed(self, ev: Event) -> None:
        """Take one event state into account."""
        op = ev.op
        if op in _TRACKED_OPS:  # most events are none of these: one set lookup for them
            if (
                op == Op.WORKFLOW_STARTED
                and ev.parent_id is None
                and (self.root is None or self.root.event_id == ev.event_id)
            ):
                self.root = ev
                self._root_ended_line = ev.status in _ROOT_TERMINAL
            elif op == Op.RESUME:
                self.resume_ids.add(ev.event_id)
                if ev.ts_start > self.last_resume_ts:
                    self.last_resume_ts = ev.ts_start
                self._root_ended_line = False
                if self.costs is not None:
                    self.costs.feed(ev)
            elif op == Op.AGENT_CALL and self.costs is not None:
                self.costs.feed(ev)
        # ISO-8601 UTC stamps as godel writes them sort as text: no parsing on this hot path.
        ts = ev.ts_end or ev.ts_start
        if ts > self.last_ts:
            self.last_ts = ts
        if ev.status is _FAILED:
            self.failed[ev.event_id] = ev
        elif self.failed and ev.event_id in self.failed:
            del self.failed[ev.event_id]  # a later state (INVALIDATED) replaced the failure

    @property
    def attempts(self) -> int:
        """1 + the number of resumes."""
        return 1 + len(self.resume_ids)

    @property
    def attempt_ended(self) -> bool:
        """The root's latest state is terminal and no resume started after it."""
        root = self.root
        if root is None or root.status not in _ROOT_TERMINAL:
            return False
        return (root.ts_end or "") >= self.last_resume_ts

    @property
    def ended_in_line_order(self) -> bool:
        """Like ``attempt_ended``, judged by line order: the last root line was terminal and no
        RESUME line followed it (what a follower of the file needs)."""
        return self._root_ended_line

    def summary(
        self,
        run_id: str,
        *,
        locked: bool,
        header: dict[str, Any] | None = None,
        warnings: list[str] | tuple[str, ...] = (),
    ) -> RunSummary:
        """The summary of what was fed; ``locked`` says whether a live process holds the run."""
        header = header or {}
        root = self.root
        workflow = str(
            header.get("workflow") or (root.request.get("function") if root else "") or "<unknown>"
        )
        if root is None:
            if locked:  # a run that is starting
                return RunSummary(run_id, workflow, RunStatus.RUNNING, warnings=tuple(warnings))
            # Nothing began: there is nothing to resume either.
            why = "no WORKFLOW_STARTED event" if header else "no header and no events"
            return RunSummary(
                run_id, workflow, RunStatus.UNKNOWN, warnings=(*warnings, f"the log holds {why}")
            )
        ended = self.attempt_ended
        status = classify(root, attempt_ended=ended, locked=locked)
        started = root.ts_start if root is not None else header.get("created")
        if ended:
            end = root.ts_end if root is not None else None
        elif status is RunStatus.CRASHED:
            end = self.last_ts or started
        else:
            end = None
        failure = self._failure() if status is RunStatus.FAILED else None
        return RunSummary(
            run_id,
            workflow,
            status,
            started,
            end,
            self.attempts,
            failure,
            tuple(warnings),
            self.costs.totals() if self.costs is not None else None,
        )

    def _failure(self) -> Failure | None:
        root = self.root
        if root is None:
            return None
        resp = root.response or {}
        error, kind = str(resp.get("error", "")), str(resp.get("error_type", ""))
        cause = self._cause(root, error)
        return Failure(error, kind, cause)

    def _cause(self, root: Event, error: str) -> FailureCause | None:
        """Walk down from the root through FAILED children carrying the same error (the same
        exception propagating up), within the latest attempt; the deepest one is the cause."""
        since = self.last_resume_ts
        children: dict[str, list[Event]] = {}
        for ev in self.failed.values():
            # A failed JOIN only repeats its FORK's failure; the FORK leads to the branch.
            if ev.parent_id is not None and ev.ts_start >= since and ev.op != Op.JOIN:
                children.setdefault(ev.parent_id, []).append(ev)
        node, found = root, None
        while True:
            kids = children.get(node.event_id, ())
            matching = [c for c in kids if str((c.response or {}).get("error", "")) == error]
            if not matching:
                # A failed FORK records "<k> branch(es) failed", not the error: look inside it.
                matching = [c for c in kids if c.op == Op.FORK]
                if not matching:
                    break
                node = max(matching, key=lambda c: c.seq)
                continue
            node = max(matching, key=lambda c: c.seq)  # the latest, if one was caught and retried
            found = node
        if found is None:
            return None
        resp = found.response or {}
        return FailureCause(
            found.event_id,
            found.op,
            tuple(found.step_path),
            str(resp.get("error", "")),
            str(resp.get("error_type", "")),
        )


def summarize_log(log: EventLog, *, costs: bool = True) -> RunSummary:
    """The summary of a loaded log (``show``), with the live lock state; ``costs=False``
    leaves ``cost`` None (``show`` takes it from its ``godel.cost.Ledger``)."""
    tracker = RunTracker(costs=CostTracker() if costs else None)
    for ev in log:
        tracker.feed(ev)
    return tracker.summary(
        log.run_id,
        locked=lock_held(log.run_id, log.runs_dir),
        header=log.header,
        warnings=log.warnings,
    )


def summarize(run_id: str, runs_dir: str | os.PathLike[str] | None = None) -> RunSummary:
    """The summary of run ``run_id``, read in one linear pass in fixed-size chunks.

    Raises ``FileNotFoundError`` if there is no such log and ``CorruptLogError`` (or
    ``LogFormatError``) when ``EventLog.load`` would refuse it too; a torn last line is
    ignored with a warning in ``RunSummary.warnings``.
    """
    directory = resolve_runs_dir(runs_dir)
    warnings: list[str] = []
    tracker = RunTracker()
    if hasattr(directory, "run_store"):  # a godel.store.Store: its rows, parsed the same way
        from godel.store.reader import StoreReader

        opened: LogReader = StoreReader(
            directory, check_run_id(run_id), strict=True, on_warning=warnings.append
        )
    else:
        path = log_path(directory, check_run_id(run_id))
        opened = LogReader(path, strict=True, on_warning=warnings.append)
    with opened as reader:
        while True:
            events = reader.read_chunk()
            if events is None:
                break
            for ev in events:
                tracker.feed(ev)
        reader.finish()
        header = reader.header
    return tracker.summary(
        run_id, locked=lock_held(run_id, directory), header=header, warnings=warnings
    )
