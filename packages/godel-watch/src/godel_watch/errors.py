"""How ``godel watch`` ends with a message: ``[godel] ...`` on stderr, like every godel command."""

from __future__ import annotations

from typing import IO, Any

import click

PREFIX = "[godel] "


class WatchError(click.ClickException):
    """The watcher cannot start: one status line, exit status 1 (godel-py's for watch)."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"{PREFIX}{self.format_message()}", err=True)


def say(message: str) -> None:
    """A status line on stderr."""
    click.echo(f"{PREFIX}{message}", err=True)
