"""Agent backends, resolved lazily from plugins.

``godel.agents.claude_code`` (attribute access) and ``godel.agents.get("claude_code")`` return
the backend that the installed plugin registered. A name nobody registered raises
``UnknownPluginError`` (an ``AttributeError``) that lists what is installed and names the
package to install. ``from godel.agents import nope`` turns that into Python's generic
ImportError, so prefer ``get`` when you want the full message.

Backend authors import what they build on from here, never from a submodule: ``Agent``,
``AgentCall``, ``AgentResult``, ``Invocation`` and ``result_record`` (docs/plugins.md, "What a
plugin may import"). ``SchemaValidationFailure`` is ``godel.SchemaValidationFailure``, the
class an agent raises when its answer does not match ``schema=``: catch it under either name.
"""

from __future__ import annotations

from godel.lazy import plugin_exports

TYPE_CHECKING = False
if TYPE_CHECKING:
    from godel.agents.base import Agent
    from godel.agents.call import AgentCall, AgentResult, result_record
    from godel.agents.invoke import Invocation
    from godel.exceptions import SchemaValidationFailure

# Names defined by godel itself (not by plugins): imported on first use.
_EXPORTS = {
    "Agent": "base",
    "AgentCall": "call",
    "AgentResult": "call",
    "result_record": "call",
    "Invocation": "invoke",
    "SchemaValidationFailure": "..exceptions",
}
__all__ = [*_EXPORTS, "get", "names"]
get, names, __getattr__, __dir__ = plugin_exports(__name__, _EXPORTS, "agents")
