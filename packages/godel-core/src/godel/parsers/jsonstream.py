"""A base for parsers of JSON-lines streams (what agent CLIs print in their JSON modes)."""

from __future__ import annotations

import json
from typing import Any

from godel.parsers.base import Record

__all__ = ["MAX_LINE", "JsonStreamParser"]

# A line longer than this is kept only as a truncated ``agent.raw`` record: a runaway line
# must not make the transcript (or memory) explode.
MAX_LINE = 1 << 20
_RAW_KEEP = 64 * 1024
# Where a kept prefix may end: a token-shaped secret holds none of these, so a cut there never
# leaves the first half of one (which no redaction pattern would then recognise).
_SEPARATORS = " \t\r\n\"',:;{}[]()<>="


def _kept(line: str) -> str:
    """The first ``_RAW_KEEP`` characters of ``line``, ending after a separator when one is
    there (the whole prefix when none is)."""
    if len(line) <= _RAW_KEEP:
        return line
    head = line[:_RAW_KEEP]
    cut = max(head.rfind(c) for c in _SEPARATORS)
    return head[: cut + 1] if cut >= 0 else head


class JsonStreamParser:
    """Decodes each line as a JSON object and hands it to ``on_object``.

    Subclasses implement ``on_object(obj) -> list[Record]``. Blank lines are skipped; a line
    that is not JSON, not an object or too long becomes one ``agent.raw`` record with a
    ``reason`` (``malformed``, ``non_object``, ``oversized``, ``internal``); a line too long
    keeps its ``agent.result`` record, if any, before it. Never raises.
    """

    def feed(self, line: str) -> list[Record]:
        if not line.strip():
            return []
        if len(line) > MAX_LINE:
            return self._oversized(line)
        try:
            obj = json.loads(line)
        except ValueError:
            return [{"op": "agent.raw", "text": line, "reason": "malformed"}]
        if not isinstance(obj, dict):
            return [{"op": "agent.raw", "text": line, "reason": "non_object"}]
        try:
            return self.on_object(obj)
        except Exception as exc:  # a parser bug must not kill the agent call it observes
            return [
                {
                    "op": "agent.raw",
                    "text": _kept(line),
                    "reason": "internal",
                    "error": repr(exc),
                }
            ]

    def _oversized(self, line: str) -> list[Record]:
        """A truncated ``agent.raw`` record, after the line's ``agent.result`` if it holds one:
        the call's outcome must not be lost to the limit (a long answer is carried whole by the
        CLI's last line), while the rest of a runaway line stays out of the transcript."""
        raw: Record = {"op": "agent.raw", "text": _kept(line), "reason": "oversized"}
        try:
            obj = json.loads(line)
            records = self.on_object(obj) if isinstance(obj, dict) else []
        except Exception:  # the raw record says what was there; a parser bug must not escape
            return [raw]
        return [*(r for r in records if r.get("op") == "agent.result"), raw]

    def on_object(self, obj: dict[str, Any]) -> list[Record]:
        """Records for one decoded JSON object (what a backend's parser provides)."""
        raise NotImplementedError(f"{type(self).__name__} must implement on_object()")

    def close(self) -> list[Record]:
        return []
