"""What the fake model answers: turns, scripts, and their JSON form.

A :class:`Script` is a list of :class:`Turn`; each main (agent-conversation) request takes the
next turn. The JSON form is described in the package docstring (``godel.testing.fake_model``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_EXHAUSTED_TEXT = "fake-model: script exhausted"
DEFAULT_AUX_TEXT = "fake-model: ok"
DEFAULT_INPUT_TOKENS = 100

# The error ``type`` the Anthropic API sends with each status; OpenAI-style answers reuse it.
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    503: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}

ERROR_MESSAGES = {
    "invalid_request_error": "Invalid request",
    "authentication_error": "invalid x-api-key",
    "permission_error": "Your API key does not have permission to use the specified resource.",
    "not_found_error": "The requested resource could not be found.",
    "request_too_large": "Request exceeds the maximum allowed number of bytes.",
    "rate_limit_error": "Number of request tokens has exceeded your per-minute rate limit",
    "api_error": "Internal server error",
    "timeout_error": "Request timed out",
    "overloaded_error": "Overloaded",
}


class ScriptError(ValueError):
    """A script that cannot be used. The message names the source and the offending entry."""


@dataclass(frozen=True)
class ToolCall:
    """One tool call the model makes: ``ToolCall("Write", {"file_path": "a.txt", "content": "x"})``.

    ``id`` is the ``tool_use`` id; left out, the server numbers them (``toolu_fake_<server>_0001``...).
    """

    name: str
    input: Mapping[str, Any] = field(default_factory=dict)
    id: str | None = None


@dataclass(frozen=True)
class ApiError:
    """An HTTP error answer, in the API's own error format.

    ``type`` defaults from the status (500 → ``api_error``, 529 → ``overloaded_error``, 400 →
    ``invalid_request_error``...). ``retry`` sets the ``x-should-retry`` header, which the
    Anthropic SDKs obey (``False``: fail at once; ``True``: retry even a 400); ``None`` sends
    no header. ``retry_after`` (seconds) sets ``retry-after`` and ``retry-after-ms``, which
    set the client's wait before it retries.
    """

    status: int
    message: str = ""
    type: str = ""
    retry: bool | None = None
    retry_after: float | None = None

    def __post_init__(self) -> None:
        kind = self.type or ERROR_TYPES.get(self.status, "api_error")
        object.__setattr__(self, "type", kind)
        object.__setattr__(self, "message", self.message or ERROR_MESSAGES.get(kind, "Error"))


@dataclass(frozen=True)
class Usage:
    """Token counts reported for a turn. ``None`` means "estimate": input tokens default to
    ``DEFAULT_INPUT_TOKENS``, output tokens to a quarter of the characters produced (at least 1)."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0


