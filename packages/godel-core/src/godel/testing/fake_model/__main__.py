"""``python -m godel.testing.fake_model``: serve a JSON script until SIGINT or SIGTERM.

Prints the base URL on the first line of stdout, then ``export`` lines for claude, copilot and
codex (without ``HOME``: choose one per run; codex gets a ``CODEX_HOME`` holding the config
file that points it at the server). A bad script is one error line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence

from godel.testing.fake_model.script import Script, ScriptError
from godel.testing.fake_model.server import FakeModelServer

DESCRIPTION = """\
Serve a scripted fake model (Anthropic Messages, OpenAI chat-completions and Responses APIs)
on 127.0.0.1, so that claude, copilot or codex can run offline. Prints the base URL, then the
variables to export for each CLI (set HOME yourself; codex's CODEX_HOME is a temporary
directory holding its config), and serves until SIGINT/SIGTERM.
The script format is documented in docs/testing.md and in `pydoc godel.testing.fake_model`."""


def port(text: str) -> int:
    """``--port``: 0 to 65535, a usage error otherwise (bind() would raise OverflowError).
    argparse names the function in its message: ``invalid port value: 'x'``."""
    number = int(text)
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0 to 65535, got {number}")
    return number


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m godel.testing.fake_model", description=DESCRIPTION)
    p.add_argument(
        "--script",
        metavar="FILE.json",
        help="the turns to play (JSON); without it every main request gets the "
        "'script exhausted' answer",
    )
    p.add_argument("--port", type=port, default=0, help="port on 127.0.0.1 (default: a free one)")
    p.add_argument(
        "--requests-log",
        metavar="FILE.jsonl",
        help="write every request received as one JSON line (truncated at start)",
    )
    p.add_argument(
        "--home",
        metavar="DIR",
        help="with a command: the HOME it runs with (default: a new temporary directory, "
        "so your own claude/copilot/codex settings and logins are not touched)",
    )
    p.add_argument(
        "command",
        nargs=argparse.REMAINDER,
        help="after --: run this command with the environment of the three CLIs pointed at the "
        "server, then stop; exit with its status (e.g. -- godel run examples/pair.py)",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        script = Script.load(args.script) if args.script else Script()
    except ScriptError as exc:
        print(f"fake-model: error: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        server = FakeModelServer(script, port=args.port, requests_log=args.requests_log).start()
    except OSError as exc:
        print(f"fake-model: error: cannot start: {exc}", file=sys.stderr)
        return 2
    if args.command:
        try:
            return _run_command(
                server, args.command[1:] if args.command[0] == "--" else args.command, args.home
            )
        finally:
            server.stop()
    codex_dir = tempfile.TemporaryDirectory(prefix="godel-fake-codex-")
    try:
        lines = [server.url, "# claude"]
        lines += [
            f"export {k}={shlex.quote(v)}"
            for k, v in server.anthropic_env("").items()
            if k != "HOME"
        ]
        lines.append("# copilot")
        lines += [
            f"export {k}={shlex.quote(v)}" for k, v in server.copilot_env("").items() if k != "HOME"
        ]
        lines.append("# codex")
        lines += [
            f"export {k}={shlex.quote(v)}"
            for k, v in server.codex_env(codex_dir.name).items()
            if k != "HOME"
        ]
        print("\n".join(lines), flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        codex_dir.cleanup()
    return 0


def _run_command(server: FakeModelServer, command: list[str], home: str | None) -> int:
    """Run ``command`` against the server (every CLI's variables set) and return its exit status."""
    if not command:
        print("fake-model: error: nothing to run after --", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="godel-fake-home-") as tmp:
        env = {
            **os.environ,
            **server.anthropic_env(home or tmp),
            **server.copilot_env(home or tmp),
            **server.codex_env(home or tmp),
        }
        print(
            f"fake-model: serving {server.url}; running: {shlex.join(command)}",
            file=sys.stderr,
            flush=True,
        )
        try:
            proc = subprocess.Popen(command, env=env)
        except OSError as exc:
            print(
                f"fake-model: error: cannot run {command[0]!r}: {exc.strerror or exc}",
                file=sys.stderr,
            )
            return 127
        while True:
            try:
                return proc.wait()
            except (
                KeyboardInterrupt
            ):  # the child got the same SIGINT from the terminal: wait for it
                continue


if __name__ == "__main__":
    sys.exit(main())
