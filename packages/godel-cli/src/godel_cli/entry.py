"""The ``godel`` console script: help and version text from the help cache when it holds,
else the click application (``godel_cli.main``)."""

from __future__ import annotations

import gc
import os
import sys


def main() -> int:
    """Console-script entry point; returns the exit code."""
    argv = sys.argv[1:]
    if not argv and "_GODEL_COMPLETE" not in os.environ:  # (a shell's Tab runs it bare too)
        # `godel` alone shows the help and exits 0, as `godel config` alone does (click 8.2
        # would exit 2 for a group called without a command).
        argv = ["--help"]
    _tolerant_stdout()
    try:
        try:
            from godel_cli import help_cache

            if help_cache.cacheable(argv):
                try:
                    return help_cache.serve(argv)
                except OSError as exc:  # `godel --help | head -1`, `godel --help > /dev/full`
                    from godel_cli.terminal import output_failed

                    output_failed(exc)
                    raise
            from godel_cli.main import main as run
        except KeyboardInterrupt:
            # Ctrl+C while godel is still loading, before any command has its handlers: the
            # conventional 130 and one line, not a traceback of whichever module was importing.
            sys.stderr.write("[godel] interrupted\n")
            return 130
        return run(argv)
    finally:
        # The process ends here. Its last collector pass, at interpreter shutdown, would
        # traverse every object still alive (the modules, the classes and what the command
        # kept) to find cycles nobody needs freed: moving them all to the permanent generation
        # (O(1)) skips it. Every file godel writes is closed (or its run's log fsynced) by
        # then. `show` of a one-event log: 344M -> 322M instructions.
        gc.freeze()


def _tolerant_stdout() -> None:
    """On a stdout that is not UTF-8 (a latin-1 or cp1252 terminal, ``PYTHONIOENCODING``), a
    character it cannot show becomes ``?``: neither a table nor a workflow's own ``print``
    should fail over the terminal's encoding."""
    stdout = sys.stdout
    encoding = (getattr(stdout, "encoding", None) or "utf-8").lower().replace("-", "")
    if not encoding.startswith("utf") and getattr(stdout, "errors", "strict") == "strict":
        try:
            stdout.reconfigure(errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):  # replaced by something that cannot (a test's capture)
            pass
