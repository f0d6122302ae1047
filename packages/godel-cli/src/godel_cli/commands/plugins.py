"""``godel plugins``: what is installed and what each plugin registered."""

from __future__ import annotations

import json

import click

from godel_cli.errors import EXIT_FAIL
from godel_cli.group import current_plugin_manager
from godel_cli.options import json_option

KIND_LABELS = {
    "agents": "agents",
    "parsers": "parsers",
    "lint_rules": "lint rules",
    "commands": "commands",
    "config_sections": "config sections",
    "stores": "stores",
}


@click.command("plugins")
@json_option('Print JSON ({"plugins": [...], "problems": [...]}) instead of text.')
def plugins(as_json: bool) -> None:
    """List installed plugins: entry point, distribution, version and what each registered.

    A plugin that failed to load (to import, in a hook, or with no hooks at all)
    is listed with its error.

    \b
    Exit codes:
      0  every plugin loaded
      1  a plugin failed to load, or two plugins registered the same agent,
         parser or lint code
      2  usage error; two plugins registered the same command name (every
         command exits 2 then)
    """
    pm = current_plugin_manager()
    infos = pm.describe()
    failed = [p for p in infos if p.error] or pm.problems
    if as_json:
        click.echo(
            json.dumps({"plugins": [p.to_dict() for p in infos], "problems": pm.problems}, indent=2)
        )
    else:
        for info in infos:
            head = f"{info.name}  ({info.dist} {info.version})".replace(" )", ")")
            click.echo(head)
            click.echo(f"  entry point: {info.entry_point}")
            if info.error:
                click.echo(f"  FAILED: {info.error}")
                continue
            rows = [(label, info.registered.get(key)) for key, label in KIND_LABELS.items()]
            for label, names in rows:
                if names:
                    click.echo(f"  {label}: {', '.join(sorted(names))}")
            if not any(names for _, names in rows):
                click.echo("  registers nothing")
        for problem in pm.problems:
            click.echo(f"error: {problem}", err=True)
    if failed:
        raise SystemExit(EXIT_FAIL)
