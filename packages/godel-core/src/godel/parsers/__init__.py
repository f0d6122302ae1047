"""Stream parsers, looked up by name: ``godel.parsers.get("claude")`` returns the parser class.

Parser authors import what they build on from here: ``StreamParser``, ``Record`` and
``JsonStreamParser`` (docs/plugins.md, "What a plugin may import").
"""

from __future__ import annotations

from godel.lazy import plugin_exports

TYPE_CHECKING = False
if TYPE_CHECKING:
    from godel.parsers.base import Record, StreamParser
    from godel.parsers.jsonstream import JsonStreamParser

# Names defined by godel itself (not by plugins): imported on first use.
_EXPORTS = {
    "Record": "base",
    "StreamParser": "base",
    "JsonStreamParser": "jsonstream",
}
__all__ = [*_EXPORTS, "get", "names"]
get, names, __getattr__, __dir__ = plugin_exports(__name__, _EXPORTS, "parsers")
