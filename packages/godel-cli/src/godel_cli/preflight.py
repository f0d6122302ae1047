"""Checks before a run starts (nothing is written until they pass): strict mode, then lint."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from godel_cli.errors import EXIT_FAIL, CliError
from godel_cli.messages import say

if TYPE_CHECKING:
    from godel.lint import Diagnostic


def preflight(path: Path, *, strict: bool, lint: bool) -> None:
    """Stop before anything is written, every problem listed, if strict mode or the linter
    finds errors."""
    if strict:
        from godel.strict import format_violations, scan_workflow

        violations = scan_workflow(path)
        if violations:
            say(f"strict mode found {len(violations)} problem(s); nothing was run:")
            click.echo(format_violations(violations), err=True)
            raise CliError(
                "fix them, mark reviewed lines with '# godel: noqa', or run with --no-strict",
                exit_code=EXIT_FAIL,
            )
    if lint:
        run_lint(path, strict=strict)
    if strict:
        from godel.strict import install_runtime_guards

        # The guard judges imports by the workflow's own code: files beside it.
        install_runtime_guards([path.absolute().parent])


def run_lint(path: Path, *, strict: bool) -> None:
    """The lint pre-flight: warnings are printed and the run goes on; errors stop it (exit 1),
    in the reference's words. Without strict mode the determinism rules are left out: the
    user chose to allow what they enforce."""
    from godel import PluginError
    from godel.lint import lint_paths

    try:
        report = lint_paths([path], strict=strict)
    except PluginError as exc:
        raise CliError(f"cannot load the lint rules: {exc}") from None
    for diag in report.warnings:
        _show(diag, "", "yellow")
    if report.errors:
        click.echo("Lint errors found — refusing to run:", err=True)
        for diag in report.errors:
            _show(diag, "  ", "red")
        raise CliError(
            "", "Fix the errors or use --no-lint to skip.", exit_code=EXIT_FAIL, prefix=""
        )


def _show(diag: Diagnostic, indent: str, colour: str) -> None:
    click.secho(f"{indent}{diag.format()}", fg=colour, err=True)
    if diag.hint:
        click.secho(f"{indent}    hint: {diag.hint}", dim=True, err=True)
