"""Built-in parsers: plain text lines and JSON lines."""

from __future__ import annotations

import json

from godel.parsers.base import Record


class LineParser:
    """Plain output: every line becomes one ``stdout`` record."""

    def __init__(self, op: str = "stdout") -> None:
        self.op = op

    def feed(self, line: str) -> list[Record]:
        return [{"op": self.op, "line": line}]

    def close(self) -> list[Record]:
        return []


class JsonLinesParser:
    """JSON objects, one per line: each becomes a ``json`` record; anything else ``agent.raw``."""

    def feed(self, line: str) -> list[Record]:
        if not line.strip():
            return []
        try:
            value = json.loads(line)
        except ValueError:
            return [{"op": "agent.raw", "text": line, "reason": "malformed"}]
        if not isinstance(value, dict):
            return [{"op": "agent.raw", "text": line, "reason": "non_object"}]
        return [{"op": "json", "value": value}]

    def close(self) -> list[Record]:
        return []