@dataclass(frozen=True)
class Turn:
    """One scripted model answer. Build them with the constructors, which take the options below.

    - :meth:`text`, :meth:`tool`, :meth:`tools`, :meth:`error`, :meth:`stall`.
    - ``delay``: seconds to wait before answering at all.
    - ``usage``: a :class:`Usage` (or a dict of its fields).
    - ``when``: only answer a request whose current prompt contains this substring (so that
      parallel conversations can be scripted deterministically); ``None`` answers any request.
    - ``stop_reason``: override ``end_turn`` / ``tool_use`` (e.g. ``"max_tokens"``).
    """

    content: str = ""
    thinking: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    http_error: ApiError | None = None
    delay: float = 0.0
    stall_for: float = 0.0
    usage: Usage = field(default_factory=Usage)
    when: str | None = None
    stop_reason: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.usage, Mapping):
            object.__setattr__(self, "usage", Usage(**self.usage))
        object.__setattr__(self, "tool_calls", tuple(self.tool_calls))
        if self.http_error is not None and (self.content or self.thinking or self.tool_calls):
            raise ScriptError("an error turn cannot also carry text, thinking or tool calls")

    # Constructors ---------------------------------------------------------------------------

    @classmethod
    def text(cls, text: str, *, thinking: str = "", **options: Any) -> Turn:
        """The model answers ``text`` (after a thinking block, if ``thinking`` is given)."""
        return cls(content=text, thinking=thinking, **options)

    @classmethod
    def tool(
        cls,
        name: str,
        input: Mapping[str, Any] | None = None,
        *,
        id: str | None = None,
        text: str = "",
        **options: Any,
    ) -> Turn:
        """The model calls one tool (after saying ``text``, if given)."""
        return cls(content=text, tool_calls=(ToolCall(name, dict(input or {}), id),), **options)

    @classmethod
    def tools(
        cls, *calls: ToolCall | tuple[str, Mapping[str, Any]], text: str = "", **options: Any
    ) -> Turn:
        """The model calls several tools in one answer: ``Turn.tools(("Bash", {...}), ...)``."""
        built = tuple(c if isinstance(c, ToolCall) else ToolCall(c[0], dict(c[1])) for c in calls)
        return cls(content=text, tool_calls=built, **options)

    @classmethod
    def error(
        cls,
        status: int,
        message: str = "",
        *,
        type: str = "",
        retry: bool | None = None,
        retry_after: float | None = None,
        **options: Any,
    ) -> Turn:
        """The API fails with HTTP ``status`` (see :class:`ApiError`)."""
        return cls(http_error=ApiError(status, message, type, retry, retry_after), **options)

    @classmethod
    def stall(cls, seconds: float, text: str = "", **options: Any) -> Turn:
        """Send the headers and the first event, then hang for ``seconds``, then finish with
        ``text`` (if the client is still there). For testing watchdogs."""
        return cls(content=text, stall_for=seconds, **options)

    # Derived --------------------------------------------------------------------------------

    def resolved_stop_reason(self) -> str:
        """``stop_reason`` as sent: the override, else ``tool_use`` or ``end_turn``."""
        return self.stop_reason or ("tool_use" if self.tool_calls else "end_turn")

    def output_tokens(self) -> int:
        """The output token count to report."""
        if self.usage.output_tokens is not None:
            return self.usage.output_tokens
        size = len(self.content) + len(self.thinking)
        size += sum(len(c.name) + len(json.dumps(dict(c.input))) for c in self.tool_calls)
        return max(1, math.ceil(size / 4))

    def input_tokens(self) -> int:
        """The input token count to report."""
        if self.usage.input_tokens is not None:
            return self.usage.input_tokens
        return DEFAULT_INPUT_TOKENS

    def to_json(self) -> dict[str, Any]:
        """The JSON form of this turn (what :func:`turn_from_json` reads)."""
        out: dict[str, Any] = {}
        if self.http_error is not None:
            err = self.http_error
            out["error"] = {"status": err.status, "type": err.type, "message": err.message}
            if err.retry is not None:
                out["error"]["retry"] = err.retry
            if err.retry_after is not None:
                out["error"]["retry_after"] = err.retry_after
        if self.content or not (
            self.http_error or self.tool_calls or self.thinking or self.stall_for
        ):
            out["text"] = self.content
        if self.thinking:
            out["thinking"] = self.thinking
        if self.tool_calls:
            out["tools"] = [
                {"name": c.name, "input": dict(c.input), **({"id": c.id} if c.id else {})}
                for c in self.tool_calls
            ]
        for key, value, default in (
            ("delay", self.delay, 0.0),
            ("stall", self.stall_for, 0.0),
            ("when", self.when, None),
            ("stop_reason", self.stop_reason, None),
        ):
            if value != default:
                out[key] = value
        usage = {k: v for k, v in vars(self.usage).items() if v not in (None, 0)}
        if usage:
            out["usage"] = usage
        return out


TurnLike = Turn | str


def as_turn(item: TurnLike) -> Turn:
    """A plain string is shorthand for ``Turn.text(string)``."""
    return Turn.text(item) if isinstance(item, str) else item


