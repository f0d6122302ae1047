"""``godel workflows list`` and ``godel workflows which NAME``: named workflows."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from godel_cli.completion import complete_workflow_name
from godel_cli.errors import EXIT_FAIL, EXIT_USAGE, CliError
from godel_cli.options import CONTEXT_SETTINGS, json_option

if TYPE_CHECKING:
    from godel.config import LoadedConfig


def _load() -> LoadedConfig:
    from godel import ConfigError
    from godel.config import load_config

    try:
        return load_config()
    except ConfigError as exc:
        raise CliError(f"configuration error: {exc}", exit_code=EXIT_USAGE) from None


@click.group("workflows", invoke_without_command=True, context_settings=CONTEXT_SETTINGS)
@click.pass_context
def workflows(ctx: click.Context) -> None:
    """Named workflows: `godel run NAME` runs <dir>/NAME.py from the first of the project's
    workflows_dir (.godel/workflows/ by default) and <godel home>/workflows/ that has it.

    Files starting with _ are not workflows (helpers they import); a project's workflow hides
    a user's of the same name.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@workflows.command("list")
@json_option('Print {"dirs": [...], "workflows": {name: path}} as JSON.')
def list_workflows(as_json: bool) -> None:
    """List the named workflows, sorted by name: `  NAME  -> PATH`.

    \b
    Exit codes:
      0  listed ("(no workflows found)" when there are none)
      2  usage error; the configuration cannot be used (a broken settings file)
    """
    from godel.config import list_workflows as found_workflows

    loaded = _load()
    found = found_workflows(loaded)
    if as_json:
        data = {
            "dirs": [str(d) for d in loaded.workflow_dirs],
            "workflows": {name: str(path) for name, path in found.items()},
        }
        click.echo(json.dumps(data, indent=2))
        return
    from godel.runs.render import shown  # file names are shown, not obeyed by the terminal

    if not found:
        click.echo("(no workflows found)")
        dirs = ", ".join(shown(str(d)) for d in loaded.workflow_dirs)
        click.echo(f"  looked in: {dirs}", err=True)
        return
    width = max(len(shown(name)) for name in found)
    for name, path in found.items():
        click.echo(f"  {shown(name).ljust(width)}  -> {shown(str(path))}")


@workflows.command("which")
@click.argument("name", shell_complete=complete_workflow_name)
def which(name: str) -> None:
    """Print the absolute path `godel run NAME` would run (a path to an existing file is
    printed as itself).

    \b
    Exit codes:
      0  found
      1  no such workflow (the message lists the ones there are)
      2  usage error; the configuration cannot be used
    """
    from godel import ConfigError
    from godel.config import resolve_workflow

    try:
        path = resolve_workflow(name, _load())
    except ConfigError as exc:
        raise CliError(str(exc), exit_code=EXIT_FAIL) from None
    click.echo(str(path))
