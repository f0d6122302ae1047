"""The HTTP plumbing under the fake model server: threads, keep-alive, chunked bodies.

The server owns an *app* (the :class:`~godel.testing.fake_model.server.FakeModelServer`) that
decides what to answer; this module only moves bytes, and keeps track of the open connections
so that stopping never waits on a client.
"""

from __future__ import annotations

import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol


class Stopped(Exception):
    """Raised by the app to abandon an answer because the server is stopping."""


class App(Protocol):
    def serve(self, handler: Handler) -> None: ...
    def connection_opened(self, conn: socket.socket) -> None: ...
    def connection_closed(self, conn: socket.socket) -> None: ...


class HTTPServer(ThreadingHTTPServer):
    """One thread per connection; ``server_close()`` joins them all."""

    daemon_threads = False  # so that server_close() joins them: no thread outlives stop()
    block_on_close = True

    def __init__(self, address: tuple[str, int], app: App) -> None:
        self.app = app
        super().__init__(address, Handler)


class Handler(BaseHTTPRequestHandler):
    """Hands every request to the app, with helpers to read and write bodies."""

    protocol_version = "HTTP/1.1"  # keep-alive and chunked streams, as the real APIs
    server: HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.app.connection_opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.app.connection_closed(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the app records requests; stderr stays quiet

    def _dispatch(self) -> None:
        try:
            self.server.app.serve(self)
        except (Stopped, OSError):
            # The client went away (a killed CLI) or the server is stopping.
            self.close_connection = True

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = _dispatch

    def read_body(self) -> bytes:
        """The request body, whether sized by Content-Length or chunked."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def start_response(
        self, status: int, content_type: str, headers: dict[str, str], *, length: int | None = None
    ) -> None:
        """Status line and headers; without ``length`` the body is chunked."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name, value)
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length if self.command != "HEAD" else 0))
        self.end_headers()
        self.wfile.flush()

    def write(self, data: bytes) -> None:
        """A sized body (nothing for HEAD)."""
        if self.command != "HEAD":
            self.wfile.write(data)
        self.wfile.flush()

    def write_chunk(self, data: bytes) -> None:
        """One chunk of a chunked body, sent at once."""
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def end_chunks(self) -> None:
        """The last chunk."""
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def send_json(self, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
        """A complete JSON answer."""
        self.start_response(status, "application/json", headers or {}, length=len(data))
        self.write(data)


def shutdown(conn: socket.socket) -> None:
    """Cut a connection both ways, so that its thread stops reading or writing."""
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed by the client
