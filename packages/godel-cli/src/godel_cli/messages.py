"""Status lines for the person at the terminal: ``[godel] ...`` on stderr, since stdout belongs
to the workflow (and to ``show``'s output, which may be piped)."""

from __future__ import annotations

import click

PREFIX = "[godel] "


def say(message: str) -> None:
    """A status line: prefixed, on stderr."""
    click.echo(f"{PREFIX}{message}", err=True)


def warn(message: str) -> None:
    """A warning that does not stop the command (``on_warning`` callbacks of core's readers)."""
    say(f"warning: {message}")
