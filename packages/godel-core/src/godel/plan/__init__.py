"""Foresight from the log: dry runs of a workflow against its recording.

``plan_resume`` says what ``godel resume`` would do (``--plan``); ``replay_run`` checks a
workflow against a recorded run, every agent call, command and input answered from the
recording (``godel test``). Neither runs an effect nor writes a line (docs/testing.md).
"""

from __future__ import annotations

from godel.lazy import exports

TYPE_CHECKING = False
if TYPE_CHECKING:
    from godel.plan.check import ReplayMismatch, ReplayResult, locate_run, replay_run
    from godel.plan.export import export_run
    from godel.plan.report import render
    from godel.plan.resume import plan_resume

_EXPORTS = {
    "ReplayMismatch": "check",
    "ReplayResult": "check",
    "locate_run": "check",
    "replay_run": "check",
    "export_run": "export",
    "render": "report",
    "plan_resume": "resume",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = exports(__name__, _EXPORTS)
