"""The stream-parser protocol: raw output lines in, normalised transcript records out."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

Record = dict[str, Any]
"""A transcript record: ``{"op": "agent.response", "text": ...}`` (no ts/seq/paths yet)."""


@runtime_checkable
class StreamParser(Protocol):
    """Turns one stream's output, line by line, into transcript records.

    One instance serves one stream, so a parser may keep state between lines. ``feed`` never
    raises on bad input: it returns an ``agent.raw`` record with a ``reason`` instead.
    """

    def feed(self, line: str) -> list[Record]:
        """Parse one line (without its newline) and return zero or more records."""
        ...

    def close(self) -> list[Record]:
        """The stream ended: return any records still buffered."""
        ...
