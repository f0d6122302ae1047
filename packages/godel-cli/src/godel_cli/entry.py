"""The ``godel`` console script: help and version text from the help cache when it holds,
else the click application (``godel_cli.main``)."""

from __future__ import annotations

import sys


def main() -> int:
    """Console-script entry point; returns the exit code."""
    argv = sys.argv[1:]
    from godel_cli import help_cache

    if help_cache.cacheable(argv):
        return help_cache.serve(argv)
    from godel_cli.main import main as run

    return run(argv)
