"""The result of linting some files, and its two renderings: text lines and a JSON list."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from godel.lint.base import Diagnostic


@dataclass
class LintReport:
    """Diagnostics for ``files`` files, plus ``notes``: configuration and selection warnings."""

    diagnostics: list[Diagnostic]
    files: int
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)

    @property
    def exit_code(self) -> int:
        """``godel lint``'s status: 1 when any diagnostic is an error, else 0."""
        return 1 if self.has_errors else 0

    def summary(self) -> str:
        """``2 error(s), 1 warning(s)``, ``1 warning(s)``, or ``""`` when clean."""
        errors, warnings = len(self.errors), len(self.warnings)
        if errors:
            return f"{errors} error(s), {warnings} warning(s)"
        return f"{warnings} warning(s)" if warnings else ""

    def text_lines(self, *, hints: bool = True) -> list[str]:
        """``file:line:col: CODE severity: message``, each followed by an indented ``hint:``."""
        lines = []
        for diag in self.diagnostics:
            lines.append(diag.format())
            if hints and diag.hint:
                lines.append(f"    hint: {diag.hint}")
        return lines

    def to_list(self) -> list[dict[str, Any]]:
        """What ``godel lint --format json`` prints: one item per diagnostic, all files in one
        list (the reference's shape: ``file, rule, severity, message, line, col``, plus ``hint``)."""
        return [d.to_dict() for d in self.diagnostics]

    def to_json(self) -> str:
        return json.dumps(self.to_list(), indent=2)
