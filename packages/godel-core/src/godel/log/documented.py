"""The ``EventLog`` methods godel-py documents (REFERENCE §4.5), kept for scripts written for it.

Each is a thin name over godel's own API (``start``, ``finish``, ``fail``, ``set_status``,
``events``, ``get``), with the signature and return value the reference documents. Children
are derived from ``parent_id`` here, so ``emit_suspended`` does not clear them (a reload would
bring them back), and ``get_full_payload`` reads the log itself: it holds every request and
answer in full, so no transcript is needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from godel.log.events import Event, EventStatus, Op

if TYPE_CHECKING:
    from pathlib import Path

    from godel.log.eventlog import EventLog

__all__ = ["DocumentedMethods"]


class DocumentedMethods:
    """Mixin of ``EventLog``: ``all_events``, ``get_event``, ``emit_*``, ``get_full_payload``."""

    def all_events(self: EventLog) -> list[Event]:
        """Every event in first-seen order, each in its latest state (a new list)."""
        return self.events

    def get_event(self: EventLog, event_id: str) -> Event | None:
        """The event with this exact id, or None."""
        return self._view()[1].get(event_id)

    def emit_started(
        self: EventLog,
        op: str,
        step_path: Sequence[str],
        request: dict[str, Any],
        *,
        invocation_seq: int = 0,
        step_local_seq: int = 0,
        parent_event_id: str | None = None,
        stream_path: list[str] | None = None,
    ) -> Event:
        """Append a new STARTED event (``start``)."""
        return self.start(
            op,
            request=request,
            step_path=step_path,
            parent_id=parent_event_id,
            invocation_seq=invocation_seq,
            step_local_seq=step_local_seq,
            stream_path=stream_path,
        )

    def emit_finished(
        self: EventLog,
        event_id: str,
        response: dict[str, Any] | None,
        *,
        status: EventStatus = EventStatus.FINISHED,
    ) -> Event:
        """Set the event's status (FINISHED unless given), response and end time (``finish``)."""
        return self.finish(self.get(event_id), response, status=status)

    def emit_failed(
        self: EventLog,
        event_id: str,
        error: BaseException | str,
        response: dict[str, Any] | None = None,
        *,
        error_type: str = "",
        step_path: Sequence[str] = (),
        source_location: str = "",
        remediation_hint: str = "",
    ) -> Event:
        """Mark the event FAILED with ``response``, or with the standard failure record
        ``{"error", "error_type", "step_path", "source_location", "remediation_hint"}``.

        Give ``response`` or the failure fields, not both (``TypeError``).
        """
        event = self.get(event_id)
        if response is not None and (
            error_type or step_path or source_location or remediation_hint
        ):
            raise TypeError("emit_failed() takes either response= or failure fields, not both")
        if response is None:
            if not error_type:
                error_type = (
                    type(error).__name__ if isinstance(error, BaseException) else "Exception"
                )
            response = {
                "error": str(error),
                "error_type": error_type,
                "step_path": list(step_path or event.step_path),
                "source_location": source_location,
                "remediation_hint": remediation_hint,
            }
        return self.fail(event, error, response=response)

    def emit_suspended(self: EventLog, event_id: str) -> Event:
        """Mark the event SUSPENDED (what a rewind does to a ``parallel`` JOIN it cut into)."""
        return self.set_status(self.get(event_id), EventStatus.SUSPENDED)

    def get_full_payload(
        self: EventLog, event_id: str, runs_dir: str | Path | None = None
    ) -> dict[str, Any]:
        """One event's request and response in full: ``{event_id, op, step_path, stream_path,
        model, request, response}``. For an agent call, ``request`` is the prompt, ``response``
        the answer text and ``model`` the model asked; for other ops, the recorded request and
        response. ``KeyError`` if there is no such event; ``runs_dir`` is accepted and unused."""
        event = self.get(event_id)
        request: Any = event.request
        response: Any = event.response
        model = None
        if event.op == Op.AGENT_CALL:
            model = event.request.get("model")
            request = event.request.get("prompt", "")
            response = (event.response or {}).get("text", "")
        return {
            "event_id": event.event_id,
            "op": event.op,
            "step_path": list(event.step_path),
            "stream_path": list(event.stream_path),
            "model": model,
            "request": request,
            "response": response,
        }
