"""Stream parsers, looked up by name: ``godel.parsers.get("claude")`` returns the parser class."""

from __future__ import annotations

from typing import Any

from godel.parsers.base import Record, StreamParser

__all__ = ["Record", "StreamParser", "get", "names"]


def get(name: str) -> type[StreamParser]:
    """The parser class registered under ``name`` (raises ``UnknownPluginError`` if none)."""
    from godel.plugins.manager import get_plugin_manager

    return get_plugin_manager().parsers.get(name)  # type: ignore[no-any-return]


def names() -> list[str]:
    """Names of every registered parser."""
    from godel.plugins.manager import get_plugin_manager

    return get_plugin_manager().parsers.names()


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    return get(name)


def __dir__() -> list[str]:
    return sorted({*globals(), *names()})
