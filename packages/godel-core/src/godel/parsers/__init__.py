"""Stream parsers, looked up by name: ``godel.parsers.get("claude")`` returns the parser class.

Parser authors import what they build on from here: ``StreamParser``, ``Record`` and
``JsonStreamParser`` (docs/plugins.md, "What a plugin may import").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from godel.parsers.base import Record, StreamParser

if TYPE_CHECKING:
    from godel.parsers.jsonstream import JsonStreamParser

__all__ = ["JsonStreamParser", "Record", "StreamParser", "get", "names"]

# Names defined by godel itself (not by plugins) that are imported on first use.
_OWN = {"JsonStreamParser": "godel.parsers.jsonstream"}


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
    if name in _OWN:
        import importlib

        return getattr(importlib.import_module(_OWN[name]), name)
    return get(name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *names()})
