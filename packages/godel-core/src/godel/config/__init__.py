"""Configuration: ``.godel/settings.json`` files, ``GODEL_*`` variables, the runs dir they give,
and named workflows (docs/configuration.md).
"""

from __future__ import annotations

from godel.lazy import exports

TYPE_CHECKING = False
if TYPE_CHECKING:
    from godel.config.keys import KEYS, GodelConfig
    from godel.config.load import (
        LoadedConfig,
        clear_cache,
        find_project_root,
        godel_home,
        load_config,
        project_data_dir,
    )
    from godel.config.workflows import list_workflows, open_event_log, resolve_workflow

_EXPORTS = {
    "KEYS": "keys",
    "GodelConfig": "keys",
    "LoadedConfig": "load",
    "clear_cache": "load",
    "find_project_root": "load",
    "godel_home": "load",
    "load_config": "load",
    "project_data_dir": "load",
    "list_workflows": "workflows",
    "open_event_log": "workflows",
    "resolve_workflow": "workflows",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = exports(__name__, _EXPORTS)
