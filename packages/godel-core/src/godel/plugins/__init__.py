"""The plugin host: entry-point discovery, the manager, hook calls, the registries, core's plugin.

Hooks are declared in ``godel.hookspecs``; see docs/plugins.md.
"""

from __future__ import annotations

from godel.lazy import exports

TYPE_CHECKING = False
if TYPE_CHECKING:
    from godel.plugins.manager import (
        ENTRY_POINT_GROUP,
        PluginInfo,
        PluginManager,
        get_plugin_manager,
        set_plugin_manager,
    )
    from godel.plugins.registry import Entry, Provider, Register, Registry

_EXPORTS = {
    "ENTRY_POINT_GROUP": "manager",
    "PluginInfo": "manager",
    "PluginManager": "manager",
    "get_plugin_manager": "manager",
    "set_plugin_manager": "manager",
    "Entry": "registry",
    "Provider": "registry",
    "Register": "registry",
    "Registry": "registry",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = exports(__name__, _EXPORTS)
