"""godel: a deterministic, event-sourced orchestrator for AI coding-agent workflows.

Public names are loaded on first use (PEP 562), so ``import godel`` stays cheap and loads no
plugin.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from godel.__about__ import __version__
from godel.hookspecs import hookimpl

if TYPE_CHECKING:
    from godel.errors import PluginError, UnknownPluginError
    from godel.events import Event, EventStatus, Op
    from godel.log import EventLog

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "Event": "godel.events",
    "EventStatus": "godel.events",
    "Op": "godel.events",
    "EventLog": "godel.log",
    "PluginError": "godel.errors",
    "UnknownPluginError": "godel.errors",
    "get_plugin_manager": "godel.plugins",
}

__all__ = ["__version__", "hookimpl", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'godel' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
