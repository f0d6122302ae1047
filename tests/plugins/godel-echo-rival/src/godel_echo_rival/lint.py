"""ECH002: a real rule, so the only thing wrong with this plugin is the prefix it claims."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from godel.lint import Diagnostic, Rule, SourceFile


class Whisper(Rule):
    code = "ECH002"
    summary = "prompts must not be all lowercase"
    severity = "warning"

    def check(self, source: SourceFile) -> Iterator[Diagnostic]:
        for call in source.names.agent_calls():
            prompt = call.args[0] if call.args else None
            if (
                isinstance(prompt, ast.Constant)
                and isinstance(prompt.value, str)
                and prompt.value.islower()
            ):
                yield self.report(source, prompt, "prompt is all lowercase")
