"""A turn as the OpenAI Responses API sends it: one ``response`` object, or server-sent events.

Streams follow the API's own order: ``response.created`` and ``response.in_progress``; per
output item ``response.output_item.added``, its deltas (``response.reasoning_summary_text.delta``
for thinking, ``response.output_text.delta`` for text, ``response.function_call_arguments.delta``
for a tool call) and ``response.output_item.done``; then ``response.completed`` (or
``response.incomplete`` for ``stop_reason="max_tokens"``) with the usage. A ``refusal`` stop
reason turns the text into a ``refusal`` content part.
"""

from __future__ import annotations

import json
from typing import Any

from godel.testing.fake_model.script import Turn

CHUNK = 24  # characters per delta: several deltas per item, like the real API


def _usage(turn: Turn) -> dict[str, Any]:
    cached = turn.usage.cache_read_input_tokens
    # The Responses API counts cached tokens inside input_tokens.
    prompt, completion = turn.input_tokens() + cached, turn.output_tokens()
    return {
        "input_tokens": prompt,
        "input_tokens_details": {"cached_tokens": cached},
        "output_tokens": completion,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": prompt + completion,
    }


def _items(turn: Turn, *, ident: str, tool_ids: list[str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    if turn.thinking:
        items.append(
            {
                "id": f"rs_{ident}",
                "type": "reasoning",
                "summary": [{"type": "summary_text", "text": turn.thinking}],
            }
        )
    if turn.content or not (turn.thinking or turn.tool_calls):
        part = (
            {"type": "refusal", "refusal": turn.content}
            if turn.stop_reason == "refusal"
            else {"type": "output_text", "text": turn.content, "annotations": []}
        )
        items.append(
            {
                "id": f"msg_{ident}",
                "type": "message",
                "status": "completed",
                "role": "assistant",
                "content": [part],
            }
        )
    for n, (call, call_id) in enumerate(zip(turn.tool_calls, tool_ids, strict=True)):
        items.append(
            {
                "id": f"fc_{ident}_{n}",
                "type": "function_call",
                "status": "completed",
                "call_id": call_id,
                "name": call.name,
                "arguments": json.dumps(dict(call.input)),
            }
        )
    return items


def response(
    turn: Turn, *, model: str, response_id: str, tool_ids: list[str], created: int
) -> dict[str, Any]:
    """The non-streamed answer: one ``response`` object."""
    incomplete = turn.stop_reason == "max_tokens"
    return {
        "id": response_id,
        "object": "response",
        "created_at": created,
        "status": "incomplete" if incomplete else "completed",
        "incomplete_details": {"reason": "max_output_tokens"} if incomplete else None,
        "error": None,
        "model": model,
        "output": _items(turn, ident=response_id.removeprefix("resp_"), tool_ids=tool_ids),
        "parallel_tool_calls": True,
        "usage": _usage(turn),
    }


def _chunks(text: str) -> list[str]:
    return [text[i : i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]


def stream(
    turn: Turn, *, model: str, response_id: str, tool_ids: list[str], created: int
) -> list[bytes]:
    """The streamed answer: the SSE frames in order (the first is ``response.created``)."""
    final = response(turn, model=model, response_id=response_id, tool_ids=tool_ids, created=created)
    head = {**final, "status": "in_progress", "output": [], "usage": None}
    head["incomplete_details"] = None
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": head},
        {"type": "response.in_progress", "response": head},
    ]
    for index, item in enumerate(final["output"]):
        events += _item_events(index, item)
    done = "response.incomplete" if final["status"] == "incomplete" else "response.completed"
    events.append({"type": done, "response": final})
    return [_event(n, e) for n, e in enumerate(events)]


def _item_events(index: int, item: dict[str, Any]) -> list[dict[str, Any]]:
    where = {"item_id": item["id"], "output_index": index}
    kind = item["type"]
    if kind == "function_call":
        start = {**item, "status": "in_progress", "arguments": ""}
        deltas = [
            {"type": "response.function_call_arguments.delta", **where, "delta": c}
            for c in _chunks(item["arguments"])
        ]
        deltas.append(
            {
                "type": "response.function_call_arguments.done",
                **where,
                "arguments": item["arguments"],
            }
        )
    elif kind == "reasoning":
        start = {**item, "summary": []}
        text = item["summary"][0]["text"]
        part = {"summary_index": 0}
        deltas = [
            {
                "type": "response.reasoning_summary_part.added",
                **where,
                **part,
                "part": {"type": "summary_text", "text": ""},
            },
            *(
                {"type": "response.reasoning_summary_text.delta", **where, **part, "delta": c}
                for c in _chunks(text)
            ),
            {"type": "response.reasoning_summary_text.done", **where, **part, "text": text},
            {
                "type": "response.reasoning_summary_part.done",
                **where,
                **part,
                "part": item["summary"][0],
            },
        ]
    else:
        start = {**item, "status": "in_progress", "content": []}
        content = item["content"][0]
        part = {"content_index": 0}
        if content["type"] == "refusal":
            empty, name, text = {"type": "refusal", "refusal": ""}, "refusal", content["refusal"]
        else:
            empty = {"type": "output_text", "text": "", "annotations": []}
            name, text = "output_text", content["text"]
        deltas = [
            {"type": "response.content_part.added", **where, **part, "part": empty},
            *(
                {"type": f"response.{name}.delta", **where, **part, "delta": c}
                for c in _chunks(text)
            ),
            {
                "type": f"response.{name}.done",
                **where,
                **part,
                ("refusal" if name == "refusal" else "text"): text,
            },
            {"type": "response.content_part.done", **where, **part, "part": content},
        ]
    return [
        {"type": "response.output_item.added", "output_index": index, "item": start},
        *deltas,
        {"type": "response.output_item.done", "output_index": index, "item": item},
    ]


def _event(sequence: int, data: dict[str, Any]) -> bytes:
    payload = json.dumps({**data, "sequence_number": sequence}, separators=(",", ":"))
    return f"event: {data['type']}\ndata: {payload}\n\n".encode()
