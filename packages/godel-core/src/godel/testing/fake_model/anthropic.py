"""A turn as the Anthropic Messages API sends it: one JSON message, or server-sent events.

The event sequence is the API's own: ``message_start``, ``ping``, then per content block
``content_block_start`` / ``content_block_delta`` (``thinking_delta`` + ``signature_delta``,
``text_delta``, ``input_json_delta``) / ``content_block_stop``, then ``message_delta`` (stop
reason and usage) and ``message_stop``.
"""

from __future__ import annotations

import json
from typing import Any

from godel.testing.fake_model.script import ApiError, Turn

FAKE_SIGNATURE = "ZmFrZS1tb2RlbC1zaWduYXR1cmU="  # thinking blocks must carry some signature
CHUNK = 24  # characters per delta: several deltas per block, like the real API


def _blocks(turn: Turn, tool_ids: list[str]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if turn.thinking:
        blocks.append({"type": "thinking", "thinking": turn.thinking, "signature": FAKE_SIGNATURE})
    if turn.content or not (turn.thinking or turn.tool_calls):
        blocks.append({"type": "text", "text": turn.content})
    for call, tool_id in zip(turn.tool_calls, tool_ids, strict=True):
        blocks.append(
            {"type": "tool_use", "id": tool_id, "name": call.name, "input": dict(call.input)}
        )
    return blocks


def _usage(turn: Turn, *, output_tokens: int) -> dict[str, Any]:
    return {
        "input_tokens": turn.input_tokens(),
        "cache_creation_input_tokens": turn.usage.cache_creation_input_tokens,
        "cache_read_input_tokens": turn.usage.cache_read_input_tokens,
        "output_tokens": output_tokens,
    }


def message(turn: Turn, *, model: str, message_id: str, tool_ids: list[str]) -> dict[str, Any]:
    """The non-streamed answer: one ``message`` object."""
    return {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": _blocks(turn, tool_ids),
        "stop_reason": turn.resolved_stop_reason(),
        "stop_sequence": None,
        "usage": _usage(turn, output_tokens=turn.output_tokens()),
    }


def _event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def _chunks(text: str) -> list[str]:
    return [text[i : i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]


def stream(turn: Turn, *, model: str, message_id: str, tool_ids: list[str]) -> list[bytes]:
    """The streamed answer: the SSE frames in order (the first is ``message_start``)."""
    head = message(turn, model=model, message_id=message_id, tool_ids=tool_ids)
    start = {**head, "content": [], "stop_reason": None, "usage": _usage(turn, output_tokens=1)}
    frames = [
        _event("message_start", {"type": "message_start", "message": start}),
        _event("ping", {"type": "ping"}),
    ]
    for index, block in enumerate(head["content"]):
        kind = block["type"]
        if kind == "thinking":
            empty, deltas = (
                {"type": "thinking", "thinking": "", "signature": ""},
                [{"type": "thinking_delta", "thinking": c} for c in _chunks(block["thinking"])],
            )
            deltas.append({"type": "signature_delta", "signature": block["signature"]})
        elif kind == "text":
            empty, deltas = (
                {"type": "text", "text": ""},
                [{"type": "text_delta", "text": c} for c in _chunks(block["text"])],
            )
        else:
            empty = {**block, "input": {}}
            # The API opens every tool input with an empty partial_json, then the pieces.
            deltas = [
                {"type": "input_json_delta", "partial_json": c}
                for c in ["", *_chunks(json.dumps(block["input"]))]
            ]
        frames.append(
            _event(
                "content_block_start",
                {"type": "content_block_start", "index": index, "content_block": empty},
            )
        )
        frames += [
            _event(
                "content_block_delta", {"type": "content_block_delta", "index": index, "delta": d}
            )
            for d in deltas
        ]
        frames.append(_event("content_block_stop", {"type": "content_block_stop", "index": index}))
    frames.append(
        _event(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": head["stop_reason"], "stop_sequence": None},
                "usage": head["usage"],
            },
        )
    )
    frames.append(_event("message_stop", {"type": "message_stop"}))
    return frames


def error_body(error: ApiError, *, request_id: str) -> dict[str, Any]:
    """The API's error object: ``{"type": "error", "error": {"type": ..., "message": ...}}``."""
    return {
        "type": "error",
        "error": {"type": error.type, "message": error.message},
        "request_id": request_id,
    }


def count_tokens(body: Any) -> dict[str, Any]:
    """``/v1/messages/count_tokens``: a rough estimate, a quarter of the request's characters."""
    return {"input_tokens": max(1, len(json.dumps(body)) // 4)}
