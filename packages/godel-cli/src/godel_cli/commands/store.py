"""``godel store init URL``: create or migrate a store's schema (docs/store.md)."""

from __future__ import annotations

import click

from godel_cli.messages import say
from godel_cli.options import CONTEXT_SETTINGS


@click.group("store", invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@click.pass_context
def store(ctx: click.Context) -> None:
    """Set up where runs live (postgresql://..., file:///path)."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@store.command("init", context_settings=CONTEXT_SETTINGS)
@click.argument("url")
def init(url: str) -> None:
    """Create the schema of the store at URL, or migrate it to this godel's version.

    Safe to run again, from any machine: a store already up to date is left as it is. A
    store whose schema is newer than this godel knows is refused (upgrade godel instead).

    \b
    Exit codes:
      0  the store is ready
      1  no installed store serves URL's scheme; the server does not answer; the
         schema is newer than this godel; the runs folder cannot be made
      2  usage error
    """
    from godel.store import init_store

    if not url.strip():  # not the working directory, as an empty runs dir path would be
        raise click.BadParameter("URL is empty", param_hint="URL")
    ready = init_store(url)
    before, after = getattr(ready, "initialized", (None, None))
    if before is None or before == after:
        say(f"store ready: {getattr(ready, 'shown', ready.url)}" + _version(after))
    elif before == 0:
        say(f"created the godel schema in {getattr(ready, 'shown', ready.url)}" + _version(after))
    else:
        say(
            f"migrated {getattr(ready, 'shown', ready.url)} from schema version {before} to {after}"
        )


def _version(version: int | None) -> str:
    return f" (schema version {version})" if version is not None else ""
