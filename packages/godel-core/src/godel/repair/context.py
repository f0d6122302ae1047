"""What a repair agent is shown about a run that stopped: ``build_context``.

Everything is read from the run's audit log (read-only, no lock) and from the files it names;
the result is plain data (``to_dict`` / ``to_json``) so that it can be recorded, printed
(``godel repair --dry-run``) and served over MCP. Only a PAUSED or FAILED run can be repaired:
a finished run needs nothing, a running one belongs to its process, and a crashed one is
resumed (``godel resume``), not repaired.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from godel.log.events import Event, EventStatus, Op

__all__ = [
    "REPAIRABLE",
    "FailureInfo",
    "PendingInput",
    "RepairContext",
    "RepairStateError",
    "SourceFile",
    "build_context",
    "compact_event",
    "project_root_for",
]

REPAIRABLE = ("PAUSED", "FAILED")
LAST_EVENTS = 20
TRANSCRIPT_LINES = 40
MAX_SOURCE_BYTES = 200_000  # a source larger than this is listed without its content
_EXCERPT = 300


class RepairStateError(ValueError):
    """The run is not in a state a repair can help (not PAUSED or FAILED)."""

    def __init__(self, run_id: str, state: str) -> None:
        super().__init__(f"refusing to repair run in state '{state}' (expected PAUSED or FAILED)")
        self.run_id = run_id
        self.state = state


@dataclass
class FailureInfo:
    """Where and why the run failed: the innermost failed event and its error."""

    event_id: str
    op: str
    step_path: list[str]
    error_type: str
    error: str
    hint: str = ""
    source_location: str = ""


@dataclass
class PendingInput:
    """An ``input()`` the run stopped at (paused while it waited, or failed): ``answer_input``
    answers it."""

    event_id: str
    prompt: str
    status: str
    schema_name: str | None = None
    schema: dict[str, Any] | None = None


@dataclass
class SourceFile:
    """A source file of the workflow: ``path`` relative to the project root."""

    path: str
    sha256: str
    content: str | None  # None when too large or unreadable (read it with read_file)
    size: int = 0


@dataclass
class RepairContext:
    """A stopped run, as a repair agent sees it (JSON-serialisable)."""

    run_id: str
    state: str
    runs_dir: str
    log_path: str
    workflow: str
    workflow_file: str
    project_root: str
    workflow_args: dict[str, Any]
    failure: FailureInfo | None = None
    pause_reason: str | None = None
    pending_input: PendingInput | None = None
    sources: list[SourceFile] = field(default_factory=list)
    last_events: list[dict[str, Any]] = field(default_factory=list)
    transcript_tail: list[dict[str, Any]] = field(default_factory=list)
    # The store the run lives in, by its URL without a password ("" for the runs dir's files);
    # runs_dir is then this machine's runs dir, where the repair's backups go.
    store: str = ""

    def location(self) -> Any:
        """Where the run lives, as ``godel.log`` takes it: its runs dir, or its store (the
        configured one: ``--store``, ``$GODEL_STORE``, which must be the one named here)."""
        if not self.store:
            return Path(self.runs_dir)
        from godel.store import StoreError, resolve_store, store_name

        store = resolve_store()
        if store_name(store) != self.store:
            raise StoreError(
                f"run {self.run_id} lives in {self.store}, not in the configured store "
                f"{store_name(store)}: pass --store"
            )
        return store.location

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @property
    def paused_input_prompt(self) -> str | None:
        """godel-py's name for the prompt of the input the run is paused at."""
        return self.pending_input.prompt if self.pending_input else None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RepairContext:
        data = dict(data)
        if data.get("failure"):
            data["failure"] = FailureInfo(**data["failure"])
        if data.get("pending_input"):
            data["pending_input"] = PendingInput(**data["pending_input"])
        data["sources"] = [SourceFile(**s) for s in data.get("sources") or ()]
        return cls(**data)


