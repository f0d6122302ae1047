"""The engine: how a workflow runs and records itself.

``workflow`` and ``step`` (decorators), ``parallel``, ``retry``, ``pause`` and the run
context, ``record`` (the one place an effect is written to the log and read back on replay),
replay ``keys``, the encoding of Python ``values``, stdout ``capture`` and recorded sleeps.

The decorators and primitives named like their modules (``workflow``, ``step``, ``parallel``,
``retry``, ``pause``) are imported from ``godel`` itself.
"""

from __future__ import annotations

from godel.lazy import exports

TYPE_CHECKING = False
if TYPE_CHECKING:
    from godel.engine.capture import capturing
    from godel.engine.context import (
        Frame,
        RunState,
        current_frame,
        current_run,
        frame_var,
        get_event_log,
        lookup,
        root_frame,
        run_var,
    )
    from godel.engine.keys import ROOT_KEY, KeyTable
    from godel.engine.pause import (
        check_pause_request,
        clear_pause_request,
        is_live,
        request_pause,
        sentinel_path,
        write_pause_request,
    )
    from godel.engine.record import (
        REPLAYED_FROM,
        Position,
        cached_response,
        effect,
        failure_fields,
        position,
        user_location,
    )
    from godel.engine.sleep import check_seconds, recorded_sleep
    from godel.engine.step import StepSpec
    from godel.engine.values import encode, is_json
    from godel.engine.workflow import RunOptions, WorkflowSpec, execute, other_workflow, resume

_EXPORTS = {
    "capturing": "capture",
    "Frame": "context",
    "RunState": "context",
    "current_frame": "context",
    "current_run": "context",
    "frame_var": "context",
    "get_event_log": "context",
    "lookup": "context",
    "root_frame": "context",
    "run_var": "context",
    "ROOT_KEY": "keys",
    "KeyTable": "keys",
    "check_pause_request": "pause",
    "clear_pause_request": "pause",
    "is_live": "pause",
    "request_pause": "pause",
    "sentinel_path": "pause",
    "write_pause_request": "pause",
    "Position": "record",
    "cached_response": "record",
    "effect": "record",
    "failure_fields": "record",
    "position": "record",
    "user_location": "record",
    "REPLAYED_FROM": "record",
    "check_seconds": "sleep",
    "recorded_sleep": "sleep",
    "StepSpec": "step",
    "encode": "values",
    "is_json": "values",
    "RunOptions": "workflow",
    "WorkflowSpec": "workflow",
    "execute": "workflow",
    "resume": "workflow",
    "other_workflow": "workflow",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = exports(__name__, _EXPORTS)
