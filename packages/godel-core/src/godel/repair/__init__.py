"""Repair: mend a failed or paused run with an agent that acts through confined, recorded tools.

``build_context`` reads what an agent needs to know about the run; ``RepairTools`` is what it acts
through (read and edit the project's files, lint, rewind, answer an input, resume or give up);
``run_repair`` runs an agent (``default_agent``, or any ``async def fn(ctx, tools, **opts)``) as
a repair run with its own audit log. ``godel repair`` and ``godel mcp`` are built on these.
See docs/repair.md.
"""

from __future__ import annotations

from godel.lazy import exports

TYPE_CHECKING = False
if TYPE_CHECKING:
    from godel.repair.agent import ToolCall, default_agent, make_agent
    from godel.repair.confine import Confinement, RefusedPath
    from godel.repair.context import (
        REPAIRABLE,
        FailureInfo,
        PendingInput,
        RepairContext,
        RepairStateError,
        SourceFile,
        build_context,
        compact_event,
        project_root_for,
    )
    from godel.repair.models import (
        TOOLS,
        AnswerInputArgs,
        AnswerInputResult,
        EditFileArgs,
        EditFileResult,
        GaveUp,
        GiveUpArgs,
        Outcome,
        OutcomeResult,
        ReadFileArgs,
        ReadFileResult,
        RepairEnded,
        ResumeArgs,
        ResumeRequested,
        RewindArgs,
        RewindResult,
        RunLintArgs,
        RunLintResult,
        ToolError,
        tool_specs,
    )
    from godel.repair.prompt import defang
    from godel.repair.tools import RepairTools, read_manifest
    from godel.repair.workflow import AgentSpecError, RepairResult, load_agent, run_repair

_EXPORTS = {
    "ToolCall": "agent",
    "default_agent": "agent",
    "make_agent": "agent",
    "Confinement": "confine",
    "RefusedPath": "confine",
    "REPAIRABLE": "context",
    "FailureInfo": "context",
    "PendingInput": "context",
    "RepairContext": "context",
    "RepairStateError": "context",
    "SourceFile": "context",
    "build_context": "context",
    "compact_event": "context",
    "project_root_for": "context",
    "defang": "prompt",
    "TOOLS": "models",
    "AnswerInputArgs": "models",
    "AnswerInputResult": "models",
    "EditFileArgs": "models",
    "EditFileResult": "models",
    "GaveUp": "models",
    "GiveUpArgs": "models",
    "Outcome": "models",
    "OutcomeResult": "models",
    "ReadFileArgs": "models",
    "ReadFileResult": "models",
    "RepairEnded": "models",
    "RepairTools": "tools",
    "ResumeArgs": "models",
    "ResumeRequested": "models",
    "RewindArgs": "models",
    "RewindResult": "models",
    "RunLintArgs": "models",
    "RunLintResult": "models",
    "ToolError": "models",
    "read_manifest": "tools",
    "tool_specs": "models",
    "AgentSpecError": "workflow",
    "RepairResult": "workflow",
    "load_agent": "workflow",
    "run_repair": "workflow",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = exports(__name__, _EXPORTS)
