"""godel: a deterministic, event-sourced orchestrator for AI coding-agent workflows.

Public names are loaded on first use (PEP 562), so ``import godel`` stays cheap and loads no
plugin.
"""

from __future__ import annotations

from godel.__about__ import __version__
from godel.lazy import exports

TYPE_CHECKING = False  # not `from typing import ...`: keeps `import godel` cheap
if TYPE_CHECKING:
    from godel import agents, det, parsers
    from godel.config.keys import GodelConfig
    from godel.config.load import LoadedConfig, load_config
    from godel.config.workflows import list_workflows, open_event_log, resolve_workflow
    from godel.engine.context import get_event_log
    from godel.engine.parallel import parallel
    from godel.engine.pause import (
        check_pause_request,
        clear_pause_request,
        pause,
        write_pause_request,
    )
    from godel.engine.retry import retry
    from godel.engine.step import step
    from godel.engine.workflow import resume, workflow
    from godel.exceptions import (
        AgentError,
        AgentRefusal,
        AgentStalled,
        AgentTimeout,
        BudgetExceeded,
        CommandFailure,
        ConfigError,
        ContextOverflowError,
        GodelError,
        GodelStrictError,
        GodelWatchNotInstalledError,
        HumanTimeout,
        NonDeterministicEscape,
        PauseSignal,
        PluginError,
        ResumeError,
        RewindSignal,
        RewindUnsafe,
        SchemaValidationFailure,
        SourceEditedError,
        StepTimeout,
        UnknownPluginError,
        UnsafeResumeError,
        WorkflowFail,
    )
    from godel.hookspecs import hookimpl
    from godel.io import input, print, read_text, sleep, write_text
    from godel.log.eventlog import EventLog
    from godel.log.events import Event, EventStatus, Op
    from godel.plan.resume import plan_resume
    from godel.plugins.manager import get_plugin_manager
    from godel.process.run import CommandResult, run
    from godel.replay.rewind import rewind
    from godel.runs.tail import tail
    from godel.strict.violation import StrictViolation

# public name -> the module (under godel) that defines it
_EXPORTS = {
    "GodelConfig": "config.keys",
    "LoadedConfig": "config.load",
    "load_config": "config.load",
    "list_workflows": "config.workflows",
    "open_event_log": "config.workflows",
    "resolve_workflow": "config.workflows",
    "get_event_log": "engine.context",
    "parallel": "engine.parallel",
    "check_pause_request": "engine.pause",
    "clear_pause_request": "engine.pause",
    "pause": "engine.pause",
    "write_pause_request": "engine.pause",
    "retry": "engine.retry",
    "step": "engine.step",
    "resume": "engine.workflow",
    "workflow": "engine.workflow",
    "AgentError": "exceptions",
    "AgentRefusal": "exceptions",
    "AgentStalled": "exceptions",
    "AgentTimeout": "exceptions",
    "BudgetExceeded": "exceptions",
    "CommandFailure": "exceptions",
    "ConfigError": "exceptions",
    "ContextOverflowError": "exceptions",
    "GodelError": "exceptions",
    "GodelStrictError": "exceptions",
    "GodelWatchNotInstalledError": "exceptions",
    "HumanTimeout": "exceptions",
    "NonDeterministicEscape": "exceptions",
    "PauseSignal": "exceptions",
    "PluginError": "exceptions",
    "ResumeError": "exceptions",
    "RewindSignal": "exceptions",
    "RewindUnsafe": "exceptions",
    "SchemaValidationFailure": "exceptions",
    "SourceEditedError": "exceptions",
    "StepTimeout": "exceptions",
    "StrictViolation": "strict.violation",
    "UnknownPluginError": "exceptions",
    "UnsafeResumeError": "exceptions",
    "WorkflowFail": "exceptions",
    "hookimpl": "hookspecs",
    "input": "io",
    "print": "io",
    "read_text": "io",
    "sleep": "io",
    "write_text": "io",
    "EventLog": "log.eventlog",
    "Event": "log.events",
    "EventStatus": "log.events",
    "Op": "log.events",
    "get_plugin_manager": "plugins.manager",
    "CommandResult": "process.run",
    "run": "process.run",
    "plan_resume": "plan.resume",
    "rewind": "replay.rewind",
    "tail": "runs.tail",
}

# submodules reachable as attributes without an explicit import (``godel.agents.claude_code``)
_SUBMODULES = ("agents", "det", "parsers")

__all__ = ["__version__", "det", "version", *_EXPORTS]


def version() -> str:
    """The installed godel-core version."""
    return __version__


__getattr__, _dir = exports(__name__, _EXPORTS, _SUBMODULES)


def __dir__() -> list[str]:
    return sorted({*_dir(), *_SUBMODULES})
