"""The echo parser: ``say: <text>`` lines are answers; anything else is kept as raw output."""

from __future__ import annotations

from godel.parsers import Record


class EchoParser:
    """Implements ``godel.parsers.StreamParser`` for the echo agent's line protocol."""

    def __init__(self) -> None:
        self._pending: list[str] = []

    def feed(self, line: str) -> list[Record]:
        """``say: x`` → ``agent.response``; a trailing ``\\`` joins the next line; blanks vanish."""
        if line.endswith("\\"):
            # A continued line: keep it until the line that ends it arrives.
            self._pending.append(line[:-1])
            return []
        text = "".join([*self._pending, line])
        self._pending.clear()
        if not text.strip():
            return []
        head, sep, rest = text.partition(":")
        if sep and head.strip() == "say":
            return [{"op": "agent.response", "text": rest.strip()}]
        return [{"op": "agent.raw", "text": text, "reason": "malformed"}]

    def close(self) -> list[Record]:
        """A continued line left open at the end of the stream is reported as truncated."""
        if not self._pending:
            return []
        text = "".join(self._pending)
        self._pending.clear()
        return [{"op": "agent.raw", "text": text, "reason": "truncated"}]
