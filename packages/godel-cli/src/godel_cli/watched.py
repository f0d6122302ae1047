"""``godel run --watch``: the run and its live view in one terminal.

The run goes to a child ``godel run`` (the same file, options and arguments, without the watch
options); this process hosts the ``watch`` command (the godel-watch plugin) on it. While the
view is up it owns the terminal: the run's stdout and stderr are kept and written out when the
view ends, and the view answers the run's ``godel.input`` through the run's stdin. When the
view ends the run goes on here, as a plain ``godel run`` would: its output, its prompts (this
terminal's lines are passed on) and its exit status. ``x`` in the view stops the run (SIGINT,
as Ctrl+C does).

In plain mode the view's lines replace the run's stdout (its prints are among them) and the
run reads this terminal's stdin directly.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from typing import IO, Any

import click

from godel_cli.errors import EXIT_FAIL, CliError

# The click context key under which the view finds its session (see godel-watch's command).
SESSION_KEY = "godel.watch.session"
WATCH_PARAMS = ("watch", "plain", "show_tools", "max_agent_lines", "verbose")
_RUN_LINE = b"[godel] run "
_LOG_LINE = b"[godel] audit log: "


def wants_watch(watch: bool | None, plain: bool) -> bool:
    """``--watch``/``-p``, else the ``watch.default`` configuration key."""
    if plain or watch is not None:
        return bool(plain or watch)
    return bool(_config_watch().get("default"))


def wants_plain(plain: bool) -> bool:
    """The same rule as ``godel watch``: ``-p``, ``GODEL_WATCH_PLAIN=1``, ``watch.plain``, or a
    terminal that cannot host the view (not a terminal, ``TERM=dumb``, not UTF-8)."""
    if plain or os.environ.get("GODEL_WATCH_PLAIN", "") == "1" or _config_watch().get("plain"):
        return True
    if not sys.stdout.isatty() or os.environ.get("TERM", "") == "dumb":
        return True
    from godel.runs.render import utf8_locale  # as godel watch decides

    return not utf8_locale()


def _config_watch() -> dict[str, Any]:
    from godel import ConfigError, load_config

    try:
        return dict(load_config().config.watch or {})
    except ConfigError:
        return {}  # `run` itself reports a broken configuration


def child_args(ctx: click.Context) -> list[str]:
    """The ``godel run`` command line of this invocation, without the watch options."""
    out: list[str] = []
    for param in ctx.command.params:
        if not isinstance(param, click.Option) or param.name in WATCH_PARAMS:
            continue
        value = ctx.params.get(param.name or "")
        if value is None or value == param.default:
            continue
        name = max(param.opts, key=len)
        if param.is_flag:
            if param.secondary_opts and not value:
                out.append(max(param.secondary_opts, key=len))
            elif value:
                out.append(name)
        else:
            out += [name, str(value)]
    out += ["--no-watch", str(ctx.params["file"])]
    extra = ctx.params.get("workflow_args") or ()
    return [*out, "--", *extra] if extra else out


class WatchedRun:
    """The child ``godel run`` and what the view may do with it (``answer``, ``stop``)."""

    def __init__(self, args: list[str], *, view: bool) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if view and not env.get("GODEL_AUTO_CHECKPOINT"):
            env["GODEL_AUTO_CHECKPOINT"] = "watch"  # answers come from the view
        self.view = view
        import subprocess  # here: `godel run` without --watch must not pay for it

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "godel_cli", "run", *args],
            stdin=subprocess.PIPE if view else None,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self.run_id: str | None = None
        self.runs_dir: Path | None = None
        self.stored = False  # the run is in a store, not in a runs dir
        self._started = threading.Event()
        self._lock = threading.Lock()
        self._held: list[tuple[IO[bytes], bytes]] = []
        self._holding = False
        # The real streams, taken now: the view replaces sys.stdout and sys.stderr while it runs.
        # In plain mode the view's lines stand for the run's stdout (its prints are among them).
        out = self._stdout = sys.stdout.buffer if view else None
        self._readers = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, out, False), daemon=True),
            threading.Thread(
                target=self._pump, args=(self.proc.stderr, sys.stderr.buffer, True), daemon=True
            ),
        ]
        for thread in self._readers:
            thread.start()

    # the child's output -----------------------------------------------------------------------
    def _pump(self, source: IO[bytes] | None, target: IO[bytes] | None, status: bool) -> None:
        """Copy one of the run's outputs (``status``: its stderr, where the run id appears)."""
        assert source is not None
        pending = b""
        for chunk in iter(lambda: source.read1(65536), b""):  # type: ignore[attr-defined]
            if status and not self._started.is_set():
                pending = self._look_for_start(pending + chunk)
            if target is not None:
                with self._lock:
                    if self._holding:
                        self._held.append((target, chunk))
                    else:
                        target.write(chunk)
                        target.flush()
        self._started.set()  # the run ended (or never started): nobody waits any longer

    def _look_for_start(self, data: bytes) -> bytes:
        *lines, rest = data.split(b"\n")
        for line in lines:
            if line.startswith(_RUN_LINE):
                self.run_id = line[len(_RUN_LINE) :].decode(errors="replace").strip()
            elif line.startswith(_LOG_LINE):
                where = line[len(_LOG_LINE) :].decode(errors="replace").strip()
                if "://" in where:  # a run in a store (--store, $GODEL_STORE): the view finds
                    self.stored = True  # it through the same resolver, in this environment
                else:
                    self.runs_dir = Path(where).parent
                self._started.set()
        return rest

    def wait_started(self) -> bool:
        """Wait until the run has its log (True), or the child ended before (False)."""
        self._started.wait()
        return self.run_id is not None and (self.runs_dir is not None or self.stored)

    def hold(self) -> None:
        """Keep the run's output while the view owns the terminal."""
        with self._lock:
            self._holding = True

    def release(self) -> None:
        """Write the output kept while the view was up, then pass it through again."""
        with self._lock:
            for target, chunk in self._held:
                target.write(chunk)
            for target in {t for t, _ in self._held}:
                target.flush()
            self._held.clear()
            self._holding = False

    # what the view may do ---------------------------------------------------------------------
    def answer(self, text: str) -> None:
        """A line for the run's ``godel.input``."""
        stdin = self.proc.stdin
        if stdin is not None and self.proc.poll() is None:
            try:
                stdin.write(text.encode() + b"\n")
                stdin.flush()
            except OSError:
                return  # the run has just ended
            with self._lock:  # the terminal would have echoed it after the prompt
                if self._holding and self._stdout is not None:
                    self._held.append((self._stdout, text.encode() + b"\n"))

    def stop(self) -> None:
        """Interrupt the run, as Ctrl+C would (it records its state and exits 130)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)

    # the end ------------------------------------------------------------------------------------
    def finish(self) -> int:
        """After the view: the run goes on here until it ends; its exit status."""
        self.release()
        if self.proc.stdin is not None and self.proc.poll() is None:
            threading.Thread(target=self._forward_stdin, daemon=True).start()
        # Ctrl+C now reaches the run (same process group), which stops and reports; this
        # process only waits for it.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            code = self.proc.wait()
        finally:
            signal.signal(signal.SIGINT, previous)
        for thread in self._readers:
            thread.join(timeout=5)
        return code

    def _forward_stdin(self) -> None:
        """This terminal's lines, on to the run (for a ``godel.input`` after the view).

        Unbuffered reads of fd 0: a buffered reader blocked in a daemon thread would stop the
        interpreter from shutting down cleanly."""
        stdin = self.proc.stdin
        assert stdin is not None
        try:
            while data := os.read(0, 65536):
                stdin.write(data)
                stdin.flush()
            stdin.close()
        except (OSError, ValueError):
            pass


def run_watched(ctx: click.Context, *, plain: bool, options: dict[str, Any]) -> int:
    """Run this ``godel run`` invocation in a child process under the watch view."""
    from godel_cli.group import MissingCommandPackage

    root = ctx.find_root()
    try:
        command = root.command.get_command(root, "watch")  # type: ignore[attr-defined]
    except MissingCommandPackage as exc:
        text = exc.format_message().replace("`godel watch`", "`godel run --watch`", 1)
        raise CliError(text, exit_code=EXIT_FAIL) from None
    if command is None:
        raise CliError(
            "`godel run --watch` needs the godel-watch package: pip install godel-watch",
            exit_code=EXIT_FAIL,
        )
    plain = wants_plain(plain)
    child = WatchedRun(child_args(ctx), view=not plain)
    try:
        if not child.wait_started():
            return child.finish()  # it stopped before the run began (pre-flight, arguments)
        ctx.meta[SESSION_KEY] = child
        if not plain:
            child.hold()
        try:
            ctx.invoke(
                command, run_id=child.run_id, runs_dir=child.runs_dir, plain=plain, **options
            )
        except click.ClickException as exc:
            exc.show()
        except KeyboardInterrupt:
            pass  # plain mode: Ctrl+C reached the run too, which stops and reports
        return child.finish()
    except BaseException:
        child.stop()
        raise
