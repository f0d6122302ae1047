"""A click group whose subcommands come from the plugin registry, attached on first use."""

from __future__ import annotations

from typing import Any

import click
from click import formatting

from godel import PluginError
from godel.plugins import PluginManager, Registry, get_plugin_manager
from godel_cli.terminal import terminal_columns

CLI_PLUGIN = "godel_cli.plugin"


class ConfigLoadError(click.ClickException):
    """The configuration cannot be used: one ``[godel]`` line, exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"[godel] {self.format_message()}", err=True)


def _say_config_warnings() -> None:
    """The configuration's warnings (an unknown key), once, before the command runs."""
    import os

    from godel.config import load_config

    try:
        os.getcwd()
    except FileNotFoundError:  # removed under the shell (a checkout, an rm -rf): no traceback
        raise ConfigLoadError(
            "the working directory no longer exists; cd to one that does"
        ) from None
    for warning in load_config().warnings:
        click.echo(f"[godel] warning: {warning}", err=True)


class PluginLoadError(click.ClickException):
    """Plugins could not be loaded (strict failure, duplicate names): one line, exit status 2."""

    exit_code = 2


class MissingCommandPackage(click.ClickException):
    """A well-known command whose distribution is not installed (``godel watch`` without
    godel-watch): one line naming what to install, exit status 1."""

    exit_code = 1

    def __init__(self, name: str, registry: Registry) -> None:
        dist = registry.kind.packages[name]
        why = registry.disabled.get(dist)
        text = f"`godel {name}` needs the {dist} package: pip install {dist}"
        super().__init__(f"{text} ({dist} is installed, but {why})" if why else text)

    def show(self, file: Any = None) -> None:
        click.echo(f"[godel] {self.format_message()}", err=True)


class RootContext(click.Context):
    """The root command's context: help formatted as click does, without importing ``shutil``.

    click's help formatter imports ``shutil`` to read the terminal width; that import (it pulls
    in the compression modules) is about 5% of ``godel --help``, which agents run constantly.
    """

    def make_formatter(self) -> click.HelpFormatter:
        width = self.terminal_width
        if width is None and formatting.FORCED_WIDTH is None:  # FORCED_WIDTH: click's test runner
            max_width = 80 if self.max_content_width is None else self.max_content_width
            width = max(min(terminal_columns(), max_width) - 2, 50)  # click's own rule
        return self.formatter_class(width=width, max_width=self.max_content_width)


