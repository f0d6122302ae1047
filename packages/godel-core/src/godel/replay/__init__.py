"""Replay and rewind: how a resumed run finds its recorded answers, and how a run goes back.

``rewind`` (the in-workflow primitive) is ``godel.rewind``.
"""

from __future__ import annotations

from godel.lazy import exports

TYPE_CHECKING = False
if TYPE_CHECKING:
    from godel.replay.finished import finished_root, result_text
    from godel.replay.policy import (
        MismatchPolicy,
        ReplayPolicy,
        SourceEditPolicy,
        build_cache,
        root_event,
    )
    from godel.replay.rewind import RewindResult, apply_rewind

_EXPORTS = {
    "MismatchPolicy": "policy",
    "ReplayPolicy": "policy",
    "SourceEditPolicy": "policy",
    "build_cache": "policy",
    "root_event": "policy",
    "finished_root": "finished",
    "result_text": "finished",
    "RewindResult": "rewind",
    "apply_rewind": "rewind",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = exports(__name__, _EXPORTS)
