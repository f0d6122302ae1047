"""Agent backends, resolved lazily from plugins.

``godel.agents.claude_code`` (attribute access) and ``godel.agents.get("claude_code")`` return
the backend that the installed plugin registered. A name nobody registered raises
``UnknownPluginError`` (an ``AttributeError``) that lists what is installed and names the
package to install. ``from godel.agents import nope`` turns that into Python's generic
ImportError, so prefer ``get`` when you want the full message.
"""

from __future__ import annotations

from typing import Any

__all__ = ["get", "names"]


def get(name: str) -> Any:
    """The agent factory registered under ``name``."""
    from godel.plugins import get_plugin_manager

    return get_plugin_manager().agents.get(name)


def names() -> list[str]:
    """Names of every registered agent backend."""
    from godel.plugins import get_plugin_manager

    return get_plugin_manager().agents.names()


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    return get(name)


def __dir__() -> list[str]:
    return sorted({*globals(), *names()})
