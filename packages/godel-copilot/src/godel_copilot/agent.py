"""The ``copilot`` agent: runs the GitHub Copilot CLI (``copilot -p``) and returns its answer.

This first version runs the CLI and collects its JSONL messages. Recording, replay, sessions
and structured output arrive with the agent base in godel-core.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import anyio


class CopilotError(RuntimeError):
    """The copilot CLI failed or printed no answer."""


@dataclass
class Copilot:
    """An agent backed by the ``copilot`` command line."""

    model: str | None = None
    cwd: str | None = None
    tools: list[str] | None = None
    skip_permissions: bool = False
    system_prompt: str | None = None
    session_id: str | None = None
    executable: str = "copilot"
    extra_env: dict[str, str] = field(default_factory=dict)

    def argv(self, prompt: str) -> list[str]:
        """The command line for one call."""
        if self.system_prompt and not self.session_id:
            prompt = f"{self.system_prompt}\n\n{prompt}"
        argv = [self.executable, "-p", prompt, "--output-format", "json", "--no-color"]
        if self.model:
            argv += ["--model", self.model]
        if self.session_id:
            argv += ["--resume", self.session_id]
        if self.skip_permissions:
            argv.append("--allow-all-tools")
        for tool in self.tools or ():
            argv += ["--allow-tool", tool]
        return argv

    async def __call__(self, prompt: str) -> str:
        env = {**os.environ, **self.extra_env}
        result = await anyio.run_process(self.argv(prompt), cwd=self.cwd, env=env, check=False)
        parts: list[str] = []
        for line in result.stdout.decode("utf-8", "replace").splitlines():
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if not isinstance(data, dict):
                continue
            kind = data.get("type")
            body = data.get("data") or {}
            if kind == "assistant.message" and not data.get("ephemeral") and body.get("content"):
                parts.append(str(body["content"]))
            elif kind == "result":
                self.session_id = data.get("sessionId") or body.get("sessionId") or self.session_id
        if result.returncode != 0 or not parts:
            err = result.stderr.decode("utf-8", "replace").strip()
            raise CopilotError(f"copilot exited with status {result.returncode} and no answer: {err[:2000]}")
        return "\n".join(parts)


def copilot(**options: object) -> Copilot:
    """Create a Copilot agent: ``copilot(model=None, cwd=None, tools=None, ...)``."""
    return Copilot(**options)  # type: ignore[arg-type]
