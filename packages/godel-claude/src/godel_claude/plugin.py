"""godel-claude's hookimpls. Import-cheap: the agent module is named, not imported."""

from __future__ import annotations

from typing import TYPE_CHECKING

from godel.hookspecs import hookimpl

if TYPE_CHECKING:
    from godel.plugins import Register


@hookimpl
def godel_register_agents(register: Register) -> None:
    register("claude_code", "godel_claude.agent:claude_code", summary="Claude Code CLI (claude -p)")


@hookimpl
def godel_register_parsers(register: Register) -> None:
    register(
        "claude",
        "godel_claude.parser:ClaudeStreamParser",
        summary="claude -p --output-format stream-json",
    )


@hookimpl
def godel_register_config_sections(register: Register) -> None:
    register("agents.claude_code", "godel_claude.config:ClaudeCodeSettings")
