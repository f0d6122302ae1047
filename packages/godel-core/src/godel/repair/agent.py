"""The default repair agent: any registered backend, one structured tool call per turn.

One conversation with the model (one agent object): the first message holds the run, its
failure and its sources (``godel.repair.prompt``); each later message holds the result of the
previous call. Each reply is a ``ToolCall`` (``schema=``): pydantic validates it, including the
arguments of the tool it names, and the agent base feeds an invalid reply back once in the same
session. Each iteration is a ``@step`` of the repair run, so the agent call and the tool call it
leads to are recorded there and a resumed repair does not ask or act twice.

The agent gets no tools of its own CLI (no shell, no file writes): it can only act through the
repair tools, which are confined to the project.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ValidationError, model_validator

from godel.repair.context import RepairContext
from godel.repair.models import TOOLS, Outcome, ToolError, validation_errors
from godel.repair.tools import RepairTools

__all__ = ["DEFAULT_BACKEND", "DEFAULT_MAX_ITERATIONS", "ToolCall", "default_agent", "make_agent"]

DEFAULT_BACKEND = "claude_code"
DEFAULT_MAX_ITERATIONS = 8
BACKEND_ALIASES = {"claude": "claude_code"}

ToolName = Literal[
    "read_file", "edit_file", "run_lint", "rewind", "answer_input", "resume", "give_up"
]


class ToolCall(BaseModel):
    """One reply of the repair agent: the tool to call, its arguments and why."""

    tool: ToolName
    args: dict[str, Any] = {}
    rationale: str = ""

    @model_validator(mode="after")
    def _args_fit_the_tool(self) -> ToolCall:
        try:
            TOOLS[self.tool].args.model_validate(self.args)
        except ValidationError as exc:
            raise ValueError(
                f"args do not fit {self.tool}: " + "; ".join(validation_errors(exc))
            ) from None
        return self


def make_agent(backend: str, model: str | None, ctx: RepairContext) -> Any:
    """The backend's agent for a repair: working in the project, with none of its CLI's tools."""
    from godel import agents

    name = BACKEND_ALIASES.get(backend, backend)
    factory = agents.get(name)
    options: dict[str, Any] = {"cwd": ctx.project_root}
    if model:
        options["model"] = model
    if name == "codex":
        return factory(sandbox="read-only", **options)
    try:
        return factory(tools=[], **options)
    except TypeError:  # a backend without a tool allow-list
        return factory(**options)


async def default_agent(
    ctx: RepairContext,
    tools: RepairTools,
    *,
    backend: str = DEFAULT_BACKEND,
    model: str | None = None,
    max_iterations: int = DEFAULT_MAX_ITERATIONS,
    progress: Callable[[str], None] | None = None,
    **_options: Any,
) -> dict[str, Any]:
    """Repair the run of ``ctx`` with a model; returns ``{"outcome", "reason", "iterations"}``."""
    from godel import step
    from godel.agents import SchemaValidationFailure
    from godel.repair.prompt import first_prompt, next_prompt

    def say(line: str) -> None:
        if progress is not None:
            progress(line)

    tools.progress = (lambda line: say(f"  {line}")) if progress is not None else None
    agent = make_agent(backend, model, ctx)
    prompt = [first_prompt(ctx, max_iterations)]

    @step(name="iteration")
    async def iteration(i: int) -> dict[str, Any]:
        say(f"iteration {i}/{max_iterations}: asking {backend}")
        try:
            call = await agent(prompt[0], schema=ToolCall)
        except SchemaValidationFailure as exc:
            errors = "; ".join(getattr(exc, "validation_errors", None) or [str(exc)])
            say(f"  the reply was not a valid tool call: {errors}")
            return {"iteration": i, "tool": None, "error": f"not a valid tool call: {errors}"}
        say(f"  {call.tool}: {call.rationale}" if call.rationale else f"  {call.tool}")
        record: dict[str, Any] = {
            "iteration": i,
            "tool": call.tool,
            "args": call.args,
            "rationale": call.rationale,
        }
        try:
            record["result"] = await tools.call(call.tool, call.args)
        except ToolError as exc:
            record["error"] = str(exc)
        return record

    for i in range(1, max_iterations + 1):
        record = await iteration(i)
        tool = record.get("tool")
        if tools.outcome is None and tool in ("resume", "give_up") and "error" not in record:
            tools.outcome = Outcome(tool, str((record.get("result") or {}).get("reason", "")))
        if tools.outcome is not None:
            return {**_as_dict(tools.outcome), "iterations": i}
        prompt[0] = next_prompt(record, i + 1, max_iterations)
    return {
        "outcome": "give_up",
        "reason": f"max_iterations ({max_iterations}) exceeded without resolution",
        "iterations": max_iterations,
    }


def _as_dict(outcome: Outcome) -> dict[str, Any]:
    return {"outcome": outcome.outcome, "reason": outcome.reason}
