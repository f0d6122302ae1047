"""Helpers for testing workflows and godel itself.

``replay_run`` checks a workflow against a recorded run, offline and free (``godel test``;
docs/testing.md): a divergence raises ``ReplayMismatch``, an ``AssertionError`` with the diff.
``process_gone`` / ``wait_process_gone`` check that a process (say, a grandchild started by a
command) really is gone: no orphan survived.
"""

from __future__ import annotations

from godel.lazy import exports

TYPE_CHECKING = False
if TYPE_CHECKING:
    from godel.plan.check import ReplayMismatch, ReplayResult, replay_run
    from godel.testing.processes import process_gone, wait_process_gone

_EXPORTS = {
    "ReplayMismatch": "..plan.check",
    "ReplayResult": "..plan.check",
    "replay_run": "..plan.check",
    "process_gone": "processes",
    "wait_process_gone": "processes",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = exports(__name__, _EXPORTS)
