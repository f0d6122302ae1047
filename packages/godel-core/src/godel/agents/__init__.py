"""Agent backends, resolved lazily from plugins.

``godel.agents.claude_code`` (attribute access) and ``godel.agents.get("claude_code")`` return
the backend that the installed plugin registered. A name nobody registered raises
``UnknownPluginError`` (an ``AttributeError``) that lists what is installed and names the
package to install. ``from godel.agents import nope`` turns that into Python's generic
ImportError, so prefer ``get`` when you want the full message.

Backend authors import what they build on from here, never from a submodule: ``Agent``,
``AgentCall``, ``AgentResult``, ``Invocation`` and ``result_record`` (docs/plugins.md, "What a
plugin may import").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from godel.agents.base import Agent
    from godel.agents.call import AgentCall, AgentResult, result_record
    from godel.agents.invoke import Invocation

__all__ = ["Agent", "AgentCall", "AgentResult", "Invocation", "get", "names", "result_record"]

# Names defined by godel itself (not by plugins): imported on first use.
_OWN = {
    "Agent": "godel.agents.base",
    "AgentCall": "godel.agents.call",
    "AgentResult": "godel.agents.call",
    "Invocation": "godel.agents.invoke",
    "result_record": "godel.agents.call",
}


def get(name: str) -> Any:
    """The agent factory registered under ``name``."""
    from godel.plugins.manager import get_plugin_manager

    return get_plugin_manager().agents.get(name)


def names() -> list[str]:
    """Names of every registered agent backend."""
    from godel.plugins.manager import get_plugin_manager

    return get_plugin_manager().agents.names()


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    if name in _OWN:
        import importlib

        return getattr(importlib.import_module(_OWN[name]), name)
    return get(name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *names()})
