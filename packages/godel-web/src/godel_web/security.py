"""Who may talk to the server: the holder of the token, from this machine's own pages.

Any local process or browser tab can reach 127.0.0.1, and the view can pause and rewind runs,
so every request must carry the token printed with the URL (as Jupyter does): in the query
(``?token=``, the printed link), then in a cookie the first such request sets, or in an
``X-Godel-Token`` header. Actions are POSTs that must also carry the CSRF value the pages embed,
and come from the server's own origin. A Host header that is not the loopback name the server
was asked for is refused too (a DNS-rebinding page would send its own name).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def new_token() -> str:
    return secrets.token_urlsafe(24)


def csrf_for(token: str) -> str:
    """The CSRF value of a token: the pages embed it, POSTs send it back."""
    return hmac.new(token.encode(), b"godel-ui csrf", hashlib.sha256).hexdigest()[:32]


def cookie_name(token: str) -> str:
    """Per server: cookies ignore ports, and two servers on one machine must not mix."""
    return "godel_ui_" + hashlib.sha256(token.encode()).hexdigest()[:10]


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def host_name(host: str) -> str:
    """``127.0.0.1:8765`` -> ``127.0.0.1``; ``[::1]:8765`` -> ``[::1]``."""
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class TokenGuard:
    """ASGI middleware: 403 without the token, for a foreign Host header, and for any websocket
    (the view has none)."""

    def __init__(self, app: ASGIApp, token: str, allowed_hosts: Iterable[str] | None = None):
        self.app = app
        self.token = token
        self.cookie = cookie_name(token)
        self.allowed_hosts = frozenset(allowed_hosts) if allowed_hosts is not None else None

    def _given(self, scope: Scope, headers: dict[str, str]) -> tuple[str | None, bool]:
        """The token the request carries, and whether it came in the query string."""
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if "token" in query:
            return query["token"][0], True
        if "x-godel-token" in headers:
            return headers["x-godel-token"], False
        cookies: SimpleCookie = SimpleCookie()
        try:
            cookies.load(headers.get("cookie", ""))
        except Exception:
            return None, False
        morsel = cookies.get(self.cookie)
        return (morsel.value if morsel else None), False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            # No route takes one, and a 403 must be said the websocket way (an HTTP response
            # here is a server error): any web page may try ws://127.0.0.1.
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        if self.allowed_hosts is not None:
            if host_name(headers.get("host", "")) not in self.allowed_hosts:
                await _forbidden(send, "this server answers only to its own address")
                return
        given, in_query = self._given(scope, headers)
        if given is None or not hmac.compare_digest(given.encode(), self.token.encode()):
            await _forbidden(send, "a valid token is required: open the URL `godel ui` printed")
            return
        if not in_query:
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = f"{self.cookie}={self.token}; Path=/; HttpOnly; SameSite=Strict"
                message.setdefault("headers", []).append((b"set-cookie", cookie.encode()))
            await send(message)

        await self.app(scope, receive, send_with_cookie)


async def _forbidden(send: Send, text: str) -> None:
    body = f"403 Forbidden: {text}\n".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def same_origin(headers: Any, own_host: str) -> bool:
    """An ``Origin`` (or, without one, ``Referer``) header names this server, or is absent."""
    origin = headers.get("origin") or headers.get("referer")
    if not origin or origin == "null":
        return origin is None
    rest = origin.split("://", 1)[-1]
    return rest.split("/", 1)[0] == own_host
