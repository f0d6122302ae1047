"""The copilot backend: registration and the command line it builds."""

from __future__ import annotations

from importlib.metadata import entry_points, version

import godel_copilot
from godel_copilot.agent import copilot


def test_registered_under_the_godel_entry_point():
    (ep,) = [ep for ep in entry_points(group="godel") if ep.name == "copilot"]
    assert ep.value == "godel_copilot.plugin"
    assert version("godel-copilot") == godel_copilot.__version__


def test_argv():
    agent = copilot(model="claude-sonnet-4.5", skip_permissions=True, tools=["shell"], session_id="s1")
    argv = agent.argv("fix it")
    assert argv[:5] == ["copilot", "-p", "fix it", "--output-format", "json"]
    assert argv[argv.index("--model") + 1] == "claude-sonnet-4.5"
    assert argv[argv.index("--resume") + 1] == "s1"
    assert "--allow-all-tools" in argv
    assert argv[argv.index("--allow-tool") + 1] == "shell"


def test_system_prompt_is_prepended_only_without_a_session():
    assert copilot(system_prompt="rules").argv("task")[2] == "rules\n\ntask"
    assert copilot(system_prompt="rules", session_id="s").argv("task")[2] == "task"
