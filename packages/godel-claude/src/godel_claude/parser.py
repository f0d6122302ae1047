"""The ``claude`` stream parser: ``claude -p --output-format stream-json --verbose`` lines → transcript records.

Line types (Claude Code 2.x): ``system`` (``init`` with session id, model, tools),
``stream_event`` (raw Messages-API events, with ``--include-partial-messages``),
``assistant`` (a complete message: text, thinking and tool_use blocks), ``user`` (tool
results), ``result`` (the outcome: ``subtype``, ``is_error``, ``result``, ``session_id``,
``total_cost_usd``, ``usage``, ``structured_output`` with ``--json-schema``).
"""

from __future__ import annotations

from typing import Any

from godel.agents import result_record
from godel.parsers import JsonStreamParser, Record

__all__ = ["ClaudeStreamParser"]

_USAGE_KEYS = (
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
)


class ClaudeStreamParser(JsonStreamParser):
    """Normalises one claude stream: text and thinking as they stream, tool calls and results."""

    def __init__(self) -> None:
        self._partials = False  # once deltas stream, complete messages would repeat their text
        self._cursor: str | None = None
        self._stop_reason: str | None = None

    def on_object(self, obj: dict[str, Any]) -> list[Record]:
        kind = obj.get("type")
        if kind == "stream_event":
            return self._delta(obj.get("event") or {})
        if kind == "assistant":
            return self._assistant(obj)
        if kind == "user":
            return self._tool_results(obj)
        if kind == "system" and obj.get("subtype") == "init":
            return [
                {
                    "op": "agent.init",
                    "session_id": obj.get("session_id"),
                    "model": obj.get("model"),
                    "tools": obj.get("tools"),
                    "cwd": obj.get("cwd"),
                }
            ]
        if kind == "result":
            return [self._result(obj)]
        return []

    def _delta(self, event: dict[str, Any]) -> list[Record]:
        self._partials = True
        if event.get("type") != "content_block_delta":
            return []
        delta = event.get("delta") or {}
        if delta.get("type") == "text_delta" and delta.get("text"):
            return [{"op": "agent.response", "text": delta["text"]}]
        if delta.get("type") == "thinking_delta" and delta.get("thinking"):
            return [{"op": "agent.thought", "text": delta["thinking"]}]
        return []

    def _assistant(self, obj: dict[str, Any]) -> list[Record]:
        message = obj.get("message") or {}
        # --resume-session-at takes the id of the last message to keep.
        self._cursor = obj.get("uuid") or message.get("id") or self._cursor
        self._stop_reason = message.get("stop_reason") or self._stop_reason
        out: list[Record] = []
        for block in message.get("content") or ():
            kind = block.get("type")
            if kind == "tool_use":
                out.append(
                    {
                        "op": "agent.tool_call",
                        "tool": block.get("name"),
                        "input": block.get("input"),
                        "id": block.get("id"),
                    }
                )
            elif self._partials:
                continue
            elif kind == "text" and block.get("text"):
                out.append({"op": "agent.response", "text": block["text"]})
            elif kind == "thinking" and block.get("thinking"):
                out.append({"op": "agent.thought", "text": block["thinking"]})
        return out

    def _tool_results(self, obj: dict[str, Any]) -> list[Record]:
        content = (obj.get("message") or {}).get("content")
        if not isinstance(content, list):
            return []
        out: list[Record] = []
        for block in content:
            if isinstance(block, dict) and block.get("type") == "tool_result":
                out.append(
                    {
                        "op": "agent.tool_result",
                        "tool": block.get("tool_use_id"),
                        "output": _text(block.get("content")),
                        "is_error": bool(block.get("is_error")),
                    }
                )
        return out

    def _result(self, obj: dict[str, Any]) -> Record:
        usage = (
            obj.get("usage") if isinstance(obj.get("usage"), dict) else {}
        )  # not the answer's fault
        is_error = bool(obj.get("is_error")) or obj.get("subtype", "success") != "success"
        error = ""
        if is_error:
            errors = obj.get("errors")
            error = (
                str(obj.get("result") or "")
                or ("; ".join(map(str, errors)) if errors else "")
                or str(obj.get("subtype") or "error")
            )
        stop = obj.get("stop_reason") or self._stop_reason
        return result_record(
            text=str(obj.get("result") or ""),
            structured=obj.get("structured_output"),
            session_id=obj.get("session_id"),
            usage={k: usage[k] for k in _USAGE_KEYS if isinstance(usage.get(k), int)},
            cost_usd=obj.get("total_cost_usd"),
            is_error=is_error,
            error=error or None,
            refusal=stop == "refusal",
            cursor=self._cursor,
            stop_reason=stop,
        )


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            str(b.get("text", ""))
            for b in content
            if isinstance(b, dict) and b.get("type") == "text"
        )
    return "" if content is None else str(content)
