"""godel-codex's hookimpls. Import-cheap: the agent module is named, not imported."""

from __future__ import annotations

from typing import TYPE_CHECKING

from godel.hookspecs import hookimpl

if TYPE_CHECKING:
    from godel.plugins import Register


@hookimpl
def godel_register_agents(register: Register) -> None:
    register("codex", "godel_codex.agent:codex", summary="OpenAI Codex CLI (codex exec)")


@hookimpl
def godel_register_parsers(register: Register) -> None:
    register("codex", "godel_codex.parser:CodexStreamParser", summary="codex exec --json")