def project_root_for(workflow_file: str | os.PathLike[str]) -> Path:
    """The project a run's edits are confined to: the project root of the configuration (the
    nearest ``.godel/`` above the workflow file), else the workflow file's folder.

    The home folder is a project for configuration's sake (its ``.godel/`` is also godel's
    home), but never a confinement: a workflow in ``~/scratch`` would hand the agent
    ``~/.ssh`` and ``~/.bashrc``. Its edits are confined to its own folder instead.
    """
    from godel.config import find_project_root

    folder = Path(workflow_file).resolve().parent
    root = find_project_root(folder)
    if root is None:
        return folder
    root = root.resolve()
    home = Path(os.environ.get("HOME") or Path.home()).resolve()
    return folder if root == home else root


def build_context(
    run_id: str, runs_dir: str | os.PathLike[str] | None = None, *, check_state: bool = True
) -> RepairContext:
    """The repair context of run ``run_id`` (a full id).

    Raises ``FileNotFoundError`` when there is no such log and ``RepairStateError`` when the run
    is neither PAUSED nor FAILED (unless ``check_state=False``, for readers such as ``godel mcp``).
    """
    from godel.log.eventlog import EventLog
    from godel.log.files import resolve_runs_dir
    from godel.runs.status import summarize_log
    from godel.store import store_name

    location = runs_location(runs_dir)
    log = EventLog.load(run_id, location)
    # Backups and the confinement are files of this machine: a stored run's are in its runs dir.
    directory = location if isinstance(location, Path) else resolve_runs_dir(None)
    summary = summarize_log(log)
    state = summary.status.value
    if check_state and state not in REPAIRABLE:
        raise RepairStateError(run_id, state)
    events = log.events
    root = next((e for e in events if e.op == Op.WORKFLOW_STARTED and e.parent_id is None), None)
    request = root.request if root is not None else {}
    workflow_file = str(request.get("source_file") or log.header.get("source_file") or "")
    root_dir = project_root_for(workflow_file) if workflow_file else Path.cwd().resolve()
    failure = _failure(log, root) if state == "FAILED" else None
    return RepairContext(
        run_id=log.run_id,
        state=state,
        runs_dir=str(directory),
        log_path=str(log.path),
        workflow=str(request.get("function") or log.header.get("workflow") or ""),
        workflow_file=workflow_file,
        project_root=str(root_dir),
        workflow_args={"args": request.get("args") or [], "kwargs": request.get("kwargs") or {}},
        failure=failure,
        pause_reason=_pause_reason(root) if state == "PAUSED" else None,
        pending_input=_pending_input(events),
        sources=_sources(workflow_file, root_dir, directory) if workflow_file else [],
        last_events=[compact_event(e) for e in _live(events)[-LAST_EVENTS:]],
        transcript_tail=_transcript_tail(log, failure, location),
        store="" if isinstance(location, Path) else store_name(location),
    )


def runs_location(runs_dir: Any = None) -> Any:
    """A runs dir (a ``Path``) or a store, as ``godel.log`` takes it: ``runs_dir`` when it is a
    store, the runs dir it names, else the configured store (``godel.store.resolve_store``)."""
    from godel.log.files import resolve_runs_dir
    from godel.store import is_store, resolve_store

    if is_store(runs_dir):
        return runs_dir
    if runs_dir in (None, ""):
        return resolve_store().location
    return resolve_runs_dir(runs_dir)


def _live(events: list[Event]) -> list[Event]:
    return [e for e in events if e.status is not EventStatus.INVALIDATED]


def _failure(log: Any, root: Event | None) -> FailureInfo | None:
    from godel.runs.status import summarize_log

    failure = summarize_log(log).failure
    if failure is None:
        return None
    cause = failure.cause
    event = log.get(cause.event_id) if cause is not None else root
    resp = (event.response if event is not None else None) or {}
    root_resp = (root.response if root is not None else None) or {}
    return FailureInfo(
        event_id=event.event_id if event is not None else "",
        op=event.op if event is not None else "",
        step_path=list(event.step_path) if event is not None else [],
        error_type=str(resp.get("error_type") or failure.error_type),
        error=str(resp.get("error") or failure.error),
        hint=str(resp.get("remediation_hint") or root_resp.get("remediation_hint") or ""),
        source_location=str(resp.get("source_location") or root_resp.get("source_location") or ""),
    )


