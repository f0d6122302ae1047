"""The ``codex`` stream parser: ``codex exec --json`` JSONL events → transcript records.

Events (Codex CLI 0.169): ``thread.started`` (``thread_id``), ``turn.started``,
``item.started`` / ``item.updated`` / ``item.completed`` (an ``item`` with a ``type``:
``agent_message`` and ``reasoning`` with ``text``, ``command_execution`` with ``command``,
``aggregated_output`` and ``exit_code``, ``file_change`` with ``changes``, ``mcp_tool_call``,
``web_search``, ``todo_list``, and ``error`` for a warning), top-level ``error`` (a retry notice
or the failure), and the outcome: ``turn.completed`` (``usage``) or ``turn.failed``
(``error.message``). Text arrives whole, one item at a time, not as deltas.
"""

from __future__ import annotations

from typing import Any

from godel.agents import result_record
from godel.parsers import JsonStreamParser, Record

__all__ = ["CodexStreamParser", "usage_fields"]

# What each tool-like item calls its input, for the transcript's agent.tool_call.
_TOOL_INPUT = {
    "command_execution": ("command",),
    "file_change": ("changes",),
    "mcp_tool_call": ("arguments",),
    "web_search": ("query",),
}


def usage_fields(usage: dict[str, Any]) -> dict[str, int]:
    """codex's token counts in godel's names (cached tokens apart from input, as claude reports)."""
    cached = int(usage.get("cached_input_tokens") or 0)
    return {
        "input_tokens": int(usage.get("input_tokens") or 0) - cached,
        "output_tokens": int(usage.get("output_tokens") or 0),
        "cache_read_input_tokens": cached,
        "cache_creation_input_tokens": int(usage.get("cache_write_input_tokens") or 0),
    }


class CodexStreamParser(JsonStreamParser):
    """Normalises one codex stream; the answer is the turn's last agent message."""

    def __init__(self) -> None:
        self._thread: str | None = None
        self._answer = ""
        self._errors: list[str] = []
        self._started: set[str] = set()  # tool items whose call is already in the transcript

    def on_object(self, obj: dict[str, Any]) -> list[Record]:
        kind = obj.get("type")
        if kind == "thread.started":
            self._thread = obj.get("thread_id")
            return [{"op": "agent.init", "session_id": self._thread}]
        if kind in ("item.started", "item.completed"):
            item = obj.get("item")
            if isinstance(item, dict):
                return self._item(item, done=kind == "item.completed")
            return []
        if kind == "error":
            message = str(obj.get("message") or "error")
            self._errors.append(message)
            return [{"op": "agent.error", "message": message}]
        if kind == "turn.completed":
            usage = obj.get("usage") if isinstance(obj.get("usage"), dict) else {}
            return [
                result_record(text=self._answer, session_id=self._thread, usage=usage_fields(usage))
            ]
        if kind == "turn.failed":
            error = obj.get("error") if isinstance(obj.get("error"), dict) else {}
            message = str(error.get("message") or "; ".join(self._errors) or "turn failed")
            return [
                result_record(
                    text=self._answer, session_id=self._thread, is_error=True, error=message
                )
            ]
        return []

    def _item(self, item: dict[str, Any], *, done: bool) -> list[Record]:
        kind = item.get("type")
        text = item.get("text")
        if kind == "agent_message":
            if done and isinstance(text, str):
                self._answer = text
                return [{"op": "agent.response", "text": text}] if text else []
            return []
        if kind == "reasoning":
            return [{"op": "agent.thought", "text": text}] if done and text else []
        if kind == "error":
            # A warning (the turn goes on), e.g. a model codex has no metadata for.
            return [{"op": "agent.error", "message": str(item.get("message"))}] if done else []
        if kind not in _TOOL_INPUT:
            return []
        out: list[Record] = []
        item_id = str(item.get("id"))
        if item_id not in self._started:
            self._started.add(item_id)
            out.append(self._tool_call(item))
        if done:
            out.append(
                {
                    "op": "agent.tool_result",
                    "tool": item_id,
                    "output": _output(item),
                    "is_error": item.get("status") == "failed"
                    or item.get("exit_code") not in (None, 0),
                }
            )
        return out

    @staticmethod
    def _tool_call(item: dict[str, Any]) -> Record:
        kind = item["type"]
        name = kind
        if kind == "mcp_tool_call":
            name = f"{item.get('server')}.{item.get('tool')}"
        return {
            "op": "agent.tool_call",
            "tool": name,
            "input": {key: item.get(key) for key in _TOOL_INPUT[kind]},
            "id": item.get("id"),
        }


def _output(item: dict[str, Any]) -> Any:
    if "aggregated_output" in item:
        return item.get("aggregated_output") or ""
    for key in ("result", "error", "changes"):
        if item.get(key) is not None:
            return item[key]
    return ""
