"""A repair is a run of its own: the ``repair`` workflow, and ``run_repair`` that starts it.

The repair run's audit log sits in the same runs directory (or store) as the run it repairs
(``godel runs list`` shows both). Its arguments are plain values (the run id, the agent,
backend, model, iteration limit and the backup folder number), so it can be resumed like any
run. Its first
step records the repair context; then the agent runs, and every tool call is one of its events.

The repaired run's log gets a ``REPAIR`` event: STARTED when the repair begins (naming the repair
run), FINISHED with the outcome, the reason and the edited files when it ends, FAILED if the agent
crashed. The repaired run stays locked meanwhile, so nobody resumes it under the agent's feet.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from godel.engine.step import step
from godel.engine.workflow import workflow
from godel.repair.context import RepairContext, build_context

__all__ = [
    "AgentSpecError",
    "RepairResult",
    "load_agent",
    "repair",
    "run_repair",
]

DEFAULT_AGENT = "default"
_progress: ContextVar[Callable[[str], None] | None] = ContextVar(
    "godel_repair_progress", default=None
)


class AgentSpecError(ValueError):
    """``--agent MODULE:FUNCTION`` names nothing usable."""


def load_agent(spec: str) -> Callable[..., Any]:
    """The agent function ``spec`` names: ``default`` or ``module:function`` (the working
    directory is importable). ``AgentSpecError`` says why it cannot be used."""
    if spec == DEFAULT_AGENT:
        from godel.repair.agent import default_agent

        return default_agent
    module_name, colon, attr = spec.rpartition(":")
    if not colon or not module_name or not attr:
        raise AgentSpecError(f"--agent must be MODULE:FUNCTION, got {spec!r}")
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.append(cwd)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # an import error, or anything the module raises
        raise AgentSpecError(
            f"cannot import {module_name!r}: {type(exc).__name__}: {exc}"
        ) from None
    fn = getattr(module, attr, None)
    if fn is None:
        raise AgentSpecError(f"module {module_name!r} has no attribute {attr!r}")
    if not inspect.iscoroutinefunction(fn):
        raise AgentSpecError(
            f"{spec} is not an async function: async def {attr}(ctx, tools, **opts)"
        )
    return fn  # type: ignore[no-any-return]


@step(name="context")
async def _gather(run_id: str, runs_dir: str) -> dict[str, Any]:
    # ``runs_dir`` names where both runs live (a store by its URL without a password, which
    # must stay out of the log); the location itself is the repair run's own.
    from godel.engine.context import get_event_log

    return build_context(run_id, get_event_log().runs_dir).to_dict()


@workflow
async def repair(
    run_id: str,
    session: int,
    agent: str = DEFAULT_AGENT,
    backend: str = "claude_code",
    model: str | None = None,
    max_iterations: int = 8,
) -> dict[str, Any]:
    """Repair run ``run_id`` with ``agent``; the result is ``{"outcome", "reason", ...}``."""
    from godel.engine.context import get_event_log
    from godel.log import EventLog, Op
    from godel.repair.models import RepairEnded
    from godel.repair.tools import RepairTools, read_manifest
    from godel.store import store_name

    own = get_event_log()
    location = own.runs_dir  # the runs dir, or the store both runs live in
    named = str(location) if isinstance(location, Path) else store_name(location)
    ctx = RepairContext.from_dict(await _gather(run_id, named))
    fn = load_agent(agent)
    progress = _progress.get()
    session_dir = Path(ctx.runs_dir) / run_id / "repair" / str(session)  # files of this machine
    target = EventLog.open(run_id, location)
    try:
        event = target.start(
            Op.REPAIR,
            request={
                "repair_run_id": own.run_id,
                "agent": agent,
                "backend": backend if agent == DEFAULT_AGENT else None,
                "model": model,
                "max_iterations": max_iterations,
                "backups": str(session_dir),
            },
            parent_id=next((e.event_id for e in target if e.op == Op.WORKFLOW_STARTED), None),
            invocation_seq=-1,
            step_local_seq=-1,
            sync=True,
        )
        tools = RepairTools(ctx, log=target, session_dir=session_dir, progress=progress)
        options: dict[str, Any] = {
            "backend": backend,
            "model": model,
            "max_iterations": max_iterations,
        }
        if agent == DEFAULT_AGENT:
            options["progress"] = progress
        try:
            returned = await fn(ctx, tools, **options)
        except RepairEnded as exc:  # godel-py agents raise ResumeRequested / GaveUp
            returned = {"outcome": exc.outcome, "reason": exc.reason}
        except BaseException as exc:
            from godel.engine.interrupt import interruption

            why = interruption(exc)  # Ctrl+C or a kill: said as the repair run says it
            if why is not None:
                target.fail(event, why, error_type="Interrupted", interrupted=True)
            else:
                target.fail(event, exc)
            raise
        result = _decide(tools, returned)
        result["edits"] = read_manifest(session_dir)["edits"] if session_dir.is_dir() else {}
        target.finish(event, {**result, "repair_run_id": own.run_id}, sync=True)
        return result
    finally:
        target.close()


def _decide(tools: Any, returned: Any) -> dict[str, Any]:
    """The outcome: what the tools recorded (resume / give_up), else what the agent returned."""
    if tools.outcome is not None:
        out = {"outcome": tools.outcome.outcome, "reason": tools.outcome.reason}
        if isinstance(returned, dict) and "iterations" in returned:
            out["iterations"] = returned["iterations"]
        return out
    if isinstance(returned, dict) and returned.get("outcome") in ("resume", "give_up"):
        return {k: v for k, v in returned.items() if k in ("outcome", "reason", "iterations")}
    return {"outcome": "unexpected", "reason": repr(returned)}


@dataclass
class RepairResult:
    """How ``run_repair`` ended: the outcome, and where the repair's records are."""

    outcome: str
    reason: str
    repair_run_id: str
    iterations: int | None = None
    edits: dict[str, Any] = field(default_factory=dict)
    session_dir: Path | None = None


async def run_repair(
    ctx: RepairContext,
    *,
    agent: str = DEFAULT_AGENT,
    backend: str = "claude_code",
    model: str | None = None,
    max_iterations: int = 8,
    progress: Callable[[str], None] | None = None,
    on_start: Callable[[str, Path], None] | None = None,
) -> RepairResult:
    """Repair the run of ``ctx`` as a new repair run (see the module docstring).

    Raises whatever the agent raised (the repair run and the ``REPAIR`` event record it as
    FAILED), and ``godel.log.RunLockedError`` when the run is in use.
    """
    from godel.engine import RunOptions, execute
    from godel.repair.tools import allocate_session_dir

    runs_dir = Path(ctx.runs_dir)
    session_dir = allocate_session_dir(ctx.run_id, runs_dir)
    spec = repair.__godel_workflow__  # type: ignore[attr-defined]
    spec.source_file = str(Path(__file__).resolve())
    ids: list[str] = []

    def started(run_id: str, path: Path) -> None:
        ids.append(run_id)
        if on_start is not None:
            on_start(run_id, path)

    token = _progress.set(progress)
    try:
        result = await execute(
            spec,
            (ctx.run_id, int(session_dir.name)),
            {"agent": agent, "backend": backend, "model": model, "max_iterations": max_iterations},
            RunOptions(runs_dir=ctx.location(), on_start=started),
        )
    finally:
        _progress.reset(token)
    return RepairResult(
        outcome=str(result.get("outcome")),
        reason=str(result.get("reason", "")),
        repair_run_id=ids[0] if ids else "",
        iterations=result.get("iterations"),
        edits=dict(result.get("edits") or {}),
        session_dir=session_dir,
    )
