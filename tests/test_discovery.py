"""Installed plugins are found through entry points and used through the public surface.

godel-echo (tests/plugins/godel-echo, installed editable in the dev venv) registers one of each
kind: agent ``echo``, parser ``echo``, lint rule ``ECH001`` and command ``echo``.
"""

from __future__ import annotations

import json

import anyio
import pytest

import godel.agents
import godel.parsers
from godel.exceptions import UnknownPluginError
from godel.parsers import StreamParser

GODEL_DISTS = {
    "godel-core",
    "godel-cli",
    "godel-claude",
    "godel-copilot",
    "godel-codex",
    "godel-watch",
    "godel-web",
}


# Python API (in-process: reads the process-wide manager, never changes it) ---------------------


def test_agents_get_and_attribute_access_resolve_the_echo_plugin() -> None:
    from godel.agents import echo
    from godel_echo.agent import echo as factory

    assert godel.agents.get("echo") is factory
    assert echo is factory
    assert godel.agents.echo is factory


def test_the_echo_agent_answers() -> None:
    agent = godel.agents.get("echo")()
    assert anyio.run(agent, "hello there") == "hello there"


def test_the_bundled_agents_resolve_to_their_plugins() -> None:
    from godel_claude.agent import claude_code
    from godel_codex.agent import codex
    from godel_copilot.agent import copilot

    assert godel.agents.get("claude_code") is claude_code
    assert godel.agents.copilot is copilot
    assert godel.agents.codex is codex


def test_unknown_agents_are_not_attributes() -> None:
    assert not hasattr(godel.agents, "nope")
    with pytest.raises(
        UnknownPluginError, match=r"no agent named 'nope' is installed \(installed: .*echo"
    ):
        godel.agents.get("nope")


def test_dir_lists_agent_names() -> None:
    names = dir(godel.agents)
    assert {"claude_code", "copilot", "echo", "get", "names"} <= set(names)
    assert godel.agents.names() == sorted(godel.agents.names())


def test_parsers_get_returns_a_stream_parser_that_parses() -> None:
    parser_cls = godel.parsers.get("echo")
    parser = parser_cls()
    assert isinstance(parser, StreamParser)
    records = [
        r
        for line in ["say: hello", "", "garbage", "say: two \\", "lines"]
        for r in parser.feed(line)
    ]
    assert records == [
        {"op": "agent.response", "text": "hello"},
        {"op": "agent.raw", "text": "garbage", "reason": "malformed"},
        {"op": "agent.response", "text": "two lines"},
    ]
    assert parser.close() == []
    parser.feed("say: cut \\")
    assert parser.close() == [{"op": "agent.raw", "text": "say: cut ", "reason": "truncated"}]


def test_parsers_list_builtins_and_plugins() -> None:
    assert {"echo", "jsonl", "lines"} <= set(godel.parsers.names())
    assert {"echo", "jsonl", "lines"} <= set(dir(godel.parsers))
    assert not hasattr(godel.parsers, "nope")


# The real command line (subprocesses) ---------------------------------------------------------


def test_godel_echo_runs_the_plugin_command(godel_run) -> None:
    result = godel_run("echo", "hello", "world")
    assert (result.returncode, result.stdout, result.stderr) == (0, "hello world\n", "")
    result = godel_run("echo", "--upper", "-n", "2", "--sep", "-", "a", "b")
    assert result.stdout == "A-B\nA-B\n"


def test_godel_help_lists_plugin_and_builtin_commands(godel_run) -> None:
    result = godel_run("--help")
    assert result.returncode == 0, result.stderr
    commands = dict(
        line.split(None, 1)
        for line in result.stdout.split("Commands:")[1].splitlines()
        if line.strip()
    )
    assert commands["echo"] == "Print the words back (test plugin)."
    assert commands["plugins"] == "List installed plugins and what they register."


def test_godel_version_lists_every_godel_distribution(godel_run) -> None:
    result = godel_run("--version")
    assert result.returncode == 0
    versions = dict(line.split() for line in result.stdout.splitlines())
    assert GODEL_DISTS | {"godel-echo"} <= set(versions)
    assert versions["godel-echo"] == "0.1.0"
    import godel as core

    assert versions["godel-core"] == core.__version__