@dataclass(frozen=True, init=False)
class Script:
    """The turns the fake model plays, in order, plus the texts for unscripted requests.

    ``Script([Turn.text("hi"), Turn.tool("Write", {...}), Turn.error(500)])``. Strings stand
    for text turns. ``exhausted_text`` answers main requests once no turn is left;
    ``aux_text`` answers auxiliary requests (title generation, quota probes...).
    """

    turns: tuple[Turn, ...]
    exhausted_text: str
    aux_text: str

    def __init__(
        self,
        turns: Iterable[TurnLike] = (),
        *,
        exhausted_text: str = DEFAULT_EXHAUSTED_TEXT,
        aux_text: str = DEFAULT_AUX_TEXT,
    ) -> None:
        object.__setattr__(self, "turns", tuple(as_turn(t) for t in turns))
        object.__setattr__(self, "exhausted_text", exhausted_text)
        object.__setattr__(self, "aux_text", aux_text)

    @classmethod
    def load(cls, path: str | Path) -> Script:
        """Read a JSON script file; raises :class:`ScriptError` naming the file and the problem."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ScriptError(f"{path}: cannot read the script: {exc.strerror or exc}") from None
        return cls.from_json_text(text, source=str(path))

    @classmethod
    def from_json_text(cls, text: str, *, source: str = "script") -> Script:
        """Parse the JSON form from a string."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScriptError(
                f"{source}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from None
        return cls.from_json(data, source=source)

    @classmethod
    def from_json(cls, data: Any, *, source: str = "script") -> Script:
        """Build a script from its parsed JSON form (a list of turns, or an object)."""
        if isinstance(data, list):
            data = {"turns": data}
        if not isinstance(data, dict):
            raise ScriptError(
                f"{source}: a script is a JSON object or a list of turns, not {_json_type(data)}"
            )
        _check_keys(data, {"turns", "exhausted_text", "aux_text"}, source)
        raw_turns = data.get("turns", [])
        if not isinstance(raw_turns, list):
            raise ScriptError(f"{source}: 'turns' must be a list, not {_json_type(raw_turns)}")
        turns: list[Turn] = []
        for i, raw in enumerate(raw_turns):
            turn, repeat = turn_from_json(raw, where=f"{source}: turns[{i}]")
            turns.extend([turn] * repeat)
        texts = {k: _str(data, k, source) for k in ("exhausted_text", "aux_text") if k in data}
        return cls(turns, **texts)

    def to_json(self) -> dict[str, Any]:
        """The JSON form (what :meth:`from_json` reads)."""
        out: dict[str, Any] = {"turns": [t.to_json() for t in self.turns]}
        if self.exhausted_text != DEFAULT_EXHAUSTED_TEXT:
            out["exhausted_text"] = self.exhausted_text
        if self.aux_text != DEFAULT_AUX_TEXT:
            out["aux_text"] = self.aux_text
        return out

    def dump(self, path: str | Path) -> Path:
        """Write the JSON form to ``path`` (for ``python -m godel.testing.fake_model --script``)."""
        path = Path(path)
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")
        return path


# JSON reading ---------------------------------------------------------------------------------

TURN_KEYS = {
    "text",
    "thinking",
    "tool",
    "input",
    "id",
    "tools",
    "error",
    "delay",
    "stall",
    "usage",
    "when",
    "stop_reason",
    "repeat",
}
USAGE_KEYS = {
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
}


