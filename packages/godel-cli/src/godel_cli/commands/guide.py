"""``godel guide [NAME]``: the guides bundled with godel-cli."""

from __future__ import annotations

import click

from godel_cli.errors import EXIT_FAIL, CliError
from godel_cli.guides import BLURB, GUIDES, read
from godel_cli.options import CONTEXT_SETTINGS


def _complete(_ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    return [name for name in GUIDES if name.startswith(incomplete)]


@click.command("guide", context_settings=CONTEXT_SETTINGS)
@click.argument("name", required=False, shell_complete=_complete)
def guide(name: str | None) -> None:
    """Print guide NAME (Markdown), or, without NAME, list the guides.

    The guides ship with godel-cli and match the installed version: getting-started,
    concepts, engineer (writing workflows), best-practices, runner (running and repairing
    runs), monitoring, cli and api-reference.

    \b
    Exit codes:
      0  printed
      1  no guide of that name (the message lists them), or it is missing
         from the installation
      2  usage error
    """
    if name is None:
        width = max(len(n) for n in GUIDES)
        click.echo(BLURB)
        click.echo("\nAvailable guides (use `godel guide <name>` to read one):")
        for slug, hook in GUIDES.items():
            click.echo(f"  {slug.ljust(width)}  {hook}")
        return
    if name not in GUIDES:
        raise CliError(
            f"unknown guide: {name!r}\n  available: {', '.join(GUIDES)}", exit_code=EXIT_FAIL
        )
    try:
        text = read(name)
    except (FileNotFoundError, OSError) as exc:
        raise CliError(
            f"guide {name!r} is missing from this installation ({exc}); reinstall godel-cli",
            exit_code=EXIT_FAIL,
        ) from None
    click.echo(text, nl=not text.endswith("\n"))
