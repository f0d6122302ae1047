"""Turn the lint-rule registry into rule objects, keeping a rule that fails to load as an error."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from godel.lint.base import SEVERITIES, LintRule

if TYPE_CHECKING:
    from godel.plugins.manager import PluginManager
    from godel.plugins.registry import Entry


@dataclass
class LoadedRule:
    """A registered rule and who provides it; ``error`` is set when it could not be loaded."""

    code: str
    dist: str
    version: str
    summary: str
    severity: str = "error"
    default_enabled: bool = True
    determinism: bool = False  # skipped by the pre-flight of a run with --no-strict
    rule: LintRule | None = None
    error: str | None = None

    @property
    def provider(self) -> str:
        return f"{self.dist} {self.version}".strip()


def load_entry(entry: Entry) -> LoadedRule:
    """Import and instantiate one registered rule; failures become ``LoadedRule.error``."""
    loaded = LoadedRule(entry.name, entry.provider.dist, entry.provider.version, entry.summary)
    try:
        target = entry.load()
        rule = target() if isinstance(target, type) else target
    except Exception as exc:  # a plugin's import or constructor can fail in any way
        cause = exc.__cause__ if exc.__cause__ is not None else exc
        loaded.error = f"{type(cause).__name__}: {cause}"
        return loaded
    problem = _problem(entry.name, rule)
    if problem:
        loaded.error = problem
        return loaded
    loaded.rule = rule
    loaded.severity = rule.severity
    loaded.default_enabled = bool(getattr(rule, "default_enabled", True))
    loaded.determinism = bool(getattr(rule, "determinism", False))
    loaded.summary = entry.summary or getattr(rule, "summary", "") or ""
    if not rule.summary:
        # The summary is written once, where the rule is registered (listing rules imports
        # nothing); a rule that leaves its own empty gets that one, if it can take it.
        with contextlib.suppress(AttributeError, TypeError):
            rule.summary = loaded.summary
    return loaded


def _problem(code: str, rule: object) -> str | None:
    if not isinstance(rule, LintRule) or not callable(getattr(rule, "check", None)):
        return (
            f"{type(rule).__name__} is not a lint rule (needs code, summary, severity and check())"
        )
    if rule.code != code:
        return f"registered as {code} but the rule's code is {rule.code!r}"
    if rule.severity not in SEVERITIES:
        return f"severity must be 'error' or 'warning', not {rule.severity!r}"
    return None


def load_rules(plugin_manager: PluginManager | None = None) -> list[LoadedRule]:
    """Every registered rule, in code order.

    Raises ``PluginError`` when the registry itself is invalid (for example two distributions
    claiming one code prefix): no lint result could be trusted then.
    """
    if plugin_manager is None:
        from godel.plugins.manager import get_plugin_manager

        plugin_manager = get_plugin_manager()
    return [load_entry(entry) for entry in plugin_manager.lint_rules.entries()]