def test_godel_plugins_text_shows_entry_point_distribution_version_and_names(godel_run) -> None:
    result = godel_run("plugins")
    assert result.returncode == 0, result.stderr
    assert (
        "echo  (godel-echo 0.1.0)\n"
        "  entry point: godel:echo = godel_echo.plugin\n"
        "  agents: echo\n"
        "  parsers: echo\n"
        "  lint rules: ECH001\n"
        "  commands: echo\n"
    ) in result.stdout
    assert (
        "claude  (godel-claude 0.1.0)\n  entry point: godel:claude = godel_claude.plugin\n"
        in result.stdout
    )
    assert "core  (godel-core " in result.stdout and "cli  (godel-cli " in result.stdout
    for dist in GODEL_DISTS:
        assert f"({dist} " in result.stdout


def test_godel_plugins_json(godel_run) -> None:
    result = godel_run("plugins", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["problems"] == []
    plugins = {p["name"]: p for p in data["plugins"]}
    assert {"core", "cli", "claude", "copilot", "watch", "echo"} <= set(plugins)
    echo = plugins["echo"]
    assert echo["distribution"] == "godel-echo" and echo["version"] == "0.1.0"
    assert echo["entry_point"] == "godel:echo = godel_echo.plugin"
    assert echo["loaded"] is True and echo["error"] is None and echo["builtin"] is False
    assert echo["registered"] == {
        "agents": ["echo"],
        "parsers": ["echo"],
        "lint_rules": ["ECH001"],
        "commands": ["echo"],
    }
    assert echo["hooks"] == [
        "godel_register_agents",
        "godel_register_commands",
        "godel_register_lint_rules",
        "godel_register_parsers",
    ]
    assert plugins["claude"]["registered"]["agents"] == ["claude_code"]
    assert plugins["core"]["builtin"] is True and plugins["core"]["entry_point"] == "(built-in)"


def test_lint_rule_ech001_is_registered_by_godel_echo(python_run) -> None:
    # Registered only: the rule's module belongs to the lint framework and is not imported here.
    code = (
        "from godel.plugins.manager import get_plugin_manager\n"
        "e = get_plugin_manager().lint_rules.entry('ECH001')\n"
        "print(e.provider.dist, e.provider.plugin, e.is_lazy, e.summary)\n"
    )
    result = python_run(code)
    assert result.stdout == "godel-echo echo True prompts must not be all capitals\n", result.stderr


def test_unknown_agent_names_the_package_to_install(python_run) -> None:
    code = "import godel.agents\ngodel.agents.get('claude_code')\n"
    result = python_run(code, env={"GODEL_DISABLE_PLUGINS": "claude"})
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(
        "godel.exceptions.UnknownPluginError: no agent named 'claude_code' is installed "
        "(installed: codex, copilot, echo"
    )
    assert "install it with: pip install godel-claude" in last
    assert "its plugin 'claude' is blocked by GODEL_DISABLE_PLUGINS" in last


def test_from_import_of_a_missing_agent_is_an_import_error(python_run) -> None:
    result = python_run(
        "from godel.agents import claude_code", env={"GODEL_DISABLE_PLUGINS": "claude"}
    )
    assert result.returncode == 1
    assert "ImportError: cannot import name 'claude_code' from 'godel.agents'" in result.stderr


def test_every_registered_command_answers_help(python_run) -> None:
    # Lazy groups only fail when a command is loaded, so load each one (click's advice).
    code = (
        "import contextlib, io\n"
        "from godel_cli.main import cli, main\n"
        "names = cli.plugin_manager.commands.names()\n"
        "for name in names:\n"
        "    out = io.StringIO()\n"
        "    with contextlib.redirect_stdout(out):\n"
        "        rc = main([name, '--help'])\n"
        "    assert rc == 0 and out.getvalue().startswith(f'Usage: godel {name} '), (name, rc, out.getvalue())\n"
        "print(' '.join(names))\n"
    )
    result = python_run(code)
    assert result.returncode == 0, result.stderr
    assert {"echo", "plugins"} <= set(result.stdout.split())
