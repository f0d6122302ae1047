"""Laziness, checked in fresh interpreters (in-process checks would depend on test order).

``import godel`` loads no plugin; ``godel --help`` imports no agent and no command module that
has a summary; a plugin's hookimpl module imports none of the things it registers.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

PLUGIN_PACKAGES = (
    "godel_claude",
    "godel_copilot",
    "godel_codex",
    "godel_watch",
    "godel_web",
    "godel_echo",
    "godel_cli",
)
# Heavy or plugin-only imports that `import godel` must not pay for: agents call godel often.
HEAVY = (
    "godel.plugins.manager",
    "godel.plugins.registry",
    "importlib.metadata",
    "click",
    "pydantic",
    "anyio",
    "ulid",
    "mcp",  # the MCP SDK: `godel mcp` only
)


def modules_after(python_run, tmp_path: Path, code: str, **kwargs) -> set[str]:
    """Run ``code`` in a fresh interpreter and return the names in its ``sys.modules`` after."""
    out = tmp_path / "modules.json"
    epilogue = f"\nimport json as _j, sys as _s\nopen({str(out)!r}, 'w').write(_j.dumps(sorted(_s.modules)))\n"
    result = python_run(textwrap.dedent(code) + epilogue, **kwargs)
    assert result.returncode == 0, result.stderr
    return set(json.loads(out.read_text()))


def run_cli(args: list[str]) -> str:
    """Code that runs the console script's function the way the `godel` script does."""
    return f"""
        import sys
        from godel_cli.main import main
        sys.argv = ["godel", *{args!r}]
        rc = main({args!r})
        assert rc == 0, rc
    """


def test_import_godel_loads_no_plugin_and_nothing_heavy(python_run, tmp_path: Path) -> None:
    loaded = modules_after(python_run, tmp_path, "import godel")
    assert "godel" in loaded
    assert not {m for m in loaded if m.split(".")[0] in PLUGIN_PACKAGES}
    assert not loaded & set(HEAVY)


def test_import_godel_agents_and_parsers_loads_no_plugin(python_run, tmp_path: Path) -> None:
    loaded = modules_after(python_run, tmp_path, "import godel.agents, godel.parsers")
    assert not {m for m in loaded if m.split(".")[0] in PLUGIN_PACKAGES}
    assert "godel.plugins.manager" not in loaded


def test_godel_help_imports_no_agent_and_no_summarised_command(python_run, tmp_path: Path) -> None:
    loaded = modules_after(python_run, tmp_path, run_cli(["--help"]))
    assert "godel_echo.plugin" in loaded and "godel_claude.plugin" in loaded, (
        "plugins were consulted"
    )
    for module in (
        "godel_claude.agent",
        "godel_copilot.agent",
        "godel_codex.agent",
        "godel_echo.agent",
        "godel_echo.cli",
        "godel_echo.parser",
        "godel_cli.commands.plugins",
        "godel_cli.commands.repair",
        "godel_cli.commands.mcp",
        "godel.repair",
        "mcp",
    ):
        assert module not in loaded


def test_help_never_imports_a_command_that_has_a_summary(python_run, tmp_path: Path) -> None:
    code = (
        run_cli(["--help"])
        + """
        from godel.plugins.manager import get_plugin_manager
        for entry in get_plugin_manager().commands.entries():
            if entry.summary and isinstance(entry.target, str):
                module = entry.target.partition(":")[0]
                assert module not in sys.modules, (entry.name, module)
    """
    )
    modules_after(python_run, tmp_path, code)


def test_running_a_plugin_command_imports_only_that_command(python_run, tmp_path: Path) -> None:
    loaded = modules_after(python_run, tmp_path, run_cli(["echo", "hi"]))
    assert "godel_echo.cli" in loaded
    assert not loaded & {
        "godel_echo.agent",
        "godel_echo.parser",
        "godel_claude.agent",
        "godel_cli.commands.plugins",
    }


def test_plugin_modules_import_nothing_they_register(python_run, tmp_path: Path) -> None:
    # `godel plugins` imports every plugin module and calls every hook, but loads no target.
    code = (
        run_cli(["plugins"])
        + """
        from godel.plugins.manager import get_plugin_manager
        pm = get_plugin_manager()
        for registry in (pm.agents, pm.parsers, pm.lint_rules, pm.commands):
            for entry in registry.entries():
                if isinstance(entry.target, str):
                    module = entry.target.partition(":")[0]
                    if entry.name != "plugins":  # the command that is running
                        assert module not in sys.modules, (entry.name, module)
    """
    )
    loaded = modules_after(python_run, tmp_path, code)
    assert {
        "godel_claude.plugin",
        "godel_copilot.plugin",
        "godel_codex.plugin",
        "godel_echo.plugin",
        "godel_watch.plugin",
        "godel_web.plugin",
    } <= loaded


def test_importing_the_claude_plugin_module_does_not_import_the_agent(
    python_run, tmp_path: Path
) -> None:
    loaded = modules_after(python_run, tmp_path, "import godel_claude.plugin")
    assert "godel_claude.plugin" in loaded
    assert "godel_claude.agent" not in loaded


def test_attribute_access_imports_just_that_agent(python_run, tmp_path: Path) -> None:
    loaded = modules_after(python_run, tmp_path, "from godel.agents import claude_code")
    assert "godel_claude.agent" in loaded
    assert not loaded & {"godel_copilot.agent", "godel_codex.agent", "godel_echo.agent", "click"}
