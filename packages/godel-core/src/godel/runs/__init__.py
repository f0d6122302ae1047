"""Runs as their readers see them: the status of a run (``status``), following its log as it
is written (``tail``; ``feed`` for a reader that asks again and again), and the text
renderings of ``show`` and ``tail`` (``render``).

``tail`` (named like its module) is ``godel.tail``; reading a log without following it is
``godel.log``'s (``find_log``, ``read_batches``).
"""

from __future__ import annotations

from godel.lazy import exports

TYPE_CHECKING = False
if TYPE_CHECKING:
    from godel.runs.feed import RunFeed, log_reader
    from godel.runs.listing import summarize_many
    from godel.runs.status import (
        Failure,
        FailureCause,
        RunStatus,
        RunSummary,
        RunTracker,
        classify,
        summarize,
        summarize_log,
    )
    from godel.runs.tail import tail_batches

_EXPORTS = {
    "RunFeed": "feed",
    "log_reader": "feed",
    "Failure": "status",
    "FailureCause": "status",
    "RunStatus": "status",
    "RunSummary": "status",
    "RunTracker": "status",
    "classify": "status",
    "summarize": "status",
    "summarize_log": "status",
    "summarize_many": "listing",
    "tail_batches": "tail",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = exports(__name__, _EXPORTS)
