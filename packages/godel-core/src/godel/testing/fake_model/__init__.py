"""A scriptable fake model server, for running the real agent CLIs offline in tests.

It answers the Anthropic Messages API (``POST /v1/messages``, streamed or not, plus
``/v1/messages/count_tokens``, ``/v1/models`` and ``HEAD /``), the OpenAI chat-completions
API (``POST /v1/chat/completions`` and ``/chat/completions``) and the OpenAI Responses API
(``POST /v1/responses``, streamed as server-sent events or not; what codex speaks), on
127.0.0.1, from a script::

    from godel.testing.fake_model import FakeModelServer, Script, Turn

    script = Script([
        Turn.tool("Write", {"file_path": "hello.txt", "content": "hi\\n"}),
        Turn.text("Wrote hello.txt."),
    ])
    with FakeModelServer(script) as server:
        env = {**os.environ, **server.anthropic_env(tmp_path / "home")}
        subprocess.run(["claude", "-p", "write it", "--dangerously-skip-permissions"], env=env)
        assert server.main_requests[1].last_user_text.startswith("File created")

Main requests (the agent's conversation) take the turns in order; auxiliary ones (title
generation, quota probes: no tools, and ``max_tokens: 1`` or a JSON ``output_config``) get
``aux_text``; once no turn is
left, main requests get ``exhausted_text`` and :attr:`FakeModelServer.exhausted` counts them.

The JSON script format (``Script.load(path)``, ``python -m godel.testing.fake_model --script``)
is a list of turns, or an object ``{"turns": [...], "exhausted_text": "...", "aux_text": "..."}``.
A turn is a string (a text answer) or an object with these keys:

- ``"text"``: the answer's text. ``"thinking"``: a thinking block before it.
- ``"tool"`` + ``"input"`` (+ ``"id"``): one tool call, e.g.
  ``{"tool": "Write", "input": {"file_path": "a.txt", "content": "x"}}``; or ``"tools"``: a list
  of ``{"name": ..., "input": {...}}`` for several calls in one answer. ``"text"`` may go with them.
- ``"error"``: an HTTP error instead of an answer: a status (``500``), or
  ``{"status": 400, "type": "invalid_request_error", "message": "prompt is too long",
  "retry": false, "retry_after": 2}`` (``type`` defaults from the status; ``retry`` sets
  ``x-should-retry``, ``retry_after`` the ``retry-after`` headers).
- ``"delay"``: seconds to wait before answering.
- ``"stall"``: seconds to hang after the headers and the first event, before the rest.
- ``"usage"``: ``{"input_tokens": 100, "output_tokens": 5, "cache_read_input_tokens": 0,
  "cache_creation_input_tokens": 0}`` (defaults: 100 input, a quarter of the output characters).
- ``"when"``: answer only a request whose current prompt contains this text.
- ``"stop_reason"``: override ``end_turn`` / ``tool_use``.
- ``"repeat"``: play this turn N times (e.g. an error for every retry).

For example::

    {"turns": [
        {"tool": "StructuredOutput", "input": {"verdict": "ok"}},
        {"text": "done", "usage": {"input_tokens": 1200, "output_tokens": 3}},
        {"error": {"status": 529}, "repeat": 3},
        {"stall": 30},
        {"text": "LGTM", "when": "review"}
    ]}

See docs/testing.md for the environment each CLI needs and what the CLIs send.

Modules: ``script`` (turns and the JSON form), ``server`` (the server and turn selection),
``conversation`` (reading requests, the main/auxiliary rule), ``anthropic``, ``openai`` and
``responses`` (the wire formats), ``recorded`` (request records), ``clis`` (the CLIs' environments), ``transport``
(HTTP plumbing).
"""

from __future__ import annotations

from godel.testing.fake_model.recorded import RecordedRequest, read_requests_log
from godel.testing.fake_model.script import ApiError, Script, ScriptError, ToolCall, Turn, Usage
from godel.testing.fake_model.server import FakeModelServer

__all__ = [
    "ApiError",
    "FakeModelServer",
    "RecordedRequest",
    "Script",
    "ScriptError",
    "ToolCall",
    "Turn",
    "Usage",
    "read_requests_log",
]
