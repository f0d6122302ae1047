"""The ``copilot`` stream parser: ``copilot -p ... --output-format json`` JSONL events → transcript records.

Events (Copilot CLI 1.0): ``session.*`` (set-up), ``user.message``, ``assistant.turn_start`` /
``turn_end``, ``assistant.message_delta`` and ``assistant.reasoning_delta`` (streamed text and
thinking, ``data.deltaContent``), ``assistant.message`` (a complete message: ``data.content``
and ``data.toolRequests``), ``tool.execution_start`` / ``tool.execution_complete``,
``session.error``, and ``result`` (``sessionId``, ``exitCode``, ``usage``).
"""

from __future__ import annotations

from typing import Any

from godel.agents import result_record
from godel.parsers import JsonStreamParser, Record

__all__ = ["CopilotStreamParser"]


class CopilotStreamParser(JsonStreamParser):
    """Normalises one copilot stream; the answer is the last assistant message with text."""

    def __init__(self) -> None:
        self._answer = ""
        self._errors: list[str] = []
        self._tokens: dict[str, int] = {}
        self._streamed: set[str] = set()  # message ids whose text already arrived as deltas

    def on_object(self, obj: dict[str, Any]) -> list[Record]:
        kind = str(obj.get("type") or "")
        data = obj.get("data") if isinstance(obj.get("data"), dict) else {}
        if kind == "assistant.message_delta":
            self._streamed.add(str(data.get("messageId")))
            return (
                [{"op": "agent.response", "text": data["deltaContent"]}]
                if data.get("deltaContent")
                else []
            )
        if kind == "assistant.reasoning_delta":
            return (
                [{"op": "agent.thought", "text": data["deltaContent"]}]
                if data.get("deltaContent")
                else []
            )
        if kind == "assistant.message":
            return self._message(data)
        if kind == "tool.execution_start":
            return [
                {
                    "op": "agent.tool_call",
                    "tool": data.get("toolName"),
                    "input": data.get("arguments"),
                    "id": data.get("toolCallId"),
                }
            ]
        if kind == "tool.execution_complete":
            result = data.get("result") if isinstance(data.get("result"), dict) else {}
            return [
                {
                    "op": "agent.tool_result",
                    "tool": data.get("toolCallId") or data.get("toolName"),
                    "output": result.get("content")
                    or result.get("detailedContent")
                    or data.get("error")
                    or "",
                    "is_error": data.get("success") is False,
                }
            ]
        if kind == "assistant.usage":
            for key, field in (
                ("inputTokens", "input_tokens"),
                ("outputTokens", "output_tokens"),
                ("cacheReadTokens", "cache_read_input_tokens"),
                ("cacheWriteTokens", "cache_creation_input_tokens"),
            ):
                if isinstance(data.get(key), int):
                    self._tokens[field] = self._tokens.get(field, 0) + data[key]
            return []
        if kind.endswith(".error") or kind == "error":
            message = str(data.get("message") or data.get("error") or obj.get("message") or kind)
            self._errors.append(message)
            return [{"op": "agent.error", "message": message}]
        if kind == "result":
            return [self._result(obj)]
        return []

    def _message(self, data: dict[str, Any]) -> list[Record]:
        content = str(data.get("content") or "")
        out: list[Record] = []
        if content:
            self._answer = content
            if str(data.get("messageId")) not in self._streamed:
                out.append({"op": "agent.response", "text": content})
        return out

    def _result(self, obj: dict[str, Any]) -> Record:
        code = obj.get("exitCode", 0)
        is_error = bool(code) or (not self._answer and bool(self._errors))
        return result_record(
            text=self._answer,
            session_id=obj.get("sessionId"),
            usage=dict(self._tokens),
            is_error=is_error,
            error="; ".join(self._errors)
            or (f"copilot exited with code {code}" if is_error else None),
        )
