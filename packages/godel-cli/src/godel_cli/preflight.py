"""Checks before a run starts (nothing is written until they pass): strict mode, then lint."""

from __future__ import annotations

from pathlib import Path

import click

from godel_cli.errors import CliError
from godel_cli.messages import say


def preflight(path: Path, *, strict: bool, lint: bool) -> None:
    """Exit 2 with every problem listed if strict mode or the linter finds errors."""
    if strict:
        from godel.strict import format_violations, scan_workflow

        violations = scan_workflow(path)
        if violations:
            say(f"strict mode found {len(violations)} problem(s); nothing was run:")
            click.echo(format_violations(violations), err=True)
            raise CliError(
                "fix them, mark reviewed lines with '# godel: noqa', or run with --no-strict"
            )
    if lint:
        run_lint(path, strict=strict)
    if strict:
        from godel.strict import install_runtime_guards

        # The guard judges imports by the workflow's own code: files beside it.
        install_runtime_guards([path.absolute().parent])


def run_lint(path: Path, *, strict: bool) -> None:
    """The lint pre-flight: errors stop the run, warnings are printed."""
    from godel import PluginError
    from godel.lint import lint_paths

    try:
        # Without strict mode, non-deterministic calls are the user's choice: don't lint them.
        report = lint_paths([path], skip=None if strict else ["PL003"])
    except PluginError as exc:
        raise CliError(f"cannot load the lint rules: {exc}") from None
    for d in report.warnings:
        click.echo(d.format(), err=True)
    if report.errors:
        say(f"lint found {len(report.errors)} error(s); nothing was run:")
        for d in report.errors:
            click.echo(d.format(), err=True)
        raise CliError(
            "fix them, suppress a line with '# godel: noqa: CODE', or run with --no-lint"
        )
