"""What strict mode reports: one ``StrictViolation`` per finding (``GodelStrictError`` lists them).

Not in ``godel.exceptions``: a dataclass costs that module (imported by ``godel --help``) the
``dataclasses`` import, about 3 ms.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["StrictViolation"]


@dataclass(frozen=True)
class StrictViolation:
    """One thing strict mode found: where, what, and which layer found it."""

    file: str
    line: int
    col: int
    message: str
    layer: str  # "ast" | "import" | "audit"

    def location(self) -> str:
        return self.file if self.line <= 0 else f"{self.file}:{self.line}"

    def __str__(self) -> str:
        return f"{self.location()}: {self.message}"
