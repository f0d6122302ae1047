"""Commands run by a workflow: ``run()`` (``godel.run``), process groups, spawning, the reaper.

Every command runs in its own process group; the reaper kills the groups that are still alive
when a run is cancelled, times out or gets a signal, so no orphan outlives godel.
"""

from __future__ import annotations

from godel.lazy import exports

TYPE_CHECKING = False
if TYPE_CHECKING:
    from godel.process.group import run_group
    from godel.process.reaper import install_signal_handlers, kill_all
    from godel.process.run import CommandResult, stream_parent

_EXPORTS = {
    "run_group": "group",
    "install_signal_handlers": "reaper",
    "kill_all": "reaper",
    "CommandResult": "run",
    "stream_parent": "run",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = exports(__name__, _EXPORTS)
