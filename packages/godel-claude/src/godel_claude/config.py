"""The ``agents.claude_code`` section of the configuration, validated by godel-claude's own model
(registered through ``godel_register_config_sections``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["ClaudeCodeSettings"]


class ClaudeCodeSettings(BaseModel):
    """Defaults for every ``claude_code`` agent of a project (or of a user)."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = None
    executable: str | None = None
    extra_args: list[str] = []
    replace_system_prompt: bool = False
