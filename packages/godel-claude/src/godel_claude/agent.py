"""The ``claude_code`` agent: Claude Code's CLI (``claude -p``) on the godel agent base.

The prompt goes to the CLI on stdin (no argv length limit, and it does not show up in ``ps``);
the answer streams as ``stream-json``. Sessions use ``--session-id`` (new, chosen by godel),
``--resume`` (continue) and ``--resume --fork-session --resume-session-at`` (fork after a
rewind). ``schema=`` uses ``--json-schema``: the CLI makes the model call its
``StructuredOutput`` tool and reports ``structured_output`` on the result line.
"""

from __future__ import annotations

import json
from typing import Any

from godel.agents import Agent, AgentCall
from godel_claude.parser import ClaudeStreamParser

__all__ = ["MODEL_ALIASES", "ClaudeCode", "claude_code"]

# What Claude Code 2.1's own aliases resolve to (its ``latest_per_family`` table), pinned so
# that a recorded request names the model that answered it.
MODEL_ALIASES = {
    "sonnet": "claude-sonnet-5",
    "opus": "claude-opus-4-8",
    "haiku": "claude-haiku-4-5",
    "fable": "claude-fable-5",
}


class ClaudeCode(Agent):
    """An agent backed by the ``claude`` command line (Claude Code)."""

    backend = "claude"
    parser = ClaudeStreamParser
    executable = "claude"
    model_aliases = MODEL_ALIASES
    native_schema = True
    system_prompt_flag = (
        True  # the CLI does not keep a system prompt in the session: pass it each time
    )
    can_fork = True
    config_names = ("claude_code", "claude")  # the agent's name, and its backend's

    def __init__(
        self,
        model: str | None = None,
        *,
        replace_system_prompt: bool | None = None,
        **options: Any,
    ) -> None:
        super().__init__(model, **options)
        if replace_system_prompt is None:  # the project's default (agents.claude_code), else False
            replace_system_prompt = bool(self.configured().get("replace_system_prompt", False))
        self.replace_system_prompt = replace_system_prompt

    def command(self, call: AgentCall) -> list[str]:
        argv = [
            self.executable,
            "-p",
            "--output-format",
            "stream-json",
            "--verbose",
            "--include-partial-messages",
        ]
        if call.model:
            argv += ["--model", call.model]
        if call.session_mode == "new":
            argv += ["--session-id", call.session_id]
        elif call.session_mode == "resume":
            argv += ["--resume", call.session_id]
        else:
            argv += [
                "--resume",
                call.fork_of or "",
                "--fork-session",
                "--session-id",
                call.session_id,
            ]
            if call.resume_at:
                argv += ["--resume-session-at", call.resume_at]
        if call.system_prompt:
            argv += [
                "--system-prompt" if self.replace_system_prompt else "--append-system-prompt",
                call.system_prompt,
            ]
        if call.tools is not None:
            argv += ["--tools", ",".join(call.tools)]
            if call.tools:
                argv += ["--allowedTools", ",".join(call.tools)]
        if call.skip_permissions:
            argv.append("--dangerously-skip-permissions")
        if call.schema is not None:
            argv += ["--json-schema", json.dumps(call.schema, separators=(",", ":"))]
        return argv + self.extra_args

    def stdin(self, call: AgentCall) -> str:
        return call.prompt

    def session_missing(self, inv: Any) -> bool:
        return "No conversation found" in inv.stderr or "No conversation found" in inv.stdout


def claude_code(model: str | None = "sonnet", **options: Any) -> ClaudeCode:
    """A Claude Code agent.

    ``claude_code(model="sonnet", cwd=None, tools=None, skip_permissions=False,
    system_prompt=None, replace_system_prompt=False, session_id=None, timeout=None,
    stall_timeout=600, env=None, executable="claude", extra_args=None)``. ``model`` takes an
    alias (sonnet, opus, haiku, fable) or a full model id.
    """
    return ClaudeCode(model, **options)
