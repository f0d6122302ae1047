"""godel: a deterministic, event-sourced orchestrator for AI coding-agent workflows.

Public names are loaded on first use (PEP 562), so ``import godel`` stays cheap and loads no
plugin.
"""

from __future__ import annotations

import importlib

from godel.__about__ import __version__

TYPE_CHECKING = False  # not `from typing import ...`: keeps `import godel` cheap

if TYPE_CHECKING:
    from godel import det
    from godel.hookspecs import hookimpl
    from godel.context import get_event_log
    from godel.errors import PluginError, UnknownPluginError
    from godel.events import Event, EventStatus, Op
    from godel.exceptions import (
        AgentError, AgentRefusal, AgentStalled, AgentTimeout, CommandFailure, ConfigError, ContextOverflowError, GodelError, GodelStrictError,
        GodelWatchNotInstalledError, HumanTimeout, NonDeterministicEscape, PauseSignal, ResumeError,
        RewindSignal, RewindUnsafe, SchemaValidationFailure, SourceEditedError, StepTimeout,
        StrictViolation, UnsafeResumeError, WorkflowFail,
    )
    from godel.io import input, print, read_text, sleep, write_text
    from godel.log import EventLog
    from godel.concurrency import parallel
    from godel.plugins import get_plugin_manager
    from godel.process import CommandResult, run
    from godel.retrying import retry
    from godel.steps import step
    from godel.pausing import check_pause_request, clear_pause_request, pause, write_pause_request
    from godel.rewinding import rewind
    from godel.tailing import tail
    from godel.workflows import resume, workflow

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "hookimpl": "godel.hookspecs",
    "workflow": "godel.workflows",
    "resume": "godel.workflows",
    "rewind": "godel.rewinding",
    "tail": "godel.tailing",
    "pause": "godel.pausing",
    "check_pause_request": "godel.pausing",
    "write_pause_request": "godel.pausing",
    "clear_pause_request": "godel.pausing",
    "step": "godel.steps",
    "parallel": "godel.concurrency",
    "retry": "godel.retrying",
    "run": "godel.process",
    "CommandResult": "godel.process",
    "print": "godel.io",
    "input": "godel.io",
    "sleep": "godel.io",
    "read_text": "godel.io",
    "write_text": "godel.io",
    "Event": "godel.events",
    "EventStatus": "godel.events",
    "Op": "godel.events",
    "EventLog": "godel.log",
    "get_event_log": "godel.context",
    "WorkflowFail": "godel.exceptions",
    "CommandFailure": "godel.exceptions",
    "ContextOverflowError": "godel.exceptions",
    "GodelError": "godel.exceptions",
    "ResumeError": "godel.exceptions",
    "UnsafeResumeError": "godel.exceptions",
    "SourceEditedError": "godel.exceptions",
    "ConfigError": "godel.exceptions",
    "AgentRefusal": "godel.exceptions",
    "AgentError": "godel.exceptions",
    "AgentTimeout": "godel.exceptions",
    "AgentStalled": "godel.exceptions",
    "SchemaValidationFailure": "godel.exceptions",
    "HumanTimeout": "godel.exceptions",
    "NonDeterministicEscape": "godel.exceptions",
    "RewindUnsafe": "godel.exceptions",
    "StepTimeout": "godel.exceptions",
    "StrictViolation": "godel.exceptions",
    "GodelStrictError": "godel.exceptions",
    "PauseSignal": "godel.exceptions",
    "RewindSignal": "godel.exceptions",
    "GodelWatchNotInstalledError": "godel.exceptions",
    "PluginError": "godel.errors",
    "UnknownPluginError": "godel.errors",
    "get_plugin_manager": "godel.plugins",
}

# submodules reachable as attributes without an explicit import (``godel.agents.claude_code``)
_SUBMODULES = ("det", "agents", "parsers")

__all__ = ["__version__", "det", "version", *_EXPORTS]


def version() -> str:
    """The installed godel-core version."""
    return __version__


def __getattr__(name: str) -> object:
    if name in _SUBMODULES:
        return importlib.import_module(f"godel.{name}")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'godel' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
