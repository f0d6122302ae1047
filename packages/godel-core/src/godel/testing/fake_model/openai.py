"""A turn as the OpenAI chat-completions API sends it: one JSON completion, or ``data:`` chunks.

Streams open with a chunk carrying the assistant role, then content and ``tool_calls`` deltas,
a chunk with the ``finish_reason``, a usage chunk (``choices: []``) when the request asked for
``stream_options.include_usage``, and ``data: [DONE]``. Thinking is not sent: chat completions
have no standard field for it.
"""

from __future__ import annotations

import json
from typing import Any

from godel.testing.fake_model.script import ApiError, Turn

CHUNK = 24
FINISH_REASONS = {
    "end_turn": "stop",
    "tool_use": "tool_calls",
    "max_tokens": "length",
    "stop_sequence": "stop",
}


def _usage(turn: Turn) -> dict[str, Any]:
    prompt, completion = turn.input_tokens(), turn.output_tokens()
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": turn.usage.cache_read_input_tokens},
    }


def _finish_reason(turn: Turn) -> str:
    reason = turn.resolved_stop_reason()
    return FINISH_REASONS.get(reason, reason)


def _tool_calls(turn: Turn, tool_ids: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "id": tool_id,
            "type": "function",
            "function": {"name": call.name, "arguments": json.dumps(dict(call.input))},
        }
        for call, tool_id in zip(turn.tool_calls, tool_ids, strict=True)
    ]


def completion(
    turn: Turn, *, model: str, completion_id: str, tool_ids: list[str], created: int
) -> dict[str, Any]:
    """The non-streamed answer: one ``chat.completion`` object."""
    msg: dict[str, Any] = {
        "role": "assistant",
        "content": turn.content if turn.content or not turn.tool_calls else None,
    }
    if turn.tool_calls:
        msg["tool_calls"] = _tool_calls(turn, tool_ids)
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {"index": 0, "message": msg, "logprobs": None, "finish_reason": _finish_reason(turn)}
        ],
        "usage": _usage(turn),
    }


def _data(payload: dict[str, Any] | str) -> bytes:
    text = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
    return f"data: {text}\n\n".encode()


def stream(
    turn: Turn,
    *,
    model: str,
    completion_id: str,
    tool_ids: list[str],
    created: int,
    include_usage: bool,
) -> list[bytes]:
    """The streamed answer: the SSE frames in order (the first announces the role)."""

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        return _data(
            {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [
                    {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
                ],
            }
        )

    frames = [chunk({"role": "assistant", "content": ""})]
    text = turn.content
    frames += [chunk({"content": text[i : i + CHUNK]}) for i in range(0, len(text), CHUNK)]
    for index, call in enumerate(_tool_calls(turn, tool_ids)):
        fn = call["function"]
        frames.append(
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": index,
                            "id": call["id"],
                            "type": "function",
                            "function": {"name": fn["name"], "arguments": ""},
                        }
                    ]
                }
            )
        )
        args = fn["arguments"]
        frames += [
            chunk(
                {"tool_calls": [{"index": index, "function": {"arguments": args[i : i + CHUNK]}}]}
            )
            for i in range(0, len(args), CHUNK)
        ]
    frames.append(chunk({}, _finish_reason(turn)))
    if include_usage:
        frames.append(
            _data(
                {
                    "id": completion_id,
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": model,
                    "choices": [],
                    "usage": _usage(turn),
                }
            )
        )
    frames.append(_data("[DONE]"))
    return frames


def error_body(error: ApiError) -> dict[str, Any]:
    """OpenAI's error object: ``{"error": {"message": ..., "type": ..., "code": ...}}``."""
    return {
        "error": {"message": error.message, "type": error.type, "param": None, "code": error.type}
    }
