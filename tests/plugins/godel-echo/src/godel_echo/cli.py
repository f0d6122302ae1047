"""``godel echo WORDS...``: prints the words back (the test plugin's command)."""

from __future__ import annotations

import click


@click.command("echo")
@click.argument("words", nargs=-1, required=True)
@click.option(
    "-n",
    "--repeat",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Print the line this many times.",
)
@click.option("--upper", is_flag=True, help="Shout the words.")
@click.option("--sep", default=" ", show_default=True, help="What to put between the words.")
def echo(words: tuple[str, ...], repeat: int, upper: bool, sep: str) -> None:
    """Print WORDS back, joined by --sep."""
    line = sep.join(words)
    for _ in range(repeat):
        click.echo(line.upper() if upper else line)
