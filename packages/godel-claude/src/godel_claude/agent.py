"""The ``claude_code`` agent: runs the Claude Code CLI (``claude -p``) and returns its answer.

This first version runs the CLI and parses its JSON result. Recording, replay, sessions and
structured output arrive with the agent base in godel-core.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import anyio

MODEL_ALIASES = {"sonnet": "claude-sonnet-4-6", "opus": "claude-opus-4-6", "haiku": "claude-haiku-4-5"}


class ClaudeCodeError(RuntimeError):
    """The claude CLI failed or printed no result."""


@dataclass
class ClaudeCode:
    """An agent backed by the ``claude`` command line."""

    model: str = "sonnet"
    cwd: str | None = None
    tools: list[str] | None = None
    skip_permissions: bool = False
    system_prompt: str | None = None
    session_id: str | None = None
    executable: str = "claude"
    extra_env: dict[str, str] = field(default_factory=dict)

    def argv(self, prompt: str) -> list[str]:
        """The command line for one call."""
        argv = [self.executable, "-p", prompt, "--output-format", "json",
                "--model", MODEL_ALIASES.get(self.model, self.model)]
        if self.session_id:
            argv += ["--resume", self.session_id]
        if self.system_prompt:
            argv += ["--append-system-prompt", self.system_prompt]
        if self.skip_permissions:
            argv.append("--dangerously-skip-permissions")
        for tool in self.tools or ():
            argv += ["--allowedTools", tool]
        return argv

    async def __call__(self, prompt: str) -> str:
        import os

        env = {**os.environ, **self.extra_env}
        result = await anyio.run_process(self.argv(prompt), cwd=self.cwd, env=env, check=False)
        out = result.stdout.decode("utf-8", "replace")
        for line in reversed(out.strip().splitlines()):
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if isinstance(data, dict) and data.get("type") == "result":
                if data.get("is_error"):
                    raise ClaudeCodeError(f"claude reported an error: {data.get('result')}")
                self.session_id = data.get("session_id") or self.session_id
                return str(data.get("result", ""))
        err = result.stderr.decode("utf-8", "replace").strip()
        raise ClaudeCodeError(f"claude exited with status {result.returncode} and no result: {err[:2000]}")


def claude_code(**options: object) -> ClaudeCode:
    """Create a Claude Code agent: ``claude_code(model="sonnet", cwd=None, tools=None, ...)``."""
    return ClaudeCode(**options)  # type: ignore[arg-type]
