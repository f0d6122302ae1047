"""What a lint rule is and what it reports.

A rule is any object with ``code``, ``summary``, ``severity`` and a ``check(source)`` method that
yields :class:`Diagnostic` objects; ``default_enabled``, ``determinism`` and ``hint`` are optional.
Subclassing :class:`Rule` gives the defaults and the :meth:`Rule.report` helper. An empty
``summary`` is filled in from the rule's registration when it is loaded.
"""

from __future__ import annotations

import abc
import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from godel.lint.source import SourceFile

Severity = Literal["error", "warning"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning")

# PL000 is not a rule: the engine reports files it cannot lint and rules that crash with it.
INTERNAL_CODE = "PL000"
INTERNAL_SUMMARY = "file cannot be read or parsed, or a rule crashed or failed to load"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem: where, which rule, and what to do about it.

    ``line`` is 1-based (0 for a problem with the whole file), ``col`` 0-based in characters, or
    None when there is no column (a file that cannot be read, a rule that crashed).
    """

    file: str
    line: int
    col: int | None
    code: str
    severity: Severity
    message: str
    hint: str = ""

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be 'error' or 'warning', not {self.severity!r}")

    @property
    def rule(self) -> str:
        """The code under the reference's name for it (``rule`` in the JSON output)."""
        return self.code

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def format(self) -> str:
        """``file:line:col: CODE severity: message``, the column empty when unknown (the
        reference's line format; the CLI prints the hint on its own line)."""
        col = "" if self.col is None else self.col
        return f"{self.file}:{self.line}:{col}: {self.code} {self.severity}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """One item of ``godel lint --format json``: the reference's six keys, then ``hint``."""
        return {
            "file": self.file,
            "rule": self.code,
            "severity": self.severity,
            "message": self.message,
            "line": self.line,
            "col": self.col,
            "hint": self.hint,
        }


@runtime_checkable
class LintRule(Protocol):
    """The duck type the engine accepts (``Rule`` subclasses satisfy it)."""

    code: str
    summary: str
    severity: Severity

    def check(self, source: SourceFile) -> Iterable[Diagnostic]: ...


class Rule(abc.ABC):
    """Base class for lint rules: set the class attributes and implement :meth:`check`."""

    code: ClassVar[str] = ""
    summary: str = ""  # may be left to the registration: the loader copies it here
    severity: ClassVar[Severity] = "error"
    default_enabled: ClassVar[bool] = True
    # True for a rule that enforces what strict mode enforces (values and effects a resumed run
    # would not reproduce): a user who runs with --no-strict has opted out of it, so the
    # pre-flight of `godel run --no-strict` skips the rule. `godel lint` always runs it.
    determinism: ClassVar[bool] = False
    hint: ClassVar[str] = ""

    @abc.abstractmethod
    def check(self, source: SourceFile) -> Iterator[Diagnostic]:
        """Yield a diagnostic for every problem in ``source``."""

    def report(
        self, source: SourceFile, node: ast.AST | int, message: str, hint: str | None = None
    ) -> Diagnostic:
        """A diagnostic of this rule at ``node``, or at a 1-based line number (no column)."""
        col: int | None
        if isinstance(node, int):
            line, col = node, None
        else:
            line = getattr(node, "lineno", 1)
            col = source.char_col(line, getattr(node, "col_offset", 0))
        return Diagnostic(
            source.path,
            line,
            col,
            self.code,
            self.severity,
            message,
            self.hint if hint is None else hint,
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.code}>"