class PluginGroup(click.Group):
    """Subcommands are registry entries: listed by name and summary, imported only when run.

    Commands attached directly with ``add_command`` are allowed too, but a registry entry with
    the same name is an error, never a silent override.
    """

    context_class = RootContext

    def __init__(
        self, *args: Any, plugin_manager: PluginManager | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._plugin_manager = plugin_manager

    @property
    def plugin_manager(self) -> PluginManager:
        """The plugin manager this group reads (the process-wide one unless given)."""
        if self._plugin_manager is None:
            self._plugin_manager = get_plugin_manager()
        # godel-cli's own commands are a built-in plugin of whichever manager is used.
        self._plugin_manager.add_builtin(CLI_PLUGIN, name="cli", dist="godel-cli")
        return self._plugin_manager

    def registry(self) -> Registry:
        """The command registry; loading problems become a clean ``PluginLoadError``."""
        try:
            registry = self.plugin_manager.commands
        except PluginError as exc:
            raise PluginLoadError(str(exc)) from exc
        for name in registry.names():
            if name in self.commands:
                raise PluginLoadError(
                    f"command {name!r} is registered twice: by godel-cli itself and by "
                    f"{registry.entry(name).provider} (plugin {registry.entry(name).provider.plugin!r})"
                )
        return registry

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.registry().names()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        registry = self.registry()
        cmd = super().get_command(ctx, cmd_name)
        if cmd is None and cmd_name not in registry and cmd_name in registry.kind.packages:
            raise MissingCommandPackage(cmd_name, registry)
        if cmd is not None or cmd_name not in registry:
            return cmd
        entry = registry.entry(cmd_name)
        try:
            target = entry.load()
        except PluginError as exc:
            raise click.ClickException(str(exc)) from exc
        if not isinstance(target, click.Command):
            raise click.ClickException(
                f"command {cmd_name!r} from {entry.provider} is not a click command "
                f"(got {type(target).__name__})"
            )
        return target

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)  # --help and --version print from here
        except OSError as exc:
            from godel_cli.terminal import output_failed

            output_failed(exc)
            raise

    def invoke(self, ctx: click.Context) -> Any:
        from godel import ConfigError
        from godel.store import StoreError

        try:
            if not {"-h", "--help"} & set(ctx.args):  # click 8.2+: every token left
                _say_config_warnings()
            return super().invoke(ctx)
        except PluginError as exc:
            # A plugin problem met inside a command (say, a lazy agent lookup): one line and
            # exit status 2, not a traceback.
            raise PluginLoadError(str(exc)) from exc
        except ConfigError as exc:
            # A settings file or GODEL_* variable that cannot be used (docs/configuration.md).
            raise ConfigLoadError(f"configuration error: {exc}") from exc
        except StoreError as exc:
            # A store URL no installed store serves, a database without godel's schema, a
            # server that does not answer: one line, exit 1.
            from godel_cli.errors import EXIT_FAIL, CliError

            raise CliError(str(exc), exit_code=EXIT_FAIL) from exc
        except OSError as exc:  # `godel plugins | head -1`, `godel show RUN > /dev/full`
            from godel_cli.terminal import output_failed

            output_failed(exc)
            raise
        except BaseException as exc:
            from godel_cli.errors import is_ctrl_c

            if not is_ctrl_c(exc):
                raise
            # Ctrl+C before a command has its own handlers (importing a workflow, reading a long
            # log), or in one that has none (mcp): the conventional 130, not click's "Aborted!"
            # and 1.
            click.echo("[godel] interrupted", err=True)
            raise SystemExit(130) from None

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[Any]:
        """Command names with their summaries, as ``--help`` lists them: a Tab after ``godel``
        imports no command module (click's own would import every one)."""
        from click.shell_completion import CompletionItem

        registry = self.registry()
        items = []
        for name in self.list_commands(ctx):
            if not name.startswith(incomplete):
                continue
            entry = registry.entry(name) if name in registry else None
            if entry is not None and entry.is_lazy and entry.summary:
                items.append(CompletionItem(name, help=entry.summary))
                continue
            try:
                cmd = self.get_command(ctx, name)
            except click.ClickException:
                continue  # a broken plugin command: --help reports it, completion skips it
            if cmd is not None and not cmd.hidden:
                items.append(CompletionItem(name, help=cmd.get_short_help_str()))
        # Options of the root command (`--version`, `--help`), as click completes them.
        return items + click.Command.shell_complete(self, ctx, incomplete)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        registry = self.registry()
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max((len(n) for n in names), default=0)
        rows: list[tuple[str, str]] = []
        for name in names:
            cmd = super().get_command(ctx, name)
            if cmd is None:
                entry = registry.entry(name)
                if entry.is_lazy and entry.summary:
                    # The summary is enough for --help: keep the command's module unimported.
                    rows.append((name, entry.summary))
                    continue
                try:
                    cmd = self.get_command(ctx, name)
                except click.ClickException as exc:
                    # One broken command must not take --help down with it.
                    rows.append((name, f"(cannot load: {exc.format_message()})"))
                    continue
            if cmd is None or cmd.hidden:
                continue
            rows.append((name, cmd.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def current_plugin_manager(ctx: click.Context | None = None) -> PluginManager:
    """The plugin manager of the running ``godel`` group (the process-wide one outside it)."""
    ctx = ctx or click.get_current_context(silent=True)
    root = ctx.find_root().command if ctx is not None else None
    return root.plugin_manager if isinstance(root, PluginGroup) else get_plugin_manager()
