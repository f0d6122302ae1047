"""A click group whose subcommands come from the plugin registry, attached on first use."""

from __future__ import annotations

from typing import Any

import click

from godel.errors import PluginError
from godel.plugins import PluginManager, get_plugin_manager


class PluginGroup(click.Group):
    """Subcommands are registry entries: listed by name and summary, imported only when run."""

    def __init__(self, *args: Any, plugin_manager: PluginManager | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pm = plugin_manager

    @property
    def pm(self) -> PluginManager:
        if self._pm is None:
            self._pm = get_plugin_manager()
            self._pm.add_builtin("godel_cli.plugin", name="cli", dist="godel-cli")
        return self._pm

    def _registry(self, ctx: click.Context) -> Any:
        try:
            return self.pm.commands
        except PluginError as exc:
            ctx.fail(str(exc))

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._registry(ctx).names()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None:
            return cmd
        registry = self._registry(ctx)
        if cmd_name not in registry:
            return None
        try:
            target = registry.get(cmd_name)
        except PluginError as exc:
            raise click.ClickException(str(exc)) from exc
        if not isinstance(target, click.Command):
            entry = registry.entry(cmd_name)
            raise click.ClickException(
                f"command {cmd_name!r} from {entry.provider} is not a click command "
                f"(got {type(target).__name__})"
            )
        return target

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows: list[tuple[str, str]] = []
        registry = self._registry(ctx)
        limit = formatter.width - 6 - max((len(n) for n in self.list_commands(ctx)), default=0)
        for name in self.list_commands(ctx):
            cmd = super().get_command(ctx, name)
            if cmd is None and name in registry:
                entry = registry.entry(name)
                if entry.is_lazy and entry.summary:
                    rows.append((name, entry.summary))
                    continue
                cmd = self.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            rows.append((name, cmd.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
