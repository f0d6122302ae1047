"""``godel ui [--runs-dir DIR] [--store URL] [--host 127.0.0.1] [--port N] [--open]
[--read-only]``."""

from __future__ import annotations

import errno
import ipaddress
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import click

DEFAULT_PORT = 8765


class UiError(click.ClickException):
    """A ``[godel]`` line on stderr and exit status 1."""

    exit_code = 1

    def show(self, file: object = None) -> None:
        click.echo(f"[godel] {self.format_message()}", err=True)


class Stop:
    """The SIGINT and SIGTERM handler of ``godel ui``: it stops the server and notes the
    signal, so the command exits 143 after SIGTERM (as ``godel run`` does) and 0 after Ctrl+C,
    after its one ``stopped`` line.

    uvicorn takes both signals while it serves, shuts down, puts this handler back and raises
    each signal it took again. With Python's own SIGINT handling in place instead (asyncio's
    runner turns a second SIGINT into ``KeyboardInterrupt``), a second Ctrl+C during the
    shutdown tore through the event loop's last tasks with tracebacks. This handler never
    raises, and a second signal changes nothing (see ``_serve``). Before the server runs, it
    only notes the signal and the server is not started."""

    def __init__(self) -> None:
        self.server: Any = None  # the uvicorn server, once made
        self.received = 0  # SIGTERM if it came at all, else the first signal

    def __call__(self, signum: int, frame: object) -> None:
        if not self.received or signum == signal.SIGTERM:
            self.received = signum
        if self.server is not None:
            self.server.should_exit = True

    def stopping(self) -> bool:
        """True once the server shuts down (the live streams then end)."""
        return self.server is not None and bool(self.server.should_exit)


def _say(text: str) -> None:
    click.echo(f"[godel] {text}", err=True)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket, so the printed URL names the real port (``--port 0``: any free one)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise UiError(f"cannot serve on host {host!r}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise UiError(
                f"port {port} on {host} is in use: pass --port N (--port 0 picks a free one)"
            ) from None
        raise UiError(f"cannot serve on {host}:{port}: {exc.strerror}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _seconds(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """``--poll``: ``FloatRange`` lets ``nan`` through (its bounds are comparisons)."""
    if value != value:
        raise click.BadParameter("nan is not a number of seconds", ctx, param)
    return value


@click.command("ui", context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--runs-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where run logs live (default: the configured runs dir: $GODEL_RUNS_DIR, the settings' runs_dir, else ./runs).",
)
@click.option(
    "--store",
    metavar="URL",
    default=None,
    expose_value=False,
    # As godel-cli's --store: it sets $GODEL_STORE, which the one resolver reads.
    callback=lambda _ctx, _param, value: (
        os.environ.__setitem__("GODEL_STORE", value) if value else None
    ),
    help="Where runs live: postgresql://..., file:///path (default: $GODEL_STORE, the "
    "settings' store, else the runs dir).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but a loopback address lets other machines in "
    "(with the token).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    metavar="N",
    help="Port to listen on (0: any free port).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the URL in your browser.")
@click.option(
    "--read-only", is_flag=True, help="No actions: the pause and rewind buttons are not shown."
)
@click.option(
    "--poll",
    type=click.FloatRange(min=0.01, max=3600),
    callback=_seconds,
    default=0.25,
    show_default=True,
    metavar="SECONDS",
    help="How often live pages look for new lines.",
)
def ui(
    runs_dir: Path | None,
    host: str,
    port: int,
    open_browser: bool,
    read_only: bool,
    poll: float,
) -> None:
    """Serve a local web view of the runs in the runs directory (or the store), until Ctrl+C.

    Prints the URL to open (on stdout): it carries a random token that every request must
    present (the first page sets a cookie), since any local process or browser tab could
    otherwise pause or rewind your runs. Pages: every run (filter by status, workflow, text;
    live), a run (header, timeline of steps, branches, commands and agent calls, step tree;
    live), an event (request, response, transcript, output, error). Actions, unless
    --read-only: pause a live run, rewind to an event (refused as `godel rewind` refuses it),
    copy the resume command.

    \b
    Exit codes:
      0    stopped with Ctrl+C
      1    no runs directory; the store cannot be used; the port is in use or the
           host cannot be served
      2    usage error
      143  stopped by SIGTERM
    """
    from godel.store import StoreError, resolve_store

    try:  # --store, $GODEL_STORE or the settings' store, else the runs dir (the one resolver)
        directory = resolve_store(None, runs_dir).location
    except StoreError as exc:
        raise UiError(str(exc)) from None
    if isinstance(directory, Path) and not directory.is_dir():
        raise UiError(f"No runs/ directory found at {directory} (use --runs-dir or GODEL_RUNS_DIR)")
    sock = _bind(host, port)
    term = Stop()
    previous = {sig: signal.signal(sig, term) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        _serve(sock, directory, host, open_browser, read_only, poll, term)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()
    terminated = term.received == signal.SIGTERM
    _say("stopped (SIGTERM)" if terminated else "stopped")
    if terminated:
        sys.exit(128 + signal.SIGTERM)


def _serve(
    sock: socket.socket,
    directory: Any,
    host: str,
    open_browser: bool,
    read_only: bool,
    poll: float,
    term: Stop,
) -> None:
    """Print the URL, then serve until Ctrl+C (uvicorn raises it again once it has stopped) or
    SIGTERM (``term`` notes it)."""
    import uvicorn

    from godel_web.app import create_app
    from godel_web.security import LOOPBACK_NAMES, new_token

    token = new_token()
    loopback = _loopback(host)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    # The printed URL's own host too: another loopback address (127.0.0.2) is not a name of
    # another site, and its requests carry it.
    allowed = set(LOOPBACK_NAMES) | {shown} if loopback else None
    app = create_app(
        directory,
        token=token,
        read_only=read_only,
        allowed_hosts=allowed,
        poll=poll,
        stopping=term.stopping,
    )
    link = f"http://{shown}:{sock.getsockname()[1]}/?token={token}"
    click.echo(link)
    sys.stdout.flush()
    from godel.store import store_name

    where = directory if isinstance(directory, Path) else store_name(directory)
    _say(f"serving the runs in {where}{' (read-only)' if read_only else ''}; Ctrl+C to stop")
    if not loopback:
        _say(f"warning: listening on {host}: anyone who can reach it and has the token can act")
    if open_browser:
        import webbrowser

        webbrowser.open(link)
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,  # the URL carries the token: keep it out of logs
        timeout_graceful_shutdown=1,
    )

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            if self.should_exit and sig == signal.SIGINT:
                # uvicorn's second Ctrl+C skips the graceful shutdown, which cancels the
                # application's own shutdown mid-way (a traceback): it already takes at most a
                # second (timeout_graceful_shutdown), so the signal is only noted.
                term(sig, frame)
                return
            super().handle_exit(sig, frame)

    term.server = Server(config)
    if not term.received:  # a signal after this line sets should_exit: uvicorn stops at once
        term.server.run(sockets=[sock])
