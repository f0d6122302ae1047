"""The claude_code backend: registration and the command line it builds."""

from __future__ import annotations

from importlib.metadata import entry_points, version

import godel_claude
from godel_claude.agent import ClaudeCode, claude_code


def test_registered_under_the_godel_entry_point():
    (ep,) = [ep for ep in entry_points(group="godel") if ep.name == "claude"]
    assert ep.value == "godel_claude.plugin"
    assert version("godel-claude") == godel_claude.__version__


def test_argv_has_prompt_model_alias_and_options():
    agent = claude_code(model="sonnet", tools=["Read", "Bash"], skip_permissions=True,
                        system_prompt="be brief", session_id="abc")
    argv = agent.argv("hi there")
    assert argv[:3] == ["claude", "-p", "hi there"]
    assert argv[argv.index("--model") + 1] == "claude-sonnet-4-6"
    assert argv[argv.index("--resume") + 1] == "abc"
    assert argv[argv.index("--append-system-prompt") + 1] == "be brief"
    assert "--dangerously-skip-permissions" in argv
    assert [argv[i + 1] for i, a in enumerate(argv) if a == "--allowedTools"] == ["Read", "Bash"]


def test_unknown_model_names_pass_through():
    assert ClaudeCode(model="claude-opus-4-6").argv("x")[-1] == "claude-opus-4-6"