def _pause_reason(root: Event | None) -> str | None:
    if root is None or root.status is not EventStatus.PAUSED:
        return None
    return str((root.response or {}).get("reason") or "")


def _pending_input(events: list[Event]) -> PendingInput | None:
    """The last input event, if it never got its answer (paused, in flight, or failed)."""
    last = next((e for e in reversed(events) if e.op == Op.INPUT), None)
    if last is None or last.status in (EventStatus.FINISHED, EventStatus.INVALIDATED):
        return None
    return PendingInput(
        event_id=last.event_id,
        prompt=str(last.request.get("prompt", "")),
        status=last.status.value,
        schema_name=last.request.get("schema_name"),
        schema=last.request.get("schema"),
    )


def _sources(workflow_file: str, root: Path, runs_dir: Path) -> list[SourceFile]:
    """The workflow file and the project modules it imports, those inside the project only (a
    log that names files elsewhere must not make their text part of a prompt)."""
    from godel.repair.confine import Confinement, RefusedPath
    from godel.strict.closure import project_modules

    confinement = Confinement(root, runs_dir)
    try:
        files = project_modules(workflow_file, project_root=root)
    except (OSError, SyntaxError, ValueError):
        files = [Path(workflow_file)]
    out = []
    for file in files:
        try:
            path = confinement.check(file, must_exist=True)
        except RefusedPath:
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        content = data.decode("utf-8", "replace") if len(data) <= MAX_SOURCE_BYTES else None
        out.append(
            SourceFile(
                path=confinement.shown(path),
                sha256=hashlib.sha256(data).hexdigest(),
                content=content,
                size=len(data),
            )
        )
    return out


def compact_event(ev: Event) -> dict[str, Any]:
    """An event in a few fields, its request and response as short excerpts."""
    out: dict[str, Any] = {
        "event_id": ev.event_id,
        "op": ev.op,
        "status": ev.status.value,
        "step_path": list(ev.step_path),
    }
    request = {
        k: v for k, v in ev.request.items() if k not in ("source_hash", "source_file", "schema")
    }
    if request:
        out["request"] = _excerpt(request)
    if ev.response:
        out["response"] = _excerpt(ev.response)
    return out


def _excerpt(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 3] + "..."


def _transcript_tail(log: Any, failure: FailureInfo | None, location: Any) -> list[dict[str, Any]]:
    """The last transcript lines of the agent call the run failed in (or under)."""
    if failure is None:
        return []
    call = _failing_call(log, failure)
    if call is None or not call.stream_path:
        return []
    prefix = list(call.stream_path)
    lines: list[dict[str, Any]] = []
    for text in _transcript_texts(log, location):
        for raw in text.splitlines():
            try:
                record = json.loads(raw)
            except ValueError:
                continue
            event = record.get("event") if isinstance(record, dict) else None  # a damaged line
            if (
                isinstance(event, dict)
                and list(event.get("stream_path") or [])[: len(prefix)] == prefix
            ):
                lines.append(
                    {
                        k: v
                        for k, v in event.items()
                        if k not in ("ts", "seq", "step_path", "stream_path")
                    }
                )
    return lines[-TRANSCRIPT_LINES:]


def _transcript_texts(log: Any, location: Any) -> Iterator[str]:
    """The run's transcript: its files in a runs dir, or its rows in a store."""
    if not isinstance(location, Path):
        yield b"".join(location.transcript_lines(log.run_id)).decode("utf-8", "replace")
        return
    from godel.log.transcript import transcript_files

    for path in transcript_files(log.run_dir / "transcript.jsonl"):
        try:
            yield path.read_text(errors="replace")
        except OSError:
            continue


def _failing_call(log: Any, failure: FailureInfo) -> Event | None:
    """The failed event if it is an agent call, else the last agent call below it."""
    if not failure.event_id or failure.event_id not in log:
        return None
    from godel.replay.policy import descendants

    event = log.get(failure.event_id)
    if event.op == Op.AGENT_CALL:
        return event  # type: ignore[no-any-return]
    calls = [e for e in descendants(log, event) if e.op == Op.AGENT_CALL]
    return calls[-1] if calls else None
