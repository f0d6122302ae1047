"""godel-copilot's hookimpls. Import-cheap: the agent module is named, not imported."""

from __future__ import annotations

from typing import TYPE_CHECKING

from godel.hookspecs import hookimpl

if TYPE_CHECKING:
    from godel.plugins import Register


@hookimpl
def godel_register_agents(register: Register) -> None:
    register("copilot", "godel_copilot.agent:copilot", summary="GitHub Copilot CLI (copilot -p)")


@hookimpl
def godel_register_parsers(register: Register) -> None:
    register(
        "copilot",
        "godel_copilot.parser:CopilotStreamParser",
        summary="copilot -p --output-format json",
    )
