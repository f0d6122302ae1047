"""PL009: an agent called from a workflow body rather than from a step."""

from __future__ import annotations

from collections.abc import Iterator

from godel.lint.base import Diagnostic, Rule
from godel.lint.rules._util import text_of
from godel.lint.source import SourceFile


class AgentOutsideStep(Rule):
    """PL009 (off by default): ``await agent(prompt)`` directly in a ``@workflow`` (or a helper
    nested in one). The reference documents that as correct, so this is a house rule to opt
    into."""

    code = "PL009"
    severity = "warning"
    default_enabled = False
    hint = (
        "call the agent from a @step: a step is what @retry repeats, what pause stops before, "
        "and what rewind and resume --plan work with"
    )

    def check(self, source: SourceFile) -> Iterator[Diagnostic]:
        for call in source.names.agent_calls():
            owner = source.functions.owner(call)
            if owner is not None and owner.kind == "workflow":
                yield self.report(
                    source,
                    call,
                    f"agent '{text_of(call.func)}' is called in @workflow "
                    f"'{owner.name}' outside any @step",
                )
