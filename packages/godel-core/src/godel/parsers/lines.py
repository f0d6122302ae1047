"""Built-in parsers: plain text lines and JSON lines."""

from __future__ import annotations

from typing import Any

from godel.parsers.base import Record
from godel.parsers.jsonstream import JsonStreamParser


class LineParser:
    """Plain output: every line becomes one ``stdout`` record."""

    def __init__(self, op: str = "stdout") -> None:
        self.op = op

    def feed(self, line: str) -> list[Record]:
        return [{"op": self.op, "line": line}]

    def close(self) -> list[Record]:
        return []


class JsonLinesParser(JsonStreamParser):
    """JSON objects, one per line: each becomes a ``json`` record; anything else ``agent.raw``."""

    def on_object(self, obj: dict[str, Any]) -> list[Record]:
        return [{"op": "json", "value": obj}]
