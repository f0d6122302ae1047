"""The echo agent: a complete, small backend on ``godel.agents.Agent`` (see docs/plugins.md).

Its CLI is ``python -m godel_echo.echo_cli``: it answers with the prompt, keeps sessions and
understands a few test directives.
"""

from __future__ import annotations

import sys
from typing import Any

from godel.agents import Agent, AgentCall, result_record
from godel.parsers import JsonStreamParser


class EchoParser(JsonStreamParser):
    """The echo CLI's JSON lines → transcript records (and the ``agent.result`` the base reads)."""

    def on_object(self, obj: dict[str, Any]) -> list[dict[str, Any]]:
        kind = obj.get("type")
        if kind == "delta":
            return [{"op": "agent.response", "text": obj["text"]}]
        if kind == "result":
            return [
                result_record(
                    text=obj.get("text", ""),
                    session_id=obj.get("session_id"),
                    usage=obj.get("usage"),
                    is_error=bool(obj.get("is_error")),
                    error=obj.get("error"),
                    cursor=str(obj["turn"]) if "turn" in obj else None,
                )
            ]
        return []


class EchoAgent(Agent):
    """Answers every prompt with the prompt itself."""

    backend = "echo"
    parser = EchoParser
    executable = sys.executable
    default_model = "echo-1"
    can_fork = True

    def command(self, call: AgentCall) -> list[str]:
        argv = [self.executable, "-m", "godel_echo.echo_cli", "--model", call.model or "echo-1"]
        if call.session_mode == "new":
            argv += ["--session-id", call.session_id]
        elif call.session_mode == "resume":
            argv += ["--resume", call.session_id]
        else:
            argv += ["--fork-of", call.fork_of or "", "--session-id", call.session_id]
            if call.resume_at:
                argv += ["--resume-at", call.resume_at]
        return argv + self.extra_args

    def stdin(self, call: AgentCall) -> str:
        return call.prompt

    def session_missing(self, inv: Any) -> bool:
        return "No conversation found" in inv.stderr


def echo(model: str | None = None, **options: Any) -> EchoAgent:
    """An echo agent (takes the options of every godel agent)."""
    return EchoAgent(model, **options)
