"""The ``godel`` group built by ``make_cli`` over a fresh PluginManager (no entry points)."""

from __future__ import annotations

import json
import sys

import click
import pytest
from click.testing import CliRunner

from godel import hookimpl
from godel.exceptions import PluginError
from godel.plugins.manager import PluginManager
from godel_cli.group import current_plugin_manager
from godel_cli.main import make_cli


@click.command("hello")
@click.argument("who", default="world")
def hello(who: str) -> None:
    """Say hello to WHO."""
    click.echo(f"hello {who}")


@click.command("lookup")
def lookup() -> None:
    """Ask the running group's plugin manager for an agent nobody registered."""
    current_plugin_manager().agents.get("definitely_not_installed")


class Commands:
    """Registers an eager command, lazy ones with and without summary, and a failing one."""

    @hookimpl
    def godel_register_commands(self, register):
        register("hello", hello)
        register(
            "later", "godel_cli_tests_missing.module:cmd", summary="Summarised, never imported."
        )
        register("nosummary", "godel_cli_tests_missing.module:cmd")
        register("notacommand", "json:dumps", summary="Points at a function.")


class Failing:
    @hookimpl
    def godel_register_commands(self, register):
        register("fail", click.Command("fail", callback=_raise_plugin_error))


def _raise_plugin_error() -> None:
    raise PluginError("agent 'x' is registered twice: by godel-a 1.0 and by godel-b 2.0")


def cli_with(*plugins: tuple[object, str]) -> click.Group:
    pm = PluginManager(autoload=False)
    for plugin, dist in plugins:
        pm.register(plugin, name=dist.removeprefix("godel-"), dist=dist, version="1.0")
    return make_cli(pm)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_help_lists_builtin_and_plugin_commands_from_summaries(runner: CliRunner) -> None:
    result = runner.invoke(cli_with((Commands(), "godel-cmds")), ["--help"])
    assert result.exit_code == 0, result.output
    rows = {
        line.split()[0]: line.split(None, 1)[1]
        for line in result.output.split("Commands:")[1].splitlines()
        if line.strip()
    }
    assert rows["hello"] == "Say hello to WHO."
    assert rows["later"] == "Summarised, never imported."
    assert rows["plugins"].startswith("List installed plugins")
    # A lazy command without a summary must be imported to describe it; it fails, --help survives.
    assert rows["nosummary"].startswith(
        "(cannot load: 'godel_cli_tests_missing.module:cmd' registered by"
    )
    assert "godel_cli_tests_missing" not in sys.modules


def test_a_plugin_command_runs(runner: CliRunner) -> None:
    result = runner.invoke(cli_with((Commands(), "godel-cmds")), ["hello", "godel"])
    assert (result.exit_code, result.output) == (0, "hello godel\n")


def test_a_command_that_cannot_be_imported_fails_cleanly(runner: CliRunner) -> None:
    result = runner.invoke(cli_with((Commands(), "godel-cmds")), ["later"])
    assert result.exit_code == 1
    assert (
        "Error: 'godel_cli_tests_missing.module:cmd' registered by godel-cmds 1.0 could not be imported"
        in result.output
    )
    assert isinstance(result.exception, SystemExit)


def test_a_target_that_is_not_a_click_command_fails_cleanly(runner: CliRunner) -> None:
    result = runner.invoke(cli_with((Commands(), "godel-cmds")), ["notacommand"])
    assert result.exit_code == 1
    assert (
        "command 'notacommand' from godel-cmds 1.0 is not a click command (got function)"
        in result.output
    )


def test_unknown_commands_are_usage_errors(runner: CliRunner) -> None:
    result = runner.invoke(cli_with(), ["nope"])
    assert result.exit_code == 2
    assert "No such command 'nope'" in result.output


def test_plugins_command_describes_the_groups_own_manager(runner: CliRunner) -> None:
    result = runner.invoke(cli_with((Commands(), "godel-cmds")), ["plugins", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    by_name = {p["name"]: p for p in data["plugins"]}
    assert list(by_name) == ["core", "cli", "cmds"], "no entry points: autoload is off"
    assert by_name["cmds"]["registered"]["commands"] == [
        "hello",
        "later",
        "nosummary",
        "notacommand",
    ]
    assert "plugins" in by_name["cli"]["registered"]["commands"]
    assert data["problems"] == []


def test_plugins_command_text(runner: CliRunner) -> None:
    result = runner.invoke(cli_with((Commands(), "godel-cmds")), ["plugins"])
    assert result.exit_code == 0
    assert (
        "cmds  (godel-cmds 1.0)\n  entry point: (inline)\n  commands: hello, later, nosummary, notacommand\n"
        in result.output
    )


def test_a_plugin_registering_a_builtin_command_name_is_an_error(runner: CliRunner) -> None:
    class Clash:
        @hookimpl
        def godel_register_commands(self, register):
            register("plugins", hello)

    for args in (["--help"], ["plugins"], ["hello"]):
        result = runner.invoke(cli_with((Clash(), "godel-clash")), args)
        assert result.exit_code == 2, args
        assert result.stdout == ""
        assert result.stderr.strip().splitlines() == [
            "Error: command 'plugins' is registered twice: by godel-cli 0.1.0 (plugin 'cli') and by "
            "godel-clash 1.0 (plugin 'clash'); uninstall or block one of them (GODEL_DISABLE_PLUGINS)"
        ]


def test_a_registered_name_may_not_shadow_a_directly_attached_command(runner: CliRunner) -> None:
    cli = cli_with((Commands(), "godel-cmds"))
    cli.add_command(click.Command("hello", callback=lambda: None))
    result = runner.invoke(cli, ["hello"])
    assert result.exit_code == 2
    assert (
        "command 'hello' is registered twice: by godel-cli itself and by godel-cmds 1.0"
        in result.stderr
    )


def test_a_plugin_error_inside_a_command_is_one_line_and_exit_2(runner: CliRunner) -> None:
    result = runner.invoke(cli_with((Failing(), "godel-failing")), ["fail"])
    assert result.exit_code == 2
    assert (
        result.stderr == "Error: agent 'x' is registered twice: by godel-a 1.0 and by godel-b 2.0\n"
    )


def test_an_unknown_plugin_name_inside_a_command_is_one_line(runner: CliRunner) -> None:
    class Lookup:
        @hookimpl
        def godel_register_commands(self, register):
            register("lookup", lookup)

    result = runner.invoke(cli_with((Lookup(), "godel-lookup")), ["lookup"])
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: no agent named 'definitely_not_installed' is installed (installed: none); "
        "install the plugin that provides it, then check with: godel plugins\n"
    )


def test_version_lists_core_and_cli(runner: CliRunner) -> None:
    result = runner.invoke(cli_with(), ["--version"])
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.output.splitlines()]
    assert {"godel-core", "godel-cli"} <= set(names)
    assert names == sorted(names)


def test_the_cli_builtin_is_added_once(runner: CliRunner) -> None:
    pm = PluginManager(autoload=False)
    cli = make_cli(pm)
    for _ in range(3):
        assert runner.invoke(cli, ["--help"]).exit_code == 0
    assert [p.name for p in pm.plugins] == ["core", "cli"]