def turn_from_json(raw: Any, *, where: str = "turn") -> tuple[Turn, int]:
    """One turn from its JSON form; returns ``(turn, repeat)``. A string is a text turn."""
    if isinstance(raw, str):
        return Turn.text(raw), 1
    if not isinstance(raw, dict):
        raise ScriptError(f"{where}: a turn is a JSON object or a string, not {_json_type(raw)}")
    _check_keys(raw, TURN_KEYS, where)
    if not raw.keys() & {"text", "thinking", "tool", "tools", "error", "stall"}:
        raise ScriptError(
            f"{where}: a turn needs one of 'text', 'thinking', 'tool', 'tools', 'error' or 'stall'"
        )
    if "tool" in raw and "tools" in raw:
        raise ScriptError(f"{where}: use either 'tool' or 'tools', not both")
    if ("input" in raw or "id" in raw) and "tool" not in raw:
        raise ScriptError(f"{where}: 'input' and 'id' go with 'tool'")
    calls: list[ToolCall] = []
    if "tool" in raw:
        calls.append(
            _tool_call(
                {
                    "name": raw["tool"],
                    "input": raw.get("input", {}),
                    **({"id": raw["id"]} if "id" in raw else {}),
                },
                where,
            )
        )
    if "tools" in raw:
        if not isinstance(raw["tools"], list) or not raw["tools"]:
            raise ScriptError(
                f'{where}: \'tools\' must be a non-empty list of {{"name": ..., "input": {{...}}}}'
            )
        calls += [_tool_call(c, f"{where}.tools[{j}]") for j, c in enumerate(raw["tools"])]
    error = _error(raw["error"], f"{where}.error") if "error" in raw else None
    if error is not None and raw.keys() & {"text", "thinking", "tool", "tools", "stall"}:
        raise ScriptError(
            f"{where}: an 'error' turn cannot also have 'text', 'thinking', 'tool(s)' or 'stall'"
        )
    usage = raw.get("usage", {})
    if not isinstance(usage, dict):
        raise ScriptError(f"{where}: 'usage' must be an object, not {_json_type(usage)}")
    _check_keys(usage, USAGE_KEYS, f"{where}.usage")
    for key, value in usage.items():
        if not _is_int(value) or value < 0:
            raise ScriptError(f"{where}.usage: '{key}' must be a non-negative integer")
    repeat = raw.get("repeat", 1)
    if not _is_int(repeat) or repeat < 1:
        raise ScriptError(f"{where}: 'repeat' must be a positive integer")
    when = raw.get("when")
    if when is not None and (not isinstance(when, str) or not when):
        raise ScriptError(f"{where}: 'when' must be a non-empty string")
    stop_reason = raw.get("stop_reason")
    if stop_reason is not None and not isinstance(stop_reason, str):
        raise ScriptError(f"{where}: 'stop_reason' must be a string")
    turn = Turn(
        content=_str(raw, "text", where) if "text" in raw else "",
        thinking=_str(raw, "thinking", where) if "thinking" in raw else "",
        tool_calls=tuple(calls),
        http_error=error,
        delay=_seconds(raw, "delay", where),
        stall_for=_seconds(raw, "stall", where),
        usage=Usage(**usage),
        when=when,
        stop_reason=stop_reason,
    )
    return turn, repeat


def _tool_call(raw: Any, where: str) -> ToolCall:
    if not isinstance(raw, dict):
        raise ScriptError(f'{where}: a tool call is an object {{"name": ..., "input": {{...}}}}')
    _check_keys(raw, {"name", "input", "id"}, where)
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise ScriptError(f"{where}: the tool name must be a non-empty string")
    tool_input = raw.get("input", {})
    if not isinstance(tool_input, dict):
        raise ScriptError(
            f"{where}: the input of tool '{name}' must be a JSON object, "
            f"not {_json_type(tool_input)}"
        )
    tool_id = raw.get("id")
    if tool_id is not None and (not isinstance(tool_id, str) or not tool_id):
        raise ScriptError(f"{where}: the id of tool '{name}' must be a non-empty string")
    return ToolCall(name, tool_input, tool_id)


def _error(raw: Any, where: str) -> ApiError:
    if _is_int(raw):
        raw = {"status": raw}
    if not isinstance(raw, dict):
        raise ScriptError(
            f"{where}: an error is a status code or an object "
            f'{{"status": 500, "type": ..., "message": ...}}'
        )
    _check_keys(raw, {"status", "type", "message", "retry", "retry_after"}, where)
    status = raw.get("status")
    if not _is_int(status) or not 400 <= status <= 599:
        raise ScriptError(
            f"{where}: 'status' must be an HTTP error status (400-599), got {status!r}"
        )
    retry = raw.get("retry")
    if retry is not None and not isinstance(retry, bool):
        raise ScriptError(f"{where}: 'retry' must be true or false")
    retry_after = _seconds(raw, "retry_after", where) if "retry_after" in raw else None
    return ApiError(
        status,
        _str(raw, "message", where) if "message" in raw else "",
        _str(raw, "type", where) if "type" in raw else "",
        retry,
        retry_after,
    )


def _check_keys(obj: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise ScriptError(
            f"{where}: unknown key {unknown[0]!r} (expected one of: {', '.join(sorted(allowed))})"
        )


def _str(obj: dict[str, Any], key: str, where: str) -> str:
    value = obj[key]
    if not isinstance(value, str):
        raise ScriptError(f"{where}: '{key}' must be a string, not {_json_type(value)}")
    return value


def _seconds(obj: dict[str, Any], key: str, where: str) -> float:
    value = obj.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ScriptError(f"{where}: '{key}' must be a non-negative number of seconds")
    return float(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _json_type(value: Any) -> str:
    names = {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)
