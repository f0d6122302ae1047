"""godel-echo's lint rule, ECH001: a third-party rule with its own code prefix."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from godel.lint import Diagnostic, Rule, SourceFile


def _shouted(node: ast.AST) -> bool:
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    letters = [c for c in node.value if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


class NoShout(Rule):
    """ECH001: an agent prompt written in capitals (agents do not need to be shouted at)."""

    code = "ECH001"
    summary = "prompts must not be all capitals"
    severity = "error"
    hint = "write the prompt in normal case"

    def check(self, source: SourceFile) -> Iterator[Diagnostic]:
        # Agent calls come from the shared name resolution: agent = godel.agents.<x>(...); agent(p).
        for call in source.names.agent_calls():
            prompt = (
                call.args[0]
                if call.args
                else next((kw.value for kw in call.keywords if kw.arg == "prompt"), None)
            )
            if prompt is not None and _shouted(prompt):
                yield self.report(source, prompt, "prompt is all capitals")
