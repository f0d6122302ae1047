"""The repair tools' vocabulary: argument and result models, ``TOOLS``, and how a repair ends.

Kept apart from ``godel.repair.tools`` (what the tools do) so that an agent, a prompt or an MCP
server can describe and validate tool calls without the machinery behind them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

__all__ = [
    "TOOLS",
    "AnswerInputArgs",
    "AnswerInputResult",
    "EditFileArgs",
    "EditFileResult",
    "GaveUp",
    "GiveUpArgs",
    "Outcome",
    "OutcomeResult",
    "ReadFileArgs",
    "ReadFileResult",
    "RepairEnded",
    "ResumeArgs",
    "ResumeRequested",
    "RewindArgs",
    "RewindResult",
    "RunLintArgs",
    "RunLintResult",
    "ToolError",
    "ToolSpec",
    "tool_specs",
    "validation_errors",
]


class ToolError(Exception):
    """A tool call that was refused or failed; the message is shown to the agent."""


class RepairEnded(Exception):
    """Raised by an agent to end the repair (godel-py's ``ResumeRequested`` / ``GaveUp``)."""

    outcome = ""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.outcome}: {self.reason}" if self.reason else self.outcome


class ResumeRequested(RepairEnded):
    outcome = "resume"


class GaveUp(RepairEnded):
    outcome = "give_up"


@dataclass(frozen=True)
class Outcome:
    """How a repair ended: ``resume`` (the run is ready to go on) or ``give_up``."""

    outcome: str
    reason: str


# argument and result models ----------------------------------------------------------------


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ReadFileArgs(_Args):
    path: str = Field(description="A file of the project, relative to its root (or absolute).")


class ReadFileResult(BaseModel):
    path: str
    content: str
    sha256: str
    size: int


class EditFileArgs(_Args):
    path: str = Field(description="The file to edit, relative to the project root.")
    old: str = Field(
        validation_alias=AliasChoices("old", "old_str"),
        description="Text that occurs exactly once in the file.",
    )
    new: str = Field(
        validation_alias=AliasChoices("new", "new_str"), description="What replaces it."
    )
    expected_sha256: str | None = Field(
        default=None, description="Refuse the edit unless the file still has this sha256."
    )


class EditFileResult(BaseModel):
    path: str
    sha256_before: str
    sha256: str
    backup: str


class RunLintArgs(_Args):
    path: str = Field(description="A workflow file of the project.")


class RunLintResult(BaseModel):
    path: str
    errors: int
    warnings: int
    diagnostics: list[str]


class RewindArgs(_Args):
    to: list[str] = Field(
        description="Event ids (full, or the short ids shown) to go back to: each and everything "
        "after it runs again on resume."
    )
    reason: str = ""
    cut: bool = Field(
        default=False, description="Only the targets and what ran inside them (a targeted cut)."
    )

    @field_validator("to", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class RewindResult(BaseModel):
    mode: str
    invalidated_count: int
    invalidated_ids: list[str]
    already_rewound_ids: list[str]


class AnswerInputArgs(_Args):
    value: str = Field(description="The answer to the input() the run stopped at.")


class AnswerInputResult(BaseModel):
    event_id: str
    prompt: str
    value: str


class ResumeArgs(_Args):
    reason: str = Field(default="", description="Why the run is ready to continue.")


class GiveUpArgs(_Args):
    reason: str = Field(description="Why the run cannot be repaired with these tools.")


class OutcomeResult(BaseModel):
    outcome: str
    reason: str


@dataclass(frozen=True)
class ToolSpec:
    args: type[BaseModel]
    result: type[BaseModel]
    description: str
    changes_run: bool  # writes to the repaired run's log or files


TOOLS: dict[str, ToolSpec] = {
    "read_file": ToolSpec(
        ReadFileArgs, ReadFileResult, "Read a file of the workflow's project.", False
    ),
    "edit_file": ToolSpec(
        EditFileArgs,
        EditFileResult,
        "Replace the one occurrence of `old` with `new` in a project file (backed up first).",
        True,
    ),
    "run_lint": ToolSpec(RunLintArgs, RunLintResult, "Run godel's linter on a file.", False),
    "rewind": ToolSpec(
        RewindArgs,
        RewindResult,
        "Invalidate events so that resume runs them again (completed commands and agent "
        "calls are never re-run this way).",
        True,
    ),
    "answer_input": ToolSpec(
        AnswerInputArgs,
        AnswerInputResult,
        "Answer the input() prompt the run is stopped at; resume then goes on with it.",
        True,
    ),
    "resume": ToolSpec(
        ResumeArgs, OutcomeResult, "End the repair: the run is ready to be resumed.", False
    ),
    "give_up": ToolSpec(
        GiveUpArgs,
        OutcomeResult,
        "End the repair: the run cannot be repaired with these tools (recorded with the reason).",
        True,
    ),
}


def tool_specs() -> list[dict[str, Any]]:
    """Each tool's name, description and JSON schema of its arguments."""
    return [
        {"name": name, "description": spec.description, "schema": spec.args.model_json_schema()}
        for name, spec in TOOLS.items()
    ]


def validation_errors(exc: ValidationError) -> list[str]:
    """``field: message`` lines, as an agent can act on them."""
    return [
        f"{'.'.join(str(p) for p in err.get('loc', ())) or '(root)'}: {err.get('msg', 'invalid')}"
        for err in exc.errors()
    ]
