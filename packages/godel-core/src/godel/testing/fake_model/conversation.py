"""Reading a model request: its prompt, its tools, and whether it is the agent's conversation.

Anthropic and chat completions carry ``messages`` with ``role`` and ``content`` (a string or a
list of blocks), so one reader serves both. Anthropic puts the system prompt in ``system`` and
tool results in ``tool_result`` blocks of a user message; OpenAI uses ``system`` and ``tool``
role messages. The Responses API sends ``input`` items instead (messages, ``function_call``
and ``function_call_output``) and ``instructions``: they are read as the same messages.
"""

from __future__ import annotations

from typing import Any

# Text Claude Code adds on the user's side that a person did not write: context blocks (date,
# memory) and the nudge it sends when a --json-schema answer lacks the StructuredOutput call.
# Codex adds its environment and AGENTS.md instructions as user messages.
_NOT_THE_PROMPT = (
    "<system-reminder>",
    "[structured-output-enforce]",
    "<environment_context>",
    "<user_instructions>",
    "# AGENTS.md instructions",
)


def is_main_request(body: Any) -> bool:
    """The rule that separates the agent's conversation from auxiliary requests.

    A request is *main* when it offers the model at least one tool (the agent loop of both
    CLIs does), or when it offers none but is not one of the CLIs' side-request shapes: a
    quota probe (``max_tokens`` of 1) or a request for a small structured reply through
    ``output_config.format`` (claude's title and topic generation). So an agent run with all
    tools disabled (``claude --tools ""``) still takes its scripted turns. Only main requests
    consume scripted turns.
    """
    if not isinstance(body, dict):
        return False
    if body.get("tools"):
        return True
    output_config = body.get("output_config")
    side_request = body.get("max_tokens") == 1 or (
        isinstance(output_config, dict) and output_config.get("format") is not None
    )
    return not side_request


def block_text(content: Any, *, tool_results: bool = True) -> str:
    """The text in a message ``content`` (a string or a list of blocks), blocks joined by newlines."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    parts: list[str] = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict):
            kind = block.get("type")
            if kind in ("text", "input_text", "output_text") and isinstance(block.get("text"), str):
                parts.append(block["text"])
            elif kind == "tool_result" and tool_results:
                parts.append(block_text(block.get("content")))
    return "\n".join(p for p in parts if p)


def messages(body: Any) -> list[dict[str, Any]]:
    """The request's messages (only the well-formed ones); Responses ``input`` items as messages."""
    if not isinstance(body, dict):
        return []
    if "messages" not in body and "input" in body:
        return _input_messages(body["input"])
    raw = body.get("messages")
    return [m for m in raw if isinstance(m, dict)] if isinstance(raw, list) else []


def _input_messages(items: Any) -> list[dict[str, Any]]:
    # A function call becomes an assistant message with tool_calls, its output a `tool` message,
    # as in chat completions; reasoning items carry no conversation text.
    if isinstance(items, str):
        return [{"role": "user", "content": items}]
    out: list[dict[str, Any]] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        kind = item.get("type", "message")
        if kind == "message" and "role" in item:
            out.append({"role": item["role"], "content": item.get("content")})
        elif kind == "function_call":
            call = {"name": item.get("name"), "arguments": item.get("arguments")}
            call_id = item.get("call_id")
            out.append({"role": "assistant", "tool_calls": [{"id": call_id, "function": call}]})
        elif kind in ("function_call_output", "custom_tool_call_output"):
            output = item.get("output")
            out.append({"role": "tool", "tool_call_id": item.get("call_id"), "content": output})
    return out


def last_user_text(body: Any) -> str:
    """All the text of the last message from the user's side, tool results included.

    That is the last ``user`` message, or, when the conversation ends with OpenAI ``tool``
    messages (tool results), their text.
    """
    tool_results: list[str] = []
    for message in reversed(messages(body)):
        role = message.get("role")
        if role == "tool":
            tool_results.insert(0, block_text(message.get("content")))
        elif tool_results:
            break
        elif role == "user":
            return block_text(message.get("content"))
    return "\n".join(tool_results)


def prompt_text(body: Any) -> str:
    """The current prompt: the last user message that a person wrote, not a tool result.

    After the CLI runs a tool, the newest user message only holds the tool's result; the
    prompt that started the exchange is further back. Claude Code's ``<system-reminder>``
    blocks and its ``[structured-output-enforce]`` nudges are left out.
    """
    for message in reversed(messages(body)):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        blocks = content if isinstance(content, list) else [content]
        texts = [
            block_text([b], tool_results=False) if not isinstance(b, str) else b for b in blocks
        ]
        texts = [t for t in texts if t.strip() and not t.lstrip().startswith(_NOT_THE_PROMPT)]
        if texts:
            return "\n".join(texts)
    return ""


def system_text(body: Any) -> str:
    """The system prompt: Anthropic's ``system``, or OpenAI's ``instructions`` and system/developer messages."""
    if not isinstance(body, dict):
        return ""
    if "system" in body:
        return block_text(body["system"])
    parts = [body["instructions"]] if isinstance(body.get("instructions"), str) else []
    parts += [
        block_text(m.get("content"))
        for m in messages(body)
        if m.get("role") in ("system", "developer")
    ]
    return "\n".join(parts)


def tool_names(body: Any) -> list[str]:
    """The names of the tools offered (Anthropic ``name``, or OpenAI ``function.name``)."""
    tools = body.get("tools") if isinstance(body, dict) else None
    names: list[str] = []
    for tool in tools if isinstance(tools, list) else []:
        if isinstance(tool, dict):
            fn = tool.get("function")
            name = fn.get("name") if isinstance(fn, dict) else tool.get("name")
            if isinstance(name, str):
                names.append(name)
    return names
