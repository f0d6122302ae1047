"""The fake model server: plays a :class:`Script` on 127.0.0.1 and records every request."""

from __future__ import annotations

import itertools
import json
import math
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from godel.testing.fake_model import anthropic, clis, conversation, openai, responses, transport
from godel.testing.fake_model.recorded import RecordedRequest, redact
from godel.testing.fake_model.script import ApiError, Script, Turn, TurnLike, as_turn

MODELS = ("claude-sonnet-4-6", "claude-opus-4-6", "claude-haiku-4-5", "gpt-4.1")


class FakeModelServer:
    """A scriptable stand-in for the Anthropic and OpenAI APIs, for running agent CLIs offline.

    ::

        with FakeModelServer(Script([Turn.text("hi")])) as server:
            env = {**os.environ, **server.anthropic_env(tmp_path / "home")}
            subprocess.run(["claude", "-p", "say hi"], env=env)
            assert server.main_requests[0].prompt == "say hi"

    Main requests (see :func:`~godel.testing.fake_model.conversation.is_main_request`, or pass
    ``is_main``) take the scripted turns in order; a turn with ``when`` is kept for the request
    whose prompt contains that text. Every request is recorded in :attr:`requests`, and written
    as one JSON line to ``requests_log`` when given.
    """

    def __init__(
        self,
        script: Script | Iterable[TurnLike] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        requests_log: str | os.PathLike[str] | None = None,
        is_main: Callable[[Any], bool] = conversation.is_main_request,
    ) -> None:
        self._host, self._port = host, port
        self._is_main = is_main
        self._log_path = Path(requests_log) if requests_log is not None else None
        self._log: IO[str] | None = None
        self._cond = threading.Condition()  # guards everything below, and signals new requests
        self._script = Script()
        self._used: list[bool] = []
        self._records: list[RecordedRequest] = []
        self._exhausted = 0
        self._tool_ids = itertools.count(1)
        # Ids differ between servers: claude merges transcript entries that share a message id,
        # and a resumed session may have been recorded against another server.
        self._token = secrets.token_hex(3)
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._httpd: transport.HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.set_script(script)

    # Life cycle -----------------------------------------------------------------------------

    def start(self) -> FakeModelServer:
        """Bind and serve in a background thread. Returns ``self``."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = transport.HTTPServer((self._host, self._port), self)
        if self._log_path is not None:
            self._log = self._log_path.open("w", encoding="utf-8")
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            name="fake-model-server",
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: cut delays and stalls short, close every connection, join every thread."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        with self._cond:
            open_connections = list(self._connections)
        for conn in open_connections:
            transport.shutdown(conn)
        httpd.server_close()  # joins the handler threads
        if self._thread is not None:
            self._thread.join()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> FakeModelServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port bound (the server must be started)."""
        if self._httpd is None:
            raise RuntimeError("the fake model server is not running; call start() first")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:41234`` (for ``ANTHROPIC_BASE_URL``)."""
        return f"http://{self._host}:{self.port}"

    # The script -----------------------------------------------------------------------------

    def set_script(self, script: Script | Iterable[TurnLike] | None) -> None:
        """Replace the script; every turn is unplayed again. Safe while serving."""
        if script is None:
            script = Script()
        elif not isinstance(script, Script):
            script = Script(script)
        with self._cond:
            self._script = script
            self._used = [False] * len(script.turns)

    def add(self, *turns: TurnLike) -> None:
        """Append turns to the script (strings are text turns). Safe while serving."""
        with self._cond:
            old = self._script
            self._script = Script(
                [*old.turns, *(as_turn(t) for t in turns)],
                exhausted_text=old.exhausted_text,
                aux_text=old.aux_text,
            )
            self._used += [False] * len(turns)

    @property
    def script(self) -> Script:
        """The current script."""
        return self._script

    @property
    def remaining(self) -> list[Turn]:
        """The turns not played yet."""
        with self._cond:
            return [t for t, used in zip(self._script.turns, self._used, strict=True) if not used]

    @property
    def exhausted(self) -> int:
        """How many main requests found the script exhausted (and got ``exhausted_text``)."""
        return self._exhausted

    # What was received ----------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request so far, in arrival order."""
        with self._cond:
            return list(self._records)

    @property
    def main_requests(self) -> list[RecordedRequest]:
        """The requests of the agent's conversation (those that take scripted turns)."""
        return [r for r in self.requests if r.kind == "main"]

    @property
    def aux_requests(self) -> list[RecordedRequest]:
        """Model requests on the side (titles, probes), answered with ``aux_text``."""
        return [r for r in self.requests if r.kind == "aux"]

    def last_user_message(self, i: int = -1) -> str:
        """The text of the last user message of main request ``i`` (tool results included)."""
        return self.main_requests[i].last_user_text

    def wait_for_requests(
        self, count: int, *, kind: str | None = "main", timeout: float = 10.0
    ) -> list[RecordedRequest]:
        """Block until ``count`` requests of ``kind`` (``None``: any) have arrived; returns them.

        Raises ``TimeoutError`` after ``timeout`` seconds.
        """

        def matching() -> list[RecordedRequest]:
            return [r for r in self._records if kind is None or r.kind == kind]

        with self._cond:
            if not self._cond.wait_for(lambda: len(matching()) >= count, timeout):
                raise TimeoutError(
                    f"{len(matching())} {kind or 'any'} request(s) arrived, expected {count}"
                )
            return matching()

    # Environments for the CLIs ----------------------------------------------------------------

    def anthropic_env(
        self, home: str | os.PathLike[str], *, max_retries: int | None = 0
    ) -> dict[str, str]:
        """Variables that make ``claude`` run offline and quietly against this server.

        Merge them over ``os.environ``; ``home`` becomes ``HOME`` (claude keeps its sessions in
        ``home/.claude/projects/``). ``max_retries`` sets ``CLAUDE_CODE_MAX_RETRIES``: 0 (the
        default) makes an error turn fail the call at once; ``None`` keeps claude's own policy
        (10 retries with exponential backoff from 0.5 s, each retry taking the next turn).
        ``IS_SANDBOX=1`` lets ``--dangerously-skip-permissions`` run as root (containers).
        """
        return clis.anthropic_env(self.url, home, max_retries=max_retries)

    def copilot_env(
        self,
        home: str | os.PathLike[str],
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        api: str = "anthropic",
    ) -> dict[str, str]:
        """Variables that make ``copilot`` run offline against this server.

        ``api`` picks the wire format (``"anthropic"`` or ``"openai"``). The copilot binary
        unpacks a ~250 MB package into ``$XDG_CACHE_HOME/copilot`` on first start (a second or
        more); ``cache_dir`` is that cache, by default one per user in the temp directory, so
        that a fresh ``home`` per test stays cheap. Pass ``cache_dir=home / ".cache"`` for full
        isolation.
        """
        return clis.copilot_env(self.url, home, cache_dir=cache_dir, api=api)

    def codex_env(self, home: str | os.PathLike[str], *, max_retries: int = 0) -> dict[str, str]:
        """Variables that make ``codex`` run offline against this server (Responses API).

        Also writes ``home/.codex/config.toml``, which declares the server as codex's model
        provider (``model_provider``, ``model_providers.godel-fake-model`` with ``base_url``,
        ``wire_api = "responses"`` and ``env_key``): codex takes a custom endpoint only from
        its configuration. ``home`` becomes ``HOME`` and ``CODEX_HOME`` is ``home/.codex``
        (sessions in ``home/.codex/sessions/``). ``max_retries`` sets the provider's
        ``request_max_retries`` and ``stream_max_retries``: 0 (the default) makes an error turn
        fail the call at once.
        """
        return clis.codex_env(self.url, home, max_retries=max_retries)

    # transport.App: called from the connection threads -------------------------------------

    def connection_opened(self, conn: socket.socket) -> None:
        with self._cond:
            if self._stopping.is_set():
                # Accepted just as stop() began: stop() may have missed it, so close it here,
                # or its thread would wait for a request and stop() would wait for its thread.
                transport.shutdown(conn)
            else:
                self._connections.add(conn)

    def connection_closed(self, conn: socket.socket) -> None:
        with self._cond:
            self._connections.discard(conn)

    def serve(self, h: transport.Handler) -> None:
        """Route one request."""
        path = urlsplit(h.path).path.rstrip("/") or "/"
        raw = h.read_body()
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        method = h.command
        if method == "POST" and path.endswith("/messages/count_tokens"):
            self._record(h, path, body, "anthropic", "other")
            h.send_json(200, _dumps(anthropic.count_tokens(body)))
        elif method == "POST" and path.endswith(("/messages", "/chat/completions", "/responses")):
            api = _api(path)
            if not isinstance(body, dict):
                self._record(h, path, body, api, "other")
                self._send_error(h, api, ApiError(400, "the request body must be a JSON object"))
                return
            kind = "main" if self._is_main(body) else "aux"
            record, turn = self._record(h, path, body, api, kind, conversation.prompt_text(body))
            if turn is None:
                turn = Turn.text(
                    self._script.aux_text if kind == "aux" else self._script.exhausted_text
                )
            self._answer(h, api, record, turn)
        elif method in ("GET", "HEAD") and (path.endswith("/models") or "/models/" in path):
            self._record(h, path, body, None, "other")
            h.send_json(
                200, _dumps(_models(path.rsplit("/models/", 1)[1] if "/models/" in path else None))
            )
        elif method in ("GET", "HEAD") and path == "/":
            # Claude Code sends `HEAD /` as a connectivity check before its first request.
            self._record(h, path, body, None, "other")
            h.send_json(200, b"{}")
        else:
            self._record(h, path, body, None, "other")
            self._send_error(
                h,
                "openai" if "/chat/" in path or "/responses" in path else "anthropic",
                ApiError(404, f"fake-model: no route for {method} {path}"),
            )

    # Answering ----------------------------------------------------------------------------------

    def _record(
        self,
        h: transport.Handler,
        path: str,
        body: Any,
        api: str | None,
        kind: str,
        prompt: str = "",
    ) -> tuple[RecordedRequest, Turn | None]:
        """Record a request and, for a main request, take its turn (atomically)."""
        with self._cond:
            turn_index, turn, exhausted = None, None, False
            if kind == "main":
                turn_index = self._pick(prompt)
                if turn_index is None:
                    exhausted = True
                    self._exhausted += 1
                else:
                    self._used[turn_index] = True
                    turn = self._script.turns[turn_index]
            record = RecordedRequest(
                index=len(self._records),
                time=time.time(),
                method=h.command,
                path=path,
                headers=redact(dict(h.headers.items())),
                body=body,
                api=api,
                kind=kind,
                turn=turn_index,
                exhausted=exhausted,
            )
            self._records.append(record)
            if self._log is not None:
                self._log.write(json.dumps(record.to_json()) + "\n")
                self._log.flush()
            self._cond.notify_all()
            return record, turn

    def _pick(self, prompt: str) -> int | None:
        # A turn keyed with `when` goes to the request it names, even ahead of unkeyed turns,
        # so that parallel conversations each get their own answers whatever their order.
        free = [i for i, used in enumerate(self._used) if not used]
        for i in free:
            when = self._script.turns[i].when
            if when is not None and when in prompt:
                return i
        return next((i for i in free if self._script.turns[i].when is None), None)

    def _wait(self, seconds: float) -> None:
        if seconds > 0 and self._stopping.wait(seconds):
            raise transport.Stopped

    def _answer(self, h: transport.Handler, api: str, record: RecordedRequest, turn: Turn) -> None:
        self._wait(turn.delay)
        if turn.http_error is not None:
            self._send_error(h, api, turn.http_error, request_id=self._ident("req", record.index))
            return
        frames, payload = self._render(api, record, turn)
        headers = {"request-id": self._ident("req", record.index)}
        if frames is None:
            data = _dumps(payload)
            h.start_response(200, "application/json", headers, length=len(data))
            self._wait(turn.stall_for)
            h.write(data)
            return
        h.start_response(200, "text/event-stream", {**headers, "cache-control": "no-cache"})
        h.write_chunk(frames[0])
        self._wait(turn.stall_for)  # after the first event: the client knows the answer began
        for frame in frames[1:]:
            h.write_chunk(frame)
        h.end_chunks()

    def _render(
        self, api: str, record: RecordedRequest, turn: Turn
    ) -> tuple[list[bytes] | None, dict[str, Any]]:
        """The SSE frames (streamed requests; else ``None``) and the one-object answer."""
        tool_ids = [c.id or self._next_tool_id(api) for c in turn.tool_calls]
        model = record.model or "fake-model"
        if api == "anthropic":
            ids = {
                "model": model,
                "message_id": self._ident("msg", record.index),
                "tool_ids": tool_ids,
            }
            frames = anthropic.stream(turn, **ids) if record.stream else None
            return frames, anthropic.message(turn, **ids)
        if api == "responses":
            ids = {
                "model": model,
                "response_id": self._ident("resp", record.index),
                "tool_ids": tool_ids,
                "created": int(record.time),
            }
            frames = responses.stream(turn, **ids) if record.stream else None
            return frames, responses.response(turn, **ids)
        ids = {
            "model": model,
            "completion_id": self._ident("chatcmpl", record.index),
            "tool_ids": tool_ids,
            "created": int(record.time),
        }
        options = record.body.get("stream_options")
        include_usage = isinstance(options, dict) and bool(options.get("include_usage"))
        frames = openai.stream(turn, include_usage=include_usage, **ids) if record.stream else None
        return frames, openai.completion(turn, **ids)

    def _next_tool_id(self, api: str) -> str:
        with self._cond:
            n = next(self._tool_ids)
        return self._ident("toolu" if api == "anthropic" else "call", n)

    def _ident(self, prefix: str, n: int) -> str:
        """``msg_fake_1a2b3c_0004``: the kind, this server's token, a counter."""
        return f"{prefix}_fake_{self._token}_{n:04d}"

    def _send_error(
        self, h: transport.Handler, api: str, error: ApiError, *, request_id: str = "req_fake"
    ) -> None:
        body = (
            anthropic.error_body(error, request_id=request_id)
            if api == "anthropic"
            else openai.error_body(error)
        )
        headers = {"request-id": request_id}
        if error.retry is not None:
            headers["x-should-retry"] = "true" if error.retry else "false"
        if error.retry_after is not None:
            headers["retry-after"] = str(math.ceil(error.retry_after))
            headers["retry-after-ms"] = str(round(error.retry_after * 1000))
        h.send_json(error.status, _dumps(body), headers)


def _api(path: str) -> str:
    """Which wire format a model endpoint speaks."""
    if path.endswith("/messages"):
        return "anthropic"
    return "responses" if path.endswith("/responses") else "openai"


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload).encode()


def _models(model_id: str | None) -> dict[str, Any]:
    # One shape that satisfies both APIs' model objects.
    def entry(name: str) -> dict[str, Any]:
        return {
            "type": "model",
            "id": name,
            "display_name": name,
            "created_at": "2025-01-01T00:00:00Z",
            "object": "model",
            "created": 1735689600,
            "owned_by": "fake-model",
        }

    if model_id is not None:
        return entry(model_id)
    data = [entry(m) for m in MODELS]
    return {
        "object": "list",
        "data": data,
        "has_more": False,
        "first_id": data[0]["id"],
        "last_id": data[-1]["id"],
    }
