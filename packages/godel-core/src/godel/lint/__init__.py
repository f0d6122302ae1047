"""godel's workflow linter: rules registered through ``godel_register_lint_rules``.

Run it with :func:`lint_paths` (what ``godel lint`` and the ``godel run`` pre-flight call)::

    report = lint_paths(["flow.py"])
    if report.has_errors:
        print("\\n".join(report.text_lines()))

Write a rule by subclassing :class:`Rule` and yielding :meth:`Rule.report` diagnostics from
``check(source)``; ``source`` is a :class:`SourceFile` (the parsed tree with shared indexes
and import-aware name resolution). See docs/lint.md.
"""

from __future__ import annotations

from godel.lazy import exports

TYPE_CHECKING = False
if TYPE_CHECKING:
    from godel.lint.base import (
        INTERNAL_CODE,
        INTERNAL_SUMMARY,
        Diagnostic,
        LintRule,
        Rule,
        Severity,
    )
    from godel.lint.config import config_sources
    from godel.lint.engine import (
        Linter,
        lint_file,
        lint_paths,
        lint_source,
        parse_source,
        read_source,
    )
    from godel.lint.loader import LoadedRule, load_rules
    from godel.lint.report import LintReport
    from godel.lint.source import SourceFile

_EXPORTS = {
    "INTERNAL_CODE": "base",
    "INTERNAL_SUMMARY": "base",
    "Diagnostic": "base",
    "LintRule": "base",
    "Rule": "base",
    "Severity": "base",
    "config_sources": "config",
    "Linter": "engine",
    "lint_file": "engine",
    "lint_paths": "engine",
    "lint_source": "engine",
    "parse_source": "engine",
    "read_source": "engine",
    "LoadedRule": "loader",
    "load_rules": "loader",
    "LintReport": "report",
    "SourceFile": "source",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = exports(__name__, _EXPORTS)
