"""Runtime state of a workflow run: the run (one per attempt) and frames (one per scope).

A *frame* is where code runs: the workflow body (root), a step invocation, the fork of a
``parallel`` call, or one branch of it. Each frame counts its own operations and child step
calls, so identities never depend on how concurrent branches interleave.

A frame that is being *replayed* (its event is already in the log from an earlier attempt)
writes nothing until something inside it has to run live; then it is *materialised*: a new
event at the same key is written, and the live events hang below it. A live step is
materialised the same way, when something inside it is recorded or when it first waits; a
step that does neither is written once, as it ends (``godel.engine.step``).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from godel.engine.keys import ROOT_KEY, KeyTable
from godel.log.events import Event, EventStatus, Op

if TYPE_CHECKING:
    from collections.abc import Mapping

    from godel.cost.budget import RunCosts
    from godel.engine.interrupt import StopToken
    from godel.log.eventlog import EventLog
    from godel.log.redact import Redactor
    from godel.log.transcript import Transcript
    from godel.replay.policy import ReplayPolicy


@dataclass
class RunState:
    """One attempt of one run: the log, the replay cache and the run-wide options."""

    log: EventLog
    root_event: Event
    keys: KeyTable = field(default_factory=KeyTable)
    cache: dict[int, Event] = field(default_factory=dict)
    transcript: Transcript | None = None
    policy: ReplayPolicy | None = None
    source_file: str = ""
    auto_checkpoint: str = ""
    pause_check: Any = None  # callable() -> None, raises PauseSignal when a pause was requested
    settled: set[str] = field(default_factory=set)  # handled failures (godel.replay.failures)
    redactor: Redactor | None = None  # the one the log and the transcript write through
    costs: RunCosts | None = None  # the budget and what a resume saved (godel.cost.budget)
    answers: Any = None  # godel test: effects answered from a recording by request (godel.plan)
    # The configuration's `env` as the run read it when it started: every command and agent
    # call adds it (None: read the configuration at each call, as outside a run).
    command_env: Mapping[str, str] | None = None
    _below: tuple[Any, dict[str, list[Event]]] | None = field(default=None, repr=False)

    @property
    def run_id(self) -> str:
        return self.log.run_id

    def cached_children(self, event_id: str) -> list[Event]:
        """The replay cache's events whose parent is ``event_id`` (indexed on first use, again
        after a rewind rebuilt the cache)."""
        if self._below is None or self._below[0] is not self.cache:
            index: dict[str, list[Event]] = {}
            for ev in self.cache.values():
                if ev.parent_id is not None:
                    index.setdefault(ev.parent_id, []).append(ev)
            self._below = (self.cache, index)
        return self._below[1].get(event_id, [])


class Frame:
    """A scope in which steps and primitives run (see the module docstring)."""

    __slots__ = (
        "_children",
        "_ops",
        "cached",
        "event",
        "fork_request",
        "idempotent",
        "invocation_seq",
        "key",
        "kind",
        "local_seq",
        "parent",
        "request",
        "run",
        "scope",
        "settled",
        "started",
        "step_path",
        "stop",
        "timeout",
    )

    def __init__(
        self,
        run: RunState,
        kind: str,
        *,
        parent: Frame | None,
        step_path: tuple[str, ...],
        invocation_seq: int,
        key: int,
        local_seq: int = 0,
        request: dict[str, Any] | None = None,
        cached: Event | None = None,
        event: Event | None = None,
        scope: Frame | None = None,
    ) -> None:
        self.run = run
        self.kind = kind  # "root" | "step" | "fork" | "branch"
        self.parent = parent
        self.step_path = step_path
        self.invocation_seq = invocation_seq
        self.key = key  # key of this frame's scope event
        self.local_seq = local_seq  # position of the scope event in the parent frame
        self.request = request
        self.cached = cached  # the scope event from an earlier attempt, when replaying
        self.event = event  # the scope event written by this attempt
        self.scope = scope  # branches share their fork's scope event
        self.idempotent = False  # @step(idempotent=True): in-flight effects may re-run on resume
        # The recorded outcome of this scope is replayed, so every failure recorded inside it
        # was handled: replay those as failures (godel.replay.failures).
        self.settled = False
        # The stop flag of the innermost ``parallel`` fork around this frame (None outside any):
        # set, nothing new may start here (godel.engine.interrupt).
        self.stop: StopToken | None = parent.stop if parent is not None else None
        self.timeout: tuple[Any, float] | None = None  # a step's (cancel scope, seconds)
        self.started: int | None = None  # time.time_ns() a live step began (its ts_start)
        self._ops = 0
        self._children: dict[str, int] = {}

    # identity ------------------------------------------------------------------------------
    def next_local(self) -> int:
        """Position of the next operation in this frame."""
        n = self._ops
        self._ops = n + 1
        return n

    def upcoming_local(self) -> int:
        """The position ``next_local`` would give next, not claimed."""
        return self._ops

    def next_invocation(self, name: str) -> int:
        """How many times this frame already called the step ``name``."""
        n = self._children.get(name, 0)
        self._children[name] = n + 1
        return n

    def op_key(self, op: str, local: int) -> int:
        return self.run.keys.key(self.key, self.step_path, self.invocation_seq, local, op)

    # materialisation -------------------------------------------------------------------------
    def scope_id(self) -> str:
        """Event id to use as ``parent_id`` for live events in this frame (written on demand)."""
        if self.scope is not None:
            return self.scope.scope_id()
        if self.event is None:
            self.event = self._materialise()
        return self.event.event_id

    def _materialise(self) -> Event:
        assert self.parent is not None, "the root frame is always materialised"
        parent_id = self.parent.scope_id()
        op = Op.STEP_ENTER if self.kind == "step" else Op.FORK
        return self.run.log.start(
            op,
            request=self.request or {},
            step_path=self.step_path if self.kind == "step" else self.parent.step_path,
            parent_id=parent_id,
            invocation_seq=self.invocation_seq,
            step_local_seq=self.local_seq,
            started_ns=self.started,
        )

    @property
    def is_live(self) -> bool:
        return self.event is not None or (self.scope is not None and self.scope.is_live)


run_var: ContextVar[RunState | None] = ContextVar("godel_run", default=None)
frame_var: ContextVar[Frame | None] = ContextVar("godel_frame", default=None)


def current_run() -> RunState | None:
    """The run of the calling task, or None outside a workflow."""
    return run_var.get()


def current_frame() -> Frame | None:
    """The frame of the calling task, or None outside a workflow."""
    return frame_var.get()


def root_frame(run: RunState) -> Frame:
    """The workflow body's frame."""
    return Frame(
        run, "root", parent=None, step_path=(), invocation_seq=0, key=ROOT_KEY, event=run.root_event
    )


def lookup(run: RunState, key: int) -> Event | None:
    """The event an earlier attempt recorded at ``key`` (latest, not invalidated), if any."""
    ev = run.cache.get(key)
    if ev is not None and ev.status is EventStatus.INVALIDATED:
        return None
    return ev


def get_event_log() -> EventLog:
    """The audit log of the running workflow (raises RuntimeError outside a @workflow)."""
    run = run_var.get()
    if run is None:
        raise RuntimeError("get_event_log called outside a @workflow")
    return run.log
