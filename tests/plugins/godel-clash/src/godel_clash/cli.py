"""A ``plugins`` command that would hide godel's own if the clash went unnoticed."""

from __future__ import annotations

import click


@click.command("plugins")
def plugins() -> None:
    """Print a marker that proves this command ran."""
    click.echo("godel-clash plugins command")
